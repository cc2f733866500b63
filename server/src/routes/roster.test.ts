import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Roster } from '@teacher-hub/protocol';
import { json } from '../testing/http.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

/** A roster as `course id: person ids`, in the order the hub sends them. */
function outline(roster: Roster): string[] {
  return roster.courses.map(
    (course) => `${course.id}: ${course.students.map((person) => person.id).join(' ')}`,
  );
}

describe('GET /v1/roster', () => {
  let hub: TestApp;
  before(async () => {
    hub = await createTestApp();
  });
  after(() => hub.close());

  describe('happy', () => {
    it('shows t-ada exactly Algebra I (s-01…s-05) and Biology (s-04…s-08), students by name', async () => {
      const roster = await json<Roster>(await hub.requestAs('t-ada', '/v1/roster'));
      assert.deepEqual(outline(roster), [
        'algebra-1: s-01 s-02 s-03 s-04 s-05',
        'biology-1: s-04 s-05 s-06 s-07 s-08',
      ]);
      assert.deepEqual(roster.courses[0], {
        id: 'algebra-1',
        name: 'Algebra I',
        students: [
          { id: 's-01', name: 'Amara Okafor' },
          { id: 's-02', name: 'Ben Carter' },
          { id: 's-03', name: 'Chloé Dubois' },
          { id: 's-04', name: 'Diego Hernández' },
          { id: 's-05', name: 'Elif Yılmaz' },
        ],
      });
      assert.equal(roster.courses[1]?.name, 'Biology');
    });

    it('shows t-grace only World History', async () => {
      const roster = await json<Roster>(await hub.requestAs('t-grace', '/v1/roster'));
      assert.deepEqual(outline(roster), ['history-1: s-08 s-09 s-10 s-11 s-12']);
      assert.equal(roster.courses[0]?.name, 'World History');
    });

    it("shows s-04 both of Ada's courses, each listing t-ada", async () => {
      const roster = await json<Roster>(await hub.requestAs('s-04', '/v1/roster'));
      assert.deepEqual(outline(roster), ['algebra-1: t-ada', 'biology-1: t-ada']);
      assert.deepEqual(roster.courses[0]?.students, [{ id: 't-ada', name: 'Ada Lovelace' }]);
    });

    it('shows s-08 one course of each teacher, and s-12 only Grace', async () => {
      assert.deepEqual(outline(await json<Roster>(await hub.requestAs('s-08', '/v1/roster'))), [
        'biology-1: t-ada',
        'history-1: t-grace',
      ]);
      assert.deepEqual(outline(await json<Roster>(await hub.requestAs('s-12', '/v1/roster'))), [
        'history-1: t-grace',
      ]);
    });

    it('is empty for a user who is in no course', async () => {
      await hub.services.directory.ensureUser({ id: 't-new', name: 'New Teacher', role: 'teacher' });
      assert.deepEqual(await json<Roster>(await hub.requestAs('t-new', '/v1/roster')), { courses: [] });
    });
  });

  // The auth cases (missing, malformed, forged, expired, … tokens) are in http/auth.test.ts for every
  // authenticated route at once.
});
