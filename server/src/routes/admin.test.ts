import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DirectorySync, DirectorySyncResult, Roster } from '@teacher-hub/protocol';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { assertError, json, jsonBody } from '../testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';

const ADMIN = { Authorization: `Bearer ${PRODUCTION_ENV.HUB_ADMIN_KEY}` };

/** Everything the directory holds, to compare before and after a refused call. */
async function snapshot(hub: TestApp) {
  const db = hub.services.database.db;
  return {
    users: await db.selectFrom('users').select(['id', 'name', 'email', 'role']).orderBy('id').execute(),
    courses: await db.selectFrom('courses').select(['id', 'name']).orderBy('id').execute(),
    enrollments: await db
      .selectFrom('enrollments')
      .select(['course_id', 'user_id', 'role'])
      .orderBy('course_id')
      .orderBy('user_id')
      .execute(),
  };
}

describe('PUT /v1/admin/directory', () => {
  let hub: TestApp;
  const put = (body: unknown, headers: Record<string, string> = ADMIN) =>
    hub.app.request('/v1/admin/directory', { method: 'PUT', ...jsonBody(body, { headers }) });

  before(async () => {
    hub = await createTestApp({ env: { ...PRODUCTION_ENV, HUB_ADMIN_MAX_BODY_BYTES: '65536' } });
  });
  after(() => hub.close());
  beforeEach(async () => {
    await json(await put(DEMO_DIRECTORY));
  });

  describe('happy', () => {
    it('upserts the whole directory and answers with counts', async () => {
      const result = await json<DirectorySyncResult>(await put(DEMO_DIRECTORY));
      assert.deepEqual(result, {
        users: { upserted: 14, removed: 0 },
        courses: { upserted: 3, removed: 0 },
        enrollments: { added: 0, removed: 0, kept: 18 },
      });
      const roster = await json<Roster>(await hub.requestAs('t-ada', '/v1/roster'));
      assert.deepEqual(
        roster.courses.map((course) => course.id),
        ['algebra-1', 'biology-1'],
      );
    });

    it('renames users and courses, and removes a course with its enrollments', async () => {
      const next: DirectorySync = {
        users: DEMO_DIRECTORY.users.map((user) =>
          user.id === 't-ada' ? { ...user, name: 'Ada King' } : user,
        ),
        courses: DEMO_DIRECTORY.courses
          .filter((course) => course.id !== 'biology-1')
          .map((course) => (course.id === 'algebra-1' ? { ...course, name: 'Algebra I (Honors)' } : course)),
        enrollments: DEMO_DIRECTORY.enrollments.filter((enrollment) => enrollment.courseId !== 'biology-1'),
      };
      const result = await json<DirectorySyncResult>(await put(next));
      assert.deepEqual(result, {
        users: { upserted: 14, removed: 0 },
        courses: { upserted: 2, removed: 1 },
        enrollments: { added: 0, removed: 6, kept: 12 },
      });
      const after = await snapshot(hub);
      assert.equal(after.users.find((user) => user.id === 't-ada')?.name, 'Ada King');
      assert.deepEqual(
        after.courses.map((course) => `${course.id}=${course.name}`),
        ['algebra-1=Algebra I (Honors)', 'history-1=World History'],
      );
      assert.equal(after.enrollments.filter((enrollment) => enrollment.course_id === 'biology-1').length, 0);
      const roster = await json<Roster>(await hub.requestAs('s-07', '/v1/roster'));
      assert.deepEqual(roster, { courses: [] }, 's-07 was only in Biology');
    });

    it('removes users the LMS no longer has, with their enrollments', async () => {
      const next: DirectorySync = {
        users: DEMO_DIRECTORY.users.filter((user) => user.id !== 's-05'),
        courses: DEMO_DIRECTORY.courses,
        enrollments: DEMO_DIRECTORY.enrollments.filter((enrollment) => enrollment.userId !== 's-05'),
      };
      const result = await json<DirectorySyncResult>(await put(next));
      assert.deepEqual(result.users, { upserted: 13, removed: 1 });
      assert.deepEqual(result.enrollments, { added: 0, removed: 2, kept: 16 });
      const roster = await json<Roster>(await hub.requestAs('t-ada', '/v1/roster'));
      assert.ok(roster.courses.every((course) => course.students.every((student) => student.id !== 's-05')));
    });

    it('hands the removed enrollments to rule-9 listeners', async () => {
      const heard: string[] = [];
      const stop = hub.services.directory.onEnrollmentsRemoved(async (removed) => {
        heard.push(...removed.map((enrollment) => `${enrollment.courseId}/${enrollment.userId}`));
      });
      try {
        await json(
          await put({
            ...DEMO_DIRECTORY,
            enrollments: DEMO_DIRECTORY.enrollments.filter(
              (enrollment) => !(enrollment.courseId === 'algebra-1' && enrollment.userId === 's-02'),
            ),
          }),
        );
      } finally {
        stop();
      }
      assert.deepEqual(heard, ['algebra-1/s-02']);
    });
  });

  describe('error', () => {
    it('refuses an enrollment to an unknown course or user with 400 and details, and changes nothing', async () => {
      const before = await snapshot(hub);
      const dangling: DirectorySync = {
        users: DEMO_DIRECTORY.users.map((user) => ({ ...user, name: `${user.name} (renamed)` })),
        courses: DEMO_DIRECTORY.courses.filter((course) => course.id !== 'history-1'),
        enrollments: [
          ...DEMO_DIRECTORY.enrollments,
          { courseId: 'algebra-1', userId: 's-99', role: 'student' },
        ],
      };
      const body = await assertError(await put(dangling), 400, 'VALIDATION_FAILED');
      const paths = body.error.details?.map((detail) => detail.path) ?? [];
      assert.ok(
        paths.includes('enrollments.13.courseId'),
        `details name the history-1 enrollments: ${paths}`,
      );
      assert.ok(paths.includes('enrollments.18.userId'), `details name s-99: ${paths}`);
      assert.match(JSON.stringify(body.error.details), /unknown user \\"s-99\\"/);
      assert.deepEqual(await snapshot(hub), before);
    });

    it('refuses a body that does not match the schema, naming the fields', async () => {
      const body = await assertError(
        await put({ users: [{ id: 'x', name: '', role: 'admin' }], courses: [], enrollments: [], extra: 1 }),
        400,
        'VALIDATION_FAILED',
      );
      const paths = body.error.details?.map((detail) => detail.path).sort();
      assert.deepEqual(paths, ['', 'users.0.name', 'users.0.role']);
    });

    it('answers 400 for malformed JSON', async () => {
      await assertError(await put('{"users": [}'), 400, 'VALIDATION_FAILED');
    });

    it('answers 413 for a body over HUB_ADMIN_MAX_BODY_BYTES, and changes nothing', async () => {
      const before = await snapshot(hub);
      const huge = {
        ...DEMO_DIRECTORY,
        users: Array.from({ length: 2000 }, (_, index) => ({
          id: `u-${index}`,
          name: 'x'.repeat(30),
          role: 'student',
        })),
      };
      await assertError(await put(huge), 413, 'PAYLOAD_TOO_LARGE');
      assert.deepEqual(await snapshot(hub), before);
    });
  });

  describe('security', () => {
    it('refuses a missing, malformed or wrong admin key with 401', async () => {
      const attempts: Array<Record<string, string>> = [
        {},
        { Authorization: PRODUCTION_ENV.HUB_ADMIN_KEY },
        { Authorization: `Basic ${Buffer.from(`admin:${PRODUCTION_ENV.HUB_ADMIN_KEY}`).toString('base64')}` },
        { Authorization: `Bearer ${PRODUCTION_ENV.HUB_ADMIN_KEY}x` },
        { Authorization: `Bearer ${PRODUCTION_ENV.HUB_ADMIN_KEY.slice(0, -1)}` },
        { Authorization: 'Bearer dev-admin-key' },
      ];
      for (const headers of attempts) {
        await assertError(await put(DEMO_DIRECTORY, headers), 401, 'UNAUTHENTICATED');
      }
    });

    it("refuses a user's hub token, even a teacher's", async () => {
      const token = await hub.tokenFor('t-ada');
      await assertError(
        await put(DEMO_DIRECTORY, { Authorization: `Bearer ${token}` }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('checks the key before reading a large body', async () => {
      const huge = 'x'.repeat(200_000);
      await assertError(await put(huge, {}), 401, 'UNAUTHENTICATED');
    });
  });
});
