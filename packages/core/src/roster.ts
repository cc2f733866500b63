import type { Person, Roster } from '@teacher-hub/protocol';

/** Everyone on a roster once, in first-seen order (a student in two courses appears in both). */
export function rosterPeople(roster: Roster): Person[] {
  const people = new Map<string, Person>();
  for (const course of roster.courses) {
    for (const person of course.students) {
      if (!people.has(person.id)) people.set(person.id, person);
    }
  }
  return [...people.values()];
}
