import type { DirectoryEnrollment, DirectorySync, DirectoryUser } from '@teacher-hub/protocol';

/**
 * The demo LMS that dev mode seeds at every start (CONTRACT.md "Demo directory"): Ada teaches Algebra I
 * (s-01…s-05) and Biology (s-04…s-08), Grace teaches World History (s-08…s-12). Students' names sort in
 * the order of their ids, which keeps rosters easy to read.
 */
const TEACHERS: Array<[id: string, name: string]> = [
  ['t-ada', 'Ada Lovelace'],
  ['t-grace', 'Grace Hopper'],
];

const STUDENTS: Array<[id: string, name: string]> = [
  ['s-01', 'Amara Okafor'],
  ['s-02', 'Ben Carter'],
  ['s-03', 'Chloé Dubois'],
  ['s-04', 'Diego Hernández'],
  ['s-05', 'Elif Yılmaz'],
  ['s-06', "Finn O'Brien"],
  ['s-07', 'Hana Sato'],
  ['s-08', 'Isaac Mensah'],
  ['s-09', 'Julia Novak'],
  ['s-10', 'Kai Andersen'],
  ['s-11', 'Leila Haddad'],
  ['s-12', 'Mateo Rossi'],
];

const COURSES: Array<{ id: string; name: string; teacher: string; students: [first: number, last: number] }> =
  [
    { id: 'algebra-1', name: 'Algebra I', teacher: 't-ada', students: [1, 5] },
    { id: 'biology-1', name: 'Biology', teacher: 't-ada', students: [4, 8] },
    { id: 'history-1', name: 'World History', teacher: 't-grace', students: [8, 12] },
  ];

const person =
  (role: DirectoryUser['role']) =>
  ([id, name]: [string, string]): DirectoryUser => ({
    id,
    name,
    role,
    email: `${id}@example.edu`,
  });

const studentId = (number: number) => `s-${String(number).padStart(2, '0')}`;

export const DEMO_DIRECTORY: DirectorySync = {
  users: [...TEACHERS.map(person('teacher')), ...STUDENTS.map(person('student'))],
  courses: COURSES.map(({ id, name }) => ({ id, name })),
  enrollments: COURSES.flatMap(({ id, teacher, students: [first, last] }): DirectoryEnrollment[] => [
    { courseId: id, userId: teacher, role: 'teacher' },
    ...Array.from({ length: last - first + 1 }, (_, offset) => ({
      courseId: id,
      userId: studentId(first + offset),
      role: 'student' as const,
    })),
  ]),
};
