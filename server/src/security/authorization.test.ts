/**
 * The authorization matrix (issue 8): for every route that acts on a resource, every demo user who must
 * not act on it gets a 403 or 404 with the contract's error body, and the database is exactly as it was.
 * Then the rules of DESIGN.md one by one, what each user can see, and the JWT negative cases of
 * CONTRACT.md against a production-identity hub, on every authenticated route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatList } from '../domain/chat/chat-api.ts';
import type { LiveNow, NotificationList, OccurrenceList } from '@teacher-hub/protocol';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { fixedClock } from '../domain/clock.ts';
import { json, jsonBody } from '../testing/http.ts';
import { readSse } from '../testing/sse.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';
import {
  claimsFor,
  signWithSecret,
  tamperPayload,
  tamperSignature,
  unsecuredToken,
  type TestClaims,
} from '../testing/tokens.ts';
import {
  DEMO_USERS,
  FIXTURE_NOW,
  PUBLIC_ROUTES,
  assertRefused,
  assertUnchanged,
  createFixture,
  registeredRoutes,
  snapshot,
  type Fixture,
  type RouteKey,
} from './support.ts';

/** One row of the matrix: a route on someone's resource, and who may act on it (everyone else may not). */
interface Cell {
  route: RouteKey;
  resource: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  /** Who may: the owner, and members where the route is theirs too. */
  allowed: readonly string[];
  /** What the refused get: 403 or 404 (either hides nothing the caller may know), unless said. */
  statuses?: readonly number[];
}

const ADA_GROUP = ['t-ada', 's-01', 's-02'];
const GRACE_GROUP = ['t-grace', 's-09', 's-10'];
const ADA_DIRECT = ['t-ada', 's-01'];
const ADA_INVITEES = ['t-ada', 's-01', 's-02'];
const GRACE_INVITEES = ['t-grace', 's-09', 's-10'];

function chatCells(
  resource: string,
  chatId: (f: Fixture) => string,
  owner: string,
  members: string[],
): Cell[] {
  const removable = members.find((id) => id !== owner) ?? owner;
  return [
    {
      route: 'PATCH /v1/chats/:id',
      resource,
      path: (f) => `/v1/chats/${chatId(f)}`,
      body: () => ({ name: 'Taken over' }),
      allowed: [owner],
    },
    {
      route: 'POST /v1/chats/:id/members',
      resource,
      path: (f) => `/v1/chats/${chatId(f)}/members`,
      body: () => ({ userIds: ['s-08'] }),
      allowed: [owner],
    },
    {
      route: 'DELETE /v1/chats/:id/members/:userId',
      resource,
      path: (f) => `/v1/chats/${chatId(f)}/members/${removable}`,
      allowed: [owner],
    },
    { route: 'DELETE /v1/chats/:id', resource, path: (f) => `/v1/chats/${chatId(f)}`, allowed: [owner] },
    // Only a teacher member starts a call (a call is already ringing: a member teacher would get it back).
    {
      route: 'POST /v1/chats/:id/calls',
      resource,
      path: (f) => `/v1/chats/${chatId(f)}/calls`,
      body: () => ({}),
      allowed: [owner],
    },
  ];
}

function callCells(
  resource: string,
  callId: (f: Fixture) => string,
  owner: string,
  members: string[],
): Cell[] {
  const memberAction = (action: string): Cell => ({
    route: `POST /v1/calls/:id/${action}`,
    resource,
    path: (f) => `/v1/calls/${callId(f)}/${action}`,
    allowed: members,
  });
  return [
    { route: 'GET /v1/calls/:id', resource, path: (f) => `/v1/calls/${callId(f)}`, allowed: members },
    memberAction('join'),
    // Members who are not in the call get 409 (join first); everyone else gets nothing either.
    memberAction('token'),
    memberAction('decline'),
    memberAction('leave'),
    { ...memberAction('end'), allowed: [owner] },
  ];
}

function sessionCells(
  resource: string,
  sessionId: (f: Fixture) => string,
  owner: string,
  invitees: string[],
): Cell[] {
  const ownerAction = (action: string, body?: (f: Fixture) => unknown): Cell => ({
    route: `POST /v1/sessions/:id/${action}`,
    resource,
    path: (f) => `/v1/sessions/${sessionId(f)}/${action}`,
    body,
    allowed: [owner],
  });
  return [
    {
      route: 'GET /v1/sessions/:id',
      resource,
      path: (f) => `/v1/sessions/${sessionId(f)}`,
      allowed: invitees,
    },
    {
      route: 'PATCH /v1/sessions/:id',
      resource,
      path: (f) => `/v1/sessions/${sessionId(f)}`,
      body: () => ({ scope: 'series', title: 'Taken over' }),
      allowed: [owner],
    },
    ownerAction('cancel', () => ({ scope: 'series' })),
    ownerAction('start', (f) => ({ occurrenceStart: f.occurrenceStart })),
    ownerAction('end', (f) => ({ occurrenceStart: f.occurrenceStart })),
    // Invitees would get 409 (not live); everyone else must not learn even that.
    { ...ownerAction('join', (f) => ({ occurrenceStart: f.occurrenceStart })), allowed: invitees },
    {
      route: 'GET /v1/sessions/:id/attendance',
      resource,
      path: (f) => `/v1/sessions/${sessionId(f)}/attendance?occurrenceStart=${f.occurrenceStart}`,
      allowed: [owner],
    },
  ];
}

const MATRIX: Cell[] = [
  ...chatCells('Ada’s group chat', (f) => f.adaGroup, 't-ada', ADA_GROUP),
  ...chatCells('Grace’s group chat', (f) => f.graceGroup, 't-grace', GRACE_GROUP),
  // A direct chat has no owner to rename or manage it: nobody may, its members included.
  ...chatCells('s-01’s direct chat with Ada', (f) => f.adaDirect, 't-ada', ADA_DIRECT).map((cell) =>
    cell.route === 'POST /v1/chats/:id/calls' ? cell : { ...cell, allowed: [] },
  ),
  ...callCells('Ada’s call', (f) => f.adaCall, 't-ada', ADA_GROUP),
  ...callCells('Grace’s call', (f) => f.graceCall, 't-grace', GRACE_GROUP),
  ...sessionCells('Ada’s session', (f) => f.adaSession, 't-ada', ADA_INVITEES),
  ...sessionCells('Grace’s session', (f) => f.graceSession, 't-grace', GRACE_INVITEES),
  {
    route: 'DELETE /v1/devices/:id',
    resource: 's-01’s device',
    path: (f) => `/v1/devices/${f.studentDevice}`,
    allowed: ['s-01'],
    statuses: [404],
  },
];

/**
 * Routes that act only on the caller's own data (no id of anyone else's in the request); what they show
 * is checked below ("what each user sees").
 */
const CALLER_ONLY: Record<RouteKey, string> = {
  'GET /v1/me': 'the caller',
  'GET /v1/roster': 'the caller’s courses',
  'POST /v1/chat/token': 'a GetStream token for the caller',
  'GET /v1/chats': 'the caller’s chats',
  'POST /v1/chats': 'a new chat: rule checks below',
  'POST /v1/chats/direct': 'a direct chat with the caller: rule checks below',
  'GET /v1/live': 'calls and sessions the caller is in',
  'POST /v1/sessions': 'a new session: rule checks below',
  'GET /v1/sessions': 'the caller’s own or invited sessions',
  'GET /v1/calendar/feed': 'the caller’s feed',
  'DELETE /v1/calendar/feed': 'the caller’s feed',
  'GET /v1/notifications': 'the caller’s notifications',
  'POST /v1/notifications/read': 'the caller’s notifications (another’s id changes nothing)',
  'POST /v1/notifications/test': 'a test to the caller',
  'GET /v1/notifications/stream': 'the caller’s events',
  'POST /v1/devices': 'a device of the caller',
  'GET /v1/notification-preferences': 'the caller’s preferences',
  'PUT /v1/notification-preferences': 'the caller’s preferences',
};

describe('authorization: every route × every demo user who must not act × every resource', () => {
  let hub: TestApp;
  let fixture: Fixture;
  let cells = 0;

  before(async () => {
    hub = await createTestApp({ clock: fixedClock(FIXTURE_NOW) });
    fixture = await createFixture(hub);
  });
  after(async () => {
    console.log(`authorization matrix: ${cells} cells checked (refusals, visibility, live events)`);
    await hub.close();
  });

  const call = (as: string, method: string, path: string, body?: unknown) =>
    hub.requestAs(as, path, body === undefined ? { method } : jsonBody(body, { method }));

  it('covers every route the app registers (a new route needs a row here)', () => {
    const covered = new Set<RouteKey>([
      ...MATRIX.map((cell) => cell.route),
      ...Object.keys(CALLER_ONLY),
      ...Object.keys(PUBLIC_ROUTES),
    ]);
    const registered = registeredRoutes(hub.app);
    const missing = registered.filter((route) => !covered.has(route));
    assert.deepEqual(missing, [], `routes without an authorization row: ${missing.join(', ')}`);
    const stale = [...covered].filter((route) => !registered.includes(route));
    assert.deepEqual(stale, [], `rows for routes the app no longer has: ${stale.join(', ')}`);
  });

  for (const cell of MATRIX) {
    it(`${cell.route} on ${cell.resource}: refused to everyone but ${cell.allowed.join(', ') || 'nobody'}`, async () => {
      const [method = 'GET'] = cell.route.split(' ');
      await assertUnchanged(hub, `${cell.route} on ${cell.resource}`, async () => {
        for (const user of DEMO_USERS) {
          if (cell.allowed.includes(user)) continue;
          const response = await call(user, method, cell.path(fixture), cell.body?.(fixture));
          await assertRefused(
            response,
            `${user}: ${cell.route} on ${cell.resource}`,
            cell.statuses ?? [403, 404],
          );
          cells += 1;
        }
      });
    });
  }

  describe('the rules of DESIGN.md', () => {
    const refused = async (as: string, method: string, path: string, body: unknown, code: string) => {
      await assertUnchanged(hub, `${as}: ${method} ${path}`, async () => {
        const result = await assertRefused(
          await call(as, method, path, body),
          `${as}: ${method} ${path}`,
          [403],
        );
        assert.equal(result.code, code, `${as}: ${method} ${path}`);
        cells += 1;
      });
    };

    it('rule 1: a teacher reaches no student outside her courses (403 NOT_ENROLLED)', async () => {
      for (const student of ['s-09', 's-10', 's-11', 's-12']) {
        await refused('t-ada', 'POST', '/v1/chats', { name: 'x', memberIds: [student] }, 'NOT_ENROLLED');
        await refused(
          't-ada',
          'POST',
          '/v1/chats',
          { name: 'x', memberIds: ['s-01', student] },
          'NOT_ENROLLED',
        );
        await refused(
          't-ada',
          'POST',
          `/v1/chats/${fixture.adaGroup}/members`,
          { userIds: [student] },
          'NOT_ENROLLED',
        );
        await refused('t-ada', 'POST', '/v1/chats/direct', { userId: student }, 'NOT_ENROLLED');
        await refused(
          't-ada',
          'POST',
          '/v1/sessions',
          {
            title: 'x',
            type: 'one_on_one',
            start: '2026-12-08T09:00',
            timeZone: 'Europe/Berlin',
            durationMinutes: 30,
            inviteeIds: [student],
          },
          'NOT_ENROLLED',
        );
      }
      for (const student of ['s-01', 's-02', 's-03', 's-04', 's-05', 's-06', 's-07']) {
        await refused('t-grace', 'POST', '/v1/chats/direct', { userId: student }, 'NOT_ENROLLED');
      }
    });

    it('rule 2: a student creates no group, adds or removes nobody, renames nothing, schedules nothing', async () => {
      await refused('s-01', 'POST', '/v1/chats', { name: 'Students only', memberIds: ['s-02'] }, 'FORBIDDEN');
      await refused('s-01', 'POST', '/v1/chats', { name: 'With Ada', memberIds: ['t-ada'] }, 'FORBIDDEN');
      await refused(
        's-01',
        'POST',
        '/v1/sessions',
        {
          title: 'Study',
          type: 'group',
          start: '2026-12-08T09:00',
          timeZone: 'Europe/Berlin',
          durationMinutes: 30,
          inviteeIds: ['s-02'],
        },
        'FORBIDDEN',
      );
    });

    it('rule 3: a student opens a direct chat only with a teacher of her courses, never with a student', async () => {
      for (const other of ['s-02', 's-08', 's-12']) {
        await assertUnchanged(hub, `s-01 → ${other}`, async () => {
          await assertRefused(
            await call('s-01', 'POST', '/v1/chats/direct', { userId: other }),
            `s-01 → ${other}`,
            [403],
          );
          cells += 1;
        });
      }
      await assertUnchanged(hub, 's-01 → t-grace', async () => {
        await assertRefused(
          await call('s-01', 'POST', '/v1/chats/direct', { userId: 't-grace' }),
          's-01 → t-grace',
          [403],
        );
        cells += 1;
      });
    });

    it('rule 5: a student ends no call and starts or ends no session, not even as a member or invitee', async () => {
      await refused('s-01', 'POST', `/v1/calls/${fixture.adaCall}/end`, undefined, 'FORBIDDEN');
      await refused('s-01', 'POST', `/v1/chats/${fixture.adaDirect}/calls`, {}, 'FORBIDDEN');
      for (const action of ['start', 'end']) {
        await refused(
          's-01',
          'POST',
          `/v1/sessions/${fixture.adaSession}/${action}`,
          { occurrenceStart: fixture.occurrenceStart },
          'FORBIDDEN',
        );
      }
    });

    it('a token whose role claims teacher gives a student of the directory no teacher powers over students', async () => {
      // Signed by the dev issuer, as a host LMS would sign a wrong role: the directory's enrollments decide.
      const issuer = hub.services.tokens.devIssuer;
      assert.ok(issuer);
      const { token } = await issuer.issue({ id: 's-01', name: 'Student One', role: 'teacher' });
      await assertUnchanged(hub, 'a student with a teacher token', async () => {
        const response = await hub.app.request(
          '/v1/chats',
          jsonBody(
            { name: 'Mine', memberIds: ['s-02'] },
            { method: 'POST', headers: { Authorization: `Bearer ${token}` } },
          ),
        );
        await assertRefused(response, 'a student with a teacher token', [403]);
        cells += 1;
      });
    });
  });

  describe('what each user sees', () => {
    it('GET /v1/chats lists only the chats the caller is a member of', async () => {
      const members: Record<string, string[]> = {
        [fixture.adaGroup]: ADA_GROUP,
        [fixture.graceGroup]: GRACE_GROUP,
        [fixture.adaDirect]: ADA_DIRECT,
      };
      for (const user of DEMO_USERS) {
        const { chats } = await json<ChatList>(await hub.requestAs(user, '/v1/chats'));
        for (const chat of chats) {
          assert.ok(chat.memberIds.includes(user), `${user} sees ${chat.id} without being in it`);
          const expected = members[chat.id];
          if (expected) assert.ok(expected.includes(user), `${user} sees ${chat.id}`);
        }
        for (const [id, ids] of Object.entries(members)) {
          assert.equal(
            chats.some((chat) => chat.id === id),
            ids.includes(user),
            `${user} and ${id}`,
          );
        }
        cells += 1;
      }
    });

    it('GET /v1/sessions and GET /v1/live list only the caller’s own or invited sessions and calls', async () => {
      for (const user of DEMO_USERS) {
        const { occurrences } = await json<OccurrenceList>(
          await hub.requestAs(user, '/v1/sessions?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z'),
        );
        for (const occurrence of occurrences) {
          assert.ok(
            occurrence.ownerId === user || occurrence.inviteeIds.includes(user),
            `${user} sees session ${occurrence.sessionId}`,
          );
        }
        assert.equal(
          occurrences.some((o) => o.sessionId === fixture.adaSession),
          ADA_INVITEES.includes(user),
        );
        assert.equal(
          occurrences.some((o) => o.sessionId === fixture.graceSession),
          GRACE_INVITEES.includes(user),
        );
        const live = await json<LiveNow>(await hub.requestAs(user, '/v1/live'));
        for (const liveCall of live.calls) {
          assert.ok(
            liveCall.members.some((member) => member.userId === user),
            `${user} sees call ${liveCall.id}`,
          );
        }
        assert.equal(
          live.calls.some((c) => c.id === fixture.adaCall),
          ADA_GROUP.includes(user),
          `${user}: Ada’s call`,
        );
        assert.equal(
          live.calls.some((c) => c.id === fixture.graceCall),
          GRACE_GROUP.includes(user),
          `${user}: Grace’s call`,
        );
        cells += 2;
      }
    });

    it('nobody else sees, or marks read, s-01’s notification', async () => {
      await assertUnchanged(hub, 'marking another’s notification read', async () => {
        for (const user of DEMO_USERS) {
          if (user === 's-01') continue;
          const list = await json<NotificationList>(await hub.requestAs(user, '/v1/notifications?limit=100'));
          assert.ok(!list.notifications.some((n) => n.id === fixture.studentNotification), `${user} sees it`);
          const response = await call(user, 'POST', '/v1/notifications/read', {
            ids: [fixture.studentNotification],
          });
          if (response.status >= 400) await assertRefused(response, `${user} marks it read`, [403, 404]);
          else assert.deepEqual((await response.json()).read, [], `${user} marked s-01’s notification read`);
          cells += 2;
        }
      });
      const own = await json<NotificationList>(await hub.requestAs('s-01', '/v1/notifications?limit=100'));
      assert.equal(own.notifications.find((n) => n.id === fixture.studentNotification)?.readAt, null);
    });

    it('s-01’s calendar feed stays s-01’s: others revoking theirs leaves it working, and it lists only her sessions', async () => {
      for (const user of DEMO_USERS) {
        if (user === 's-01') continue;
        const response = await call(user, 'DELETE', '/v1/calendar/feed');
        await response.body?.cancel();
        assert.ok(response.status < 500);
      }
      const feed = await hub.app.request(fixture.studentFeedPath);
      assert.equal(feed.status, 200);
      const text = await feed.text();
      assert.match(text, /Algebra review/);
      assert.doesNotMatch(text, /History review/);
      cells += DEMO_USERS.length - 1;
    });
  });

  it('live events (GET /v1/notifications/stream) reach only the users they are for', async () => {
    const streams = new Map<string, ReturnType<typeof readSse>>();
    for (const user of DEMO_USERS) {
      const stream = readSse(await hub.requestAs(user, '/v1/notifications/stream'));
      await stream.next('ready');
      streams.set(user, stream);
    }
    try {
      const created = await call('t-ada', 'POST', '/v1/chats', {
        name: 'Live check',
        memberIds: ['s-03', 's-04'],
      });
      assert.equal(created.status, 201, await created.text());
      const test = await call('s-06', 'POST', '/v1/notifications/test');
      assert.equal(test.status, 202, await test.text());
      for (const user of ['s-03', 's-04', 's-06']) await streams.get(user)!.next('notification');
      // Give anything misrouted the time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const [user, stream] of streams) {
        const notifications = stream.events.filter((event) => event.event === 'notification');
        const expected = ['s-03', 's-04', 's-06'].includes(user) ? 1 : 0;
        assert.equal(notifications.length, expected, `${user} got ${JSON.stringify(notifications)}`);
        cells += 1;
      }
    } finally {
      for (const stream of streams.values()) await stream.close();
    }
  });

  it('refuses a user token on the admin route (401), and nothing changes', async () => {
    await assertUnchanged(hub, 'a user token on the admin route', async () => {
      for (const user of DEMO_USERS) {
        const response = await call(user, 'PUT', '/v1/admin/directory', DEMO_DIRECTORY);
        await assertRefused(response, `${user} on the admin route`, [401]);
        cells += 1;
      }
    });
  });
});

describe('JWT negative cases of CONTRACT.md, on every authenticated route of a production hub', () => {
  let hub: TestApp;
  let fixture: Fixture;
  const secret = PRODUCTION_ENV.HUB_JWT_SECRET;
  const valid = (): TestClaims =>
    claimsFor(
      { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' },
      { issuer: PRODUCTION_ENV.HUB_JWT_ISSUER, audience: PRODUCTION_ENV.HUB_JWT_AUDIENCE, now: FIXTURE_NOW },
    );
  const seconds = Math.floor(FIXTURE_NOW.getTime() / 1000);

  before(async () => {
    hub = await createTestApp({ env: PRODUCTION_ENV, clock: fixedClock(FIXTURE_NOW) });
    await hub.services.directory.sync(DEMO_DIRECTORY);
    fixture = await createFixture(hub);
  });
  after(() => hub.close());

  /** Each case is a header set; the ones the HTTP suites already cover are here too, on every route. */
  const cases: Array<[string, () => Promise<Record<string, string>>]> = [
    ['alg: none', async () => bearer(unsecuredToken(valid()))],
    [
      'alg: "None" with a signature part',
      async () => bearer(`${unsecuredToken(valid()).slice(0, -1).replace(/\.$/, '')}.c2ln`),
    ],
    [
      'HS512 (the algorithm is pinned to HS256)',
      async () => bearer(await signWithSecret(secret, valid(), { alg: 'HS512' })),
    ],
    ['HS384', async () => bearer(await signWithSecret(secret, valid(), { alg: 'HS384' }))],
    [
      'a wrong iss',
      async () => bearer(await signWithSecret(secret, { ...valid(), iss: 'https://evil.example' })),
    ],
    ['a wrong aud', async () => bearer(await signWithSecret(secret, { ...valid(), aud: 'another-app' }))],
    [
      'an aud list without the hub',
      async () => bearer(await signWithSecret(secret, { ...valid(), aud: ['a', 'b'] })),
    ],
    [
      'an expired token',
      async () => bearer(await signWithSecret(secret, { ...valid(), exp: seconds - 120 })),
    ],
    [
      'nbf in the future',
      async () => bearer(await signWithSecret(secret, { ...valid(), nbf: seconds + 600 })),
    ],
    ['no exp', async () => bearer(await signWithSecret(secret, { ...valid(), exp: undefined }))],
    ['no sub', async () => bearer(await signWithSecret(secret, { ...valid(), sub: undefined }))],
    ['no name', async () => bearer(await signWithSecret(secret, { ...valid(), name: undefined }))],
    ['no role', async () => bearer(await signWithSecret(secret, { ...valid(), role: undefined }))],
    ['role "admin"', async () => bearer(await signWithSecret(secret, { ...valid(), role: 'admin' }))],
    ['role "Teacher"', async () => bearer(await signWithSecret(secret, { ...valid(), role: 'Teacher' }))],
    [
      'a sub with path characters',
      async () => bearer(await signWithSecret(secret, { ...valid(), sub: '../t-grace' })),
    ],
    ['a tampered signature', async () => bearer(tamperSignature(await signWithSecret(secret, valid())))],
    [
      'a tampered payload (sub t-grace)',
      async () => bearer(tamperPayload(await signWithSecret(secret, valid()), { sub: 't-grace' })),
    ],
    [
      'a tampered payload (role teacher for s-01)',
      async () => {
        const student = { ...valid(), sub: 's-01', name: 'Student One', role: 'student' };
        return bearer(tamperPayload(await signWithSecret(secret, student), { role: 'teacher' }));
      },
    ],
    ['another secret', async () => bearer(await signWithSecret(`${secret}-but-not-this-one`, valid()))],
    ['the admin key as a token', async () => bearer(PRODUCTION_ENV.HUB_ADMIN_KEY)],
    ['no Authorization header', async () => ({})],
    ['a Basic header', async () => ({ Authorization: 'Basic dC1hZGE6cGFzc3dvcmQ=' })],
    [
      'two Bearer tokens',
      async () => ({ Authorization: `Bearer a.b.c, Bearer ${await signWithSecret(secret, valid())}` }),
    ],
  ];
  function bearer(token: string) {
    return { Authorization: `Bearer ${token}` };
  }

  it('answers 401 UNAUTHENTICATED on every authenticated route, and nothing changes', async () => {
    const routes = registeredRoutes(hub.app).filter((route) => !(route in PUBLIC_ROUTES));
    const path = (pattern: string) =>
      pattern
        .replace('/v1/chats/:id/members/:userId', `/v1/chats/${fixture.adaGroup}/members/s-01`)
        .replace('/v1/chats/:id', `/v1/chats/${fixture.adaGroup}`)
        .replace('/v1/calls/:id', `/v1/calls/${fixture.adaCall}`)
        .replace('/v1/sessions/:id', `/v1/sessions/${fixture.adaSession}`)
        .replace('/v1/devices/:id', `/v1/devices/${fixture.studentDevice}`);
    let checked = 0;
    const before = await snapshot(hub);
    for (const [name, headers] of cases) {
      for (const route of routes) {
        const [method = 'GET', pattern = ''] = route.split(' ');
        const init =
          method === 'GET' || method === 'DELETE'
            ? { method, headers: await headers() }
            : jsonBody({}, { method, headers: await headers() });
        const response = await hub.app.request(path(pattern), init);
        const result = await assertRefused(response, `${name}: ${route}`, [401]);
        assert.equal(result.code, 'UNAUTHENTICATED');
        checked += 1;
      }
    }
    assert.deepEqual(await snapshot(hub), before, 'a refused token changed the database');
    console.log(`JWT negative cases: ${cases.length} cases × ${routes.length} routes = ${checked} refusals`);
  });
});
