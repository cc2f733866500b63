import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import type { DirectorySync } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import { onEachDatabase } from '../../testing/databases.ts';
import { DEMO_DIRECTORY } from '../directory/demo-directory.ts';
import type { Database } from './database.ts';
import { KyselyDirectoryRepository } from './directory-repository.ts';

const names = (people: Array<{ id: string }>) => people.map((person) => person.id).sort();

onEachDatabase('KyselyDirectoryRepository', (target) => {
  let database: Database;
  let repository: KyselyDirectoryRepository;

  before(async () => {
    database = await target.open();
    repository = new KyselyDirectoryRepository(database.db);
  });
  after(() => target.closeAll());
  beforeEach(async () => {
    await sql`truncate enrollments, users, courses cascade`.execute(database.db);
  });

  it('stores a whole directory and reports what it did', async () => {
    const change = await repository.replaceAll(DEMO_DIRECTORY);
    assert.deepEqual(change.result, {
      users: { upserted: 14, removed: 0 },
      courses: { upserted: 3, removed: 0 },
      enrollments: { added: 18, removed: 0, kept: 0 },
    });
    assert.deepEqual(change.removedEnrollments, []);
    assert.deepEqual(await repository.findUser('t-ada'), {
      id: 't-ada',
      name: 'Ada Lovelace',
      email: 't-ada@example.edu',
      role: 'teacher',
    });
  });

  it("lists a teacher's courses with their students, and a student's with their teachers", async () => {
    await repository.replaceAll(DEMO_DIRECTORY);
    const ada = await repository.coursesOf('t-ada', 'teacher', 'student');
    assert.deepEqual(ada.map((course) => [course.id, names(course.members)]).sort(), [
      ['algebra-1', ['s-01', 's-02', 's-03', 's-04', 's-05']],
      ['biology-1', ['s-04', 's-05', 's-06', 's-07', 's-08']],
    ]);
    const s08 = await repository.coursesOf('s-08', 'student', 'teacher');
    assert.deepEqual(s08.map((course) => [course.id, names(course.members)]).sort(), [
      ['biology-1', ['t-ada']],
      ['history-1', ['t-grace']],
    ]);
    assert.deepEqual(await repository.coursesOf('s-08', 'teacher', 'student'), []);
  });

  it('lists a course without members too', async () => {
    await repository.replaceAll({
      users: [{ id: 't-new', name: 'New Teacher', role: 'teacher' }],
      courses: [{ id: 'empty', name: 'Empty Course' }],
      enrollments: [{ courseId: 'empty', userId: 't-new', role: 'teacher' }],
    });
    assert.deepEqual(await repository.coursesOf('t-new', 'teacher', 'student'), [
      { id: 'empty', name: 'Empty Course', members: [] },
    ]);
  });

  it('replaces: upserts, renames, and removes what the new directory no longer has', async () => {
    await repository.replaceAll(DEMO_DIRECTORY);
    const next: DirectorySync = {
      users: DEMO_DIRECTORY.users
        .filter((user) => user.id !== 's-12')
        .map((user) => (user.id === 's-01' ? { ...user, name: 'Amara Okafor-Smith' } : user)),
      courses: DEMO_DIRECTORY.courses
        .filter((course) => course.id !== 'history-1')
        .map((course) => (course.id === 'biology-1' ? { ...course, name: 'Biology I' } : course)),
      enrollments: DEMO_DIRECTORY.enrollments.filter(
        (enrollment) => enrollment.courseId !== 'history-1' && enrollment.userId !== 's-06',
      ),
    };
    const change = await repository.replaceAll(next);
    assert.deepEqual(change.result, {
      users: { upserted: 13, removed: 1 },
      courses: { upserted: 2, removed: 1 },
      enrollments: { added: 0, removed: 7, kept: 11 },
    });
    assert.deepEqual(change.removedEnrollments.map((e) => `${e.courseId}/${e.userId}/${e.role}`).sort(), [
      'biology-1/s-06/student',
      'history-1/s-08/student',
      'history-1/s-09/student',
      'history-1/s-10/student',
      'history-1/s-11/student',
      'history-1/s-12/student',
      'history-1/t-grace/teacher',
    ]);
    assert.equal((await repository.findUser('s-01'))?.name, 'Amara Okafor-Smith');
    assert.equal(await repository.findUser('s-12'), undefined);
    const ada = await repository.coursesOf('t-ada', 'teacher', 'student');
    assert.deepEqual(ada.map((course) => course.name).sort(), ['Algebra I', 'Biology I']);
    assert.deepEqual(await repository.coursesOf('t-grace', 'teacher', 'student'), []);
  });

  it('counts a changed enrollment role as removed (with the old role) and added', async () => {
    await repository.replaceAll({
      users: [
        { id: 't-1', name: 'Teacher One', role: 'teacher' },
        { id: 't-2', name: 'Teacher Two', role: 'teacher' },
      ],
      courses: [{ id: 'c', name: 'Course' }],
      enrollments: [
        { courseId: 'c', userId: 't-1', role: 'teacher' },
        { courseId: 'c', userId: 't-2', role: 'student' },
      ],
    });
    const change = await repository.replaceAll({
      users: [
        { id: 't-1', name: 'Teacher One', role: 'teacher' },
        { id: 't-2', name: 'Teacher Two', role: 'teacher' },
      ],
      courses: [{ id: 'c', name: 'Course' }],
      enrollments: [
        { courseId: 'c', userId: 't-1', role: 'teacher' },
        { courseId: 'c', userId: 't-2', role: 'teacher' },
      ],
    });
    assert.deepEqual(change.result.enrollments, { added: 1, removed: 1, kept: 1 });
    assert.deepEqual(change.removedEnrollments, [{ courseId: 'c', userId: 't-2', role: 'student' }]);
    assert.deepEqual(names((await repository.coursesOf('t-1', 'teacher', 'teacher'))[0]?.members ?? []), [
      't-2',
    ]);
  });

  it('empties the directory when the LMS sends an empty one', async () => {
    await repository.replaceAll(DEMO_DIRECTORY);
    const change = await repository.replaceAll({ users: [], courses: [], enrollments: [] });
    assert.deepEqual(change.result.users.removed, 14);
    assert.deepEqual(await repository.listUsers(), []);
  });

  it('upserts a part without touching the rest, making its courses exact', async () => {
    await repository.replaceAll({
      users: [...DEMO_DIRECTORY.users, { id: 'lms-1', name: 'From The LMS', role: 'student' }],
      courses: [...DEMO_DIRECTORY.courses, { id: 'lms-course', name: 'LMS Course' }],
      enrollments: [
        ...DEMO_DIRECTORY.enrollments,
        { courseId: 'algebra-1', userId: 'lms-1', role: 'student' },
        { courseId: 'lms-course', userId: 'lms-1', role: 'student' },
      ],
    });
    const change = await repository.upsertPart(DEMO_DIRECTORY);
    assert.deepEqual(change.removedEnrollments, [
      { courseId: 'algebra-1', userId: 'lms-1', role: 'student' },
    ]);
    assert.ok(await repository.findUser('lms-1'), 'users outside the part stay');
    assert.equal((await repository.coursesOf('lms-1', 'student', 'teacher')).length, 1);
  });

  it('adds a user unless they exist, never overwriting what the LMS synced', async () => {
    await repository.replaceAll(DEMO_DIRECTORY);
    const existing = await repository.insertUserIfMissing({
      id: 't-ada',
      name: 'Someone Else',
      email: null,
      role: 'student',
    });
    const added = await repository.insertUserIfMissing({
      id: 'new-user',
      name: 'New User',
      email: null,
      role: 'student',
    });
    assert.equal(existing.name, 'Ada Lovelace', 'answers the user the directory has');
    assert.equal(existing.role, 'teacher');
    assert.deepEqual(added, { id: 'new-user', name: 'New User', email: null, role: 'student' });
    assert.equal((await repository.findUser('t-ada'))?.name, 'Ada Lovelace');
    assert.equal((await repository.findUser('new-user'))?.name, 'New User');
  });

  it('writes a large directory in a few statements', async () => {
    const users = Array.from({ length: 5000 }, (_, index) => ({
      id: `u-${index}`,
      name: `User ${index}`,
      email: index % 2 ? `u-${index}@example.edu` : null,
      role: 'student' as const,
    }));
    const courses = Array.from({ length: 100 }, (_, index) => ({
      id: `c-${index}`,
      name: `Course ${index}`,
    }));
    const enrollments = users.flatMap((user, index) => [
      { courseId: `c-${index % 100}`, userId: user.id, role: 'student' as const },
      { courseId: `c-${(index + 1) % 100}`, userId: user.id, role: 'student' as const },
    ]);
    const change = await repository.replaceAll({ users, courses, enrollments });
    assert.deepEqual(change.result.enrollments, { added: 10_000, removed: 0, kept: 0 });
    const again = await repository.replaceAll({ users, courses, enrollments: enrollments.slice(1) });
    assert.deepEqual(again.result.enrollments, { added: 0, removed: 1, kept: 9_999 });
  });
});
