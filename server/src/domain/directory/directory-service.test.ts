import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectoryEnrollment, DirectorySync } from '@teacher-hub/protocol';
import { ApiError } from '../errors.ts';
import type { DirectoryChange, DirectoryRepository, DirectoryUserRecord } from './directory-repository.ts';
import { DirectoryService } from './directory-service.ts';

/** The port in memory: just enough behaviour for the service's own logic. */
function memoryRepository(initial: DirectorySync) {
  let directory = structuredClone(initial);
  const calls: string[] = [];
  const change = (removed: DirectoryEnrollment[] = []): DirectoryChange => ({
    result: {
      users: { upserted: directory.users.length, removed: 0 },
      courses: { upserted: directory.courses.length, removed: 0 },
      enrollments: { added: 0, removed: removed.length, kept: 0 },
    },
    removedEnrollments: removed,
  });
  const repository: DirectoryRepository = {
    async findUser(id) {
      const user = directory.users.find((candidate) => candidate.id === id);
      return user && { ...user, email: user.email ?? null };
    },
    async listUsers() {
      return directory.users.map((user) => ({ ...user, email: user.email ?? null }));
    },
    async insertUserIfMissing(user: DirectoryUserRecord) {
      calls.push(`insert ${user.id}`);
      const existing = directory.users.find((candidate) => candidate.id === user.id);
      if (existing) return { ...existing, email: existing.email ?? null };
      directory.users.push(user);
      return user;
    },
    async coursesOf(userId, role, memberRole) {
      return directory.courses
        .filter((course) =>
          directory.enrollments.some(
            (e) => e.courseId === course.id && e.userId === userId && e.role === role,
          ),
        )
        .map((course) => ({
          ...course,
          members: directory.enrollments
            .filter((e) => e.courseId === course.id && e.role === memberRole && e.userId !== userId)
            .map((e) => {
              const user = directory.users.find((candidate) => candidate.id === e.userId);
              return { id: e.userId, name: user?.name ?? '' };
            }),
        }));
    },
    async replaceAll(next) {
      calls.push('replaceAll');
      const removed = directory.enrollments.filter(
        (e) => !next.enrollments.some((n) => n.courseId === e.courseId && n.userId === e.userId),
      );
      directory = structuredClone(next);
      return change(removed);
    },
    async upsertPart() {
      calls.push('upsertPart');
      return change();
    },
  };
  return { repository, calls };
}

const directory: DirectorySync = {
  users: [
    { id: 't-1', name: 'Zoe Teacher', role: 'teacher' },
    { id: 's-b', name: 'bea', role: 'student' },
    { id: 's-a', name: 'Ángel', role: 'student' },
    { id: 's-c', name: 'Carl 10', role: 'student' },
    { id: 's-d', name: 'Carl 9', role: 'student' },
  ],
  courses: [
    { id: 'c-2', name: 'Zoology' },
    { id: 'c-1', name: 'art' },
  ],
  enrollments: [
    { courseId: 'c-2', userId: 't-1', role: 'teacher' },
    { courseId: 'c-1', userId: 't-1', role: 'teacher' },
    { courseId: 'c-2', userId: 's-b', role: 'student' },
    { courseId: 'c-2', userId: 's-a', role: 'student' },
    { courseId: 'c-2', userId: 's-c', role: 'student' },
    { courseId: 'c-2', userId: 's-d', role: 'student' },
  ],
};

describe('DirectoryService', () => {
  it('sorts the roster by name the way people read names (accents, case, numbers)', async () => {
    const service = new DirectoryService(memoryRepository(directory));
    const roster = await service.roster({ id: 't-1', name: 'Zoe Teacher', role: 'teacher' });
    assert.deepEqual(
      roster.courses.map((course) => [course.name, course.students.map((student) => student.name)]),
      [
        ['art', []],
        ['Zoology', ['Ángel', 'bea', 'Carl 9', 'Carl 10']],
      ],
    );
  });

  it("gives a student their courses' teachers", async () => {
    const service = new DirectoryService(memoryRepository(directory));
    const roster = await service.roster({ id: 's-a', name: 'Ángel', role: 'student' });
    assert.deepEqual(roster, {
      courses: [{ id: 'c-2', name: 'Zoology', students: [{ id: 't-1', name: 'Zoe Teacher' }] }],
    });
  });

  it('adds a token user once, then trusts its cache until the directory changes', async () => {
    const { repository, calls } = memoryRepository(directory);
    const service = new DirectoryService({ repository });
    const newcomer = { id: 'new', name: 'Newcomer', role: 'student' as const };
    await service.ensureUser(newcomer);
    await service.ensureUser(newcomer);
    assert.deepEqual(calls, ['insert new']);
    assert.deepEqual(await service.me(newcomer), { user: { ...newcomer, email: null } });
    await service.sync(directory);
    await service.ensureUser(newcomer);
    assert.deepEqual(calls, ['insert new', 'replaceAll', 'insert new']);
  });

  it("answers the directory's record of a token user, not the token's claims, and a changed one after a sync", async () => {
    const { repository } = memoryRepository(directory);
    const service = new DirectoryService({ repository });
    const claims = { id: 't-1', name: 'Name In The Token', role: 'teacher' as const };
    assert.equal((await service.ensureUser(claims)).name, 'Zoe Teacher');
    const renamed = structuredClone(directory);
    renamed.users = renamed.users.map((user) =>
      user.id === 't-1' ? { ...user, name: 'Zoe Renamed' } : user,
    );
    await service.sync(renamed);
    assert.equal((await service.ensureUser(claims)).name, 'Zoe Renamed');
  });

  it('refuses an inconsistent directory before writing anything', async () => {
    const { repository, calls } = memoryRepository(directory);
    const service = new DirectoryService({ repository });
    await assert.rejects(
      service.sync({ ...directory, enrollments: [{ courseId: 'c-404', userId: 't-1', role: 'teacher' }] }),
      (error) =>
        error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.details?.length === 1,
    );
    assert.deepEqual(calls, []);
  });

  it('tells rule-9 listeners which enrollments a sync removed', async () => {
    const service = new DirectoryService(memoryRepository(directory));
    const heard: DirectoryEnrollment[][] = [];
    const stop = service.onEnrollmentsRemoved(async (removed) => {
      heard.push([...removed]);
    });
    await service.sync({
      ...directory,
      enrollments: directory.enrollments.filter((e) => e.userId !== 's-b'),
    });
    assert.deepEqual(heard, [[{ courseId: 'c-2', userId: 's-b', role: 'student' }]]);
    stop();
    await service.sync({ ...directory, enrollments: [] });
    assert.equal(heard.length, 1);
  });
});
