/**
 * Hostile input (issue 8): property-based tests over every route's body, params and query. Whatever
 * arrives — arbitrary JSON, malformed JSON, wrong types, huge or deeply nested bodies, unicode edge
 * cases, ids with path characters, repeated or garbage query parameters — the answer is a 4xx with the
 * contract's error body, never a 5xx, and the database is exactly as it was.
 *
 * Runs are reproducible: the seed is printed, and `FC_SEED=<seed>` (and `FC_RUNS=<n>`) replays them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  cancelSessionSchema,
  createSessionSchema,
  deviceRegistrationSchema,
  devTokenRequestSchema,
  directorySyncSchema,
  markReadSchema,
  occurrenceActionSchema,
  preferencesUpdateSchema,
  updateSessionSchema,
} from '@teacher-hub/protocol';
import fc from 'fast-check';
import { z } from 'zod';
import { DEMO_DIRECTORY } from '../adapters/directory/demo-directory.ts';
import { fixedClock } from '../domain/clock.ts';
import {
  addChatMembersSchema,
  chatMemberParamsSchema,
  chatParamsSchema,
  createGroupChatSchema,
  openDirectChatSchema,
  renameChatSchema,
} from '../domain/chat/chat-api.ts';
import { devStreamCredentials, streamWebhook } from '../testing/chat.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import {
  FIXTURE_NOW,
  PUBLIC_ROUTES,
  assertRefused,
  assertUnchanged,
  createFixture,
  registeredRoutes,
  type Fixture,
  type RouteKey,
} from './support.ts';

const SEED = Number(process.env.FC_SEED ?? 20261126);
const RUNS = Number(process.env.FC_RUNS ?? 12);
const options = { seed: SEED, numRuns: RUNS, includeErrorInReport: true };
console.log(
  `hostile input: fast-check seed ${SEED}, ${RUNS} runs per property (FC_SEED / FC_RUNS to change)`,
);

const uuid = z.uuid();
const isoInstant = z.iso.datetime({ offset: true });

/** How one route takes input, and the valid input a fuzzed one is derived from. */
interface Target {
  route: RouteKey;
  /** Who calls: the owner where there is one, so that validation (not authorization) is what answers. */
  as?: string;
  /** `admin` sends the admin key; `none` nothing (public routes). */
  auth?: 'user' | 'admin' | 'none';
  /** Valid values of the path's params, and the schema a fuzzed value must fail. */
  params?: Record<string, { valid: (f: Fixture) => string; schema: z.ZodType }>;
  body?: {
    schema: z.ZodType;
    valid: (f: Fixture) => Record<string, unknown>;
    /** An empty body is a valid request (start / join / end): the malformed-JSON cases leave it out. */
    optional?: boolean;
  };
  query?: { schema: z.ZodType; valid: (f: Fixture) => Record<string, string> };
}

const chatId = { valid: (f: Fixture) => f.adaGroup, schema: chatParamsSchema.shape.id };
const callId = { valid: (f: Fixture) => f.adaCall, schema: uuid };
const sessionId = { valid: (f: Fixture) => f.adaSession, schema: uuid };
const listQuery = z.object({ from: isoInstant.optional(), to: isoInstant.optional() }).strict();

const TARGETS: Target[] = [
  {
    route: 'POST /v1/dev/token',
    auth: 'none',
    body: { schema: devTokenRequestSchema, valid: () => ({ userId: 's-01' }) },
  },
  {
    route: 'PUT /v1/admin/directory',
    auth: 'admin',
    body: { schema: directorySyncSchema, valid: () => ({ ...DEMO_DIRECTORY }) },
  },
  {
    route: 'POST /v1/chats',
    as: 't-ada',
    body: { schema: createGroupChatSchema, valid: () => ({ name: 'Study group', memberIds: ['s-03'] }) },
  },
  {
    route: 'POST /v1/chats/direct',
    as: 's-03',
    body: { schema: openDirectChatSchema, valid: () => ({ userId: 't-ada' }) },
  },
  {
    route: 'PATCH /v1/chats/:id',
    as: 't-ada',
    params: { id: chatId },
    body: { schema: renameChatSchema, valid: () => ({ name: 'Renamed' }) },
  },
  {
    route: 'POST /v1/chats/:id/members',
    as: 't-ada',
    params: { id: chatId },
    body: { schema: addChatMembersSchema, valid: () => ({ userIds: ['s-03'] }) },
  },
  {
    route: 'DELETE /v1/chats/:id/members/:userId',
    as: 't-ada',
    params: { id: chatId, userId: { valid: () => 's-02', schema: chatMemberParamsSchema.shape.userId } },
  },
  { route: 'DELETE /v1/chats/:id', as: 't-ada', params: { id: chatId } },
  { route: 'POST /v1/chats/:id/calls', as: 't-ada', params: { id: chatId } },
  { route: 'GET /v1/calls/:id', as: 't-ada', params: { id: callId } },
  { route: 'POST /v1/calls/:id/join', as: 's-01', params: { id: callId } },
  { route: 'POST /v1/calls/:id/token', as: 's-01', params: { id: callId } },
  { route: 'POST /v1/calls/:id/decline', as: 's-01', params: { id: callId } },
  { route: 'POST /v1/calls/:id/leave', as: 's-01', params: { id: callId } },
  { route: 'POST /v1/calls/:id/end', as: 't-ada', params: { id: callId } },
  {
    route: 'POST /v1/sessions',
    as: 't-ada',
    body: {
      schema: createSessionSchema,
      valid: () => ({
        title: 'Review',
        type: 'group',
        start: '2026-12-08T09:00',
        timeZone: 'Europe/Berlin',
        durationMinutes: 45,
        inviteeIds: ['s-03'],
        description: 'Bring questions',
        recurrence: { freq: 'weekly', byWeekday: ['TU'], until: '2027-01-31' },
      }),
    },
  },
  {
    route: 'GET /v1/sessions',
    as: 't-ada',
    query: { schema: listQuery, valid: () => ({ from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' }) },
  },
  { route: 'GET /v1/sessions/:id', as: 't-ada', params: { id: sessionId } },
  {
    route: 'PATCH /v1/sessions/:id',
    as: 't-ada',
    params: { id: sessionId },
    body: {
      schema: updateSessionSchema,
      valid: () => ({ scope: 'series', title: 'Renamed', description: 'New notes' }),
    },
  },
  {
    route: 'POST /v1/sessions/:id/cancel',
    as: 't-ada',
    params: { id: sessionId },
    body: { schema: cancelSessionSchema, valid: () => ({ scope: 'series' }) },
  },
  ...(['start', 'join', 'end'] as const).map((action): Target => ({
    route: `POST /v1/sessions/:id/${action}`,
    as: action === 'join' ? 's-01' : 't-ada',
    params: { id: sessionId },
    body: {
      schema: occurrenceActionSchema,
      valid: (f) => ({ occurrenceStart: f.occurrenceStart }),
      optional: true,
    },
  })),
  {
    route: 'GET /v1/sessions/:id/attendance',
    as: 't-ada',
    params: { id: sessionId },
    query: {
      schema: z.object({ occurrenceStart: isoInstant }).strict(),
      valid: (f) => ({ occurrenceStart: f.occurrenceStart }),
    },
  },
  {
    route: 'GET /calendar/:file',
    auth: 'none',
    params: {
      file: {
        valid: (f) => f.studentFeedPath.slice('/calendar/'.length),
        schema: z.string().regex(/^[A-Za-z0-9_-]{16,64}\.ics$/),
      },
    },
  },
  {
    route: 'GET /v1/notifications',
    as: 's-01',
    query: {
      schema: z
        .object({ limit: z.string().regex(/^\d+$/).optional(), before: isoInstant.optional() })
        .strict(),
      valid: () => ({ limit: '10' }),
    },
  },
  {
    route: 'POST /v1/notifications/read',
    as: 's-01',
    body: { schema: markReadSchema, valid: (f) => ({ ids: [f.studentNotification] }) },
  },
  {
    route: 'PUT /v1/notification-preferences',
    as: 's-01',
    body: {
      schema: preferencesUpdateSchema,
      valid: () => ({ preferences: { 'chat.message': { fcm: false } } }),
    },
  },
  {
    route: 'POST /v1/devices',
    as: 's-01',
    body: {
      schema: deviceRegistrationSchema,
      valid: () => ({ platform: 'ios', token: 'apns-token-0123456789abcdef' }),
    },
  },
  {
    route: 'POST /v1/devices',
    as: 's-01',
    body: {
      schema: deviceRegistrationSchema,
      valid: () => ({
        platform: 'web',
        subscription: {
          endpoint: 'https://push.example.net/send/abc',
          keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) },
        },
      }),
    },
  },
  {
    route: 'DELETE /v1/devices/:id',
    as: 's-01',
    params: { id: { valid: (f) => f.studentDevice, schema: uuid } },
  },
];

/**
 * Routes that take no body, params or query: fuzzing them has nothing to aim at. The read-only ones are
 * still called with garbage query strings (ignored: the same answer, nothing changed).
 */
const NO_INPUT: Record<RouteKey, 'read-only' | string> = {
  'GET /health': 'read-only',
  'GET /v1/me': 'read-only',
  'GET /v1/roster': 'read-only',
  'GET /v1/chats': 'read-only',
  'GET /v1/live': 'read-only',
  'GET /v1/notification-preferences': 'read-only',
  'GET /v1/push/vapid-public-key': 'read-only',
  'GET /v1/dev/users': 'read-only',
  'GET /v1/calendar/feed': 'read-only',
  'POST /v1/chat/token': 'mints a GetStream token for the caller',
  'DELETE /v1/calendar/feed': 'revokes the caller’s feed',
  'POST /v1/notifications/test': 'sends the caller a test notification',
};

/** Routes fuzzed by their own tests below. */
const OWN_TESTS: RouteKey[] = [
  'POST /v1/webhooks/stream',
  'POST /v1/webhooks/100ms',
  'GET /v1/notifications/stream',
];

/** Static files and dev pages: no JSON API (their errors are tested in app.test.ts). */
const STATIC: RouteKey[] = [
  'GET /dev/mailbox',
  'GET /dev/mailbox.json',
  'GET /vendor/:file',
  'HEAD /vendor/:file',
  'GET /sdk/*',
  'HEAD /sdk/*',
  'GET /*',
  'HEAD /*',
];

// --- generators ---------------------------------------------------------------------------------------

/** Strings that break naive code: lone surrogates, RTL and zero-width marks, NUL, emoji, path tricks. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202eevil\u202c',
  '\u200b',
  '\ufeff',
  '\u2028\u2029',
  '👩‍🏫👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'ﷺ',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%E0%A4%A',
  '?',
  '#',
  '/',
  '\\',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9'.repeat(400),
  'a'.repeat(129),
  'a'.repeat(5000),
  's-01\n',
  ' s-01',
  'S-01',
  's-01/../t-ada',
  'ｓ-01',
];

/** What PostgreSQL text (NUL) and JSON columns (unpaired surrogates) cannot store. */
const STORAGE_BREAKERS = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy'];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.constantFrom('../', '%2F', '%00', '/', '.', '%', 'ä', '\u0000', '\ud800', '?', '#'), {
      minLength: 1,
      maxLength: 12,
    })
    .map((parts) => parts.join('')),
);

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** JSON text that does not parse (and is not empty, which some routes take as "no body"). */
const malformedJson = fc
  .oneof(
    fc.constantFrom(
      '{',
      '}',
      '{"name": "x"',
      "{'name': 'x'}",
      '{"name": "x",}',
      '[1, 2',
      '{"a": undefined}',
      '{"a": NaN}',
      '{"a": 0x10}',
      '\u0000',
      'nul',
      '"unterminated',
      '{"a":"\\ud800"',
      '{"a": 1}{"b": 2}',
      '{"a": 1} trailing',
    ),
    fc.string({ maxLength: 60 }),
  )
  .filter((text) => {
    if (text.trim() === '') return false;
    try {
      // A leading BOM is stripped when the body is decoded (UTF-8), so `\ufeff{}` is `{}`.
      JSON.parse(text.replace(/^\ufeff/, ''));
      return false;
    } catch {
      return true;
    }
  });

/** `{"a":{"a":…}}` and `[[[…]]]` at 10,000 levels, as text (a recursive stringify would blow the stack). */
const DEEP = 10_000;
const deeplyNested = [
  `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`,
  `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
  `${'['.repeat(DEEP * 10)}`,
];

/** `encodeURIComponent` throws on lone surrogates; a URL carries them as U+FFFD anyway. */
function encode(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

type Path = Array<string | number>;

/** The paths of every string in a JSON value (object keys and array indexes). */
function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  }
  return [];
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const object = value as Record<string, unknown>;
  return { ...object, [head]: replaceAt(object[head], rest, replacement) };
}

/** The paths of every object key in a JSON value below the top level (record keys such as kinds). */
function keyPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => keyPaths(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(path.length > 0 ? [[...path, key]] : []),
      ...keyPaths(item, [...path, key]),
    ]);
  }
  return [];
}

function renameKeyAt(value: unknown, path: Path, newKey: string): unknown {
  const parentPath = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  let parent: unknown = value;
  for (const step of parentPath) parent = (parent as Record<string, unknown>)[step as string];
  const { [key]: moved, ...rest } = parent as Record<string, unknown>;
  return replaceAt(value, parentPath, { ...rest, [newKey]: moved });
}

/** The valid body with one of its strings or record keys (at any depth) replaced by a hostile one. */
function hostileStrings(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const values = stringPaths(valid).map((path) => ({ path, key: false }));
  const keys = keyPaths(valid).map((path) => ({ path, key: true }));
  return fc
    .tuple(fc.constantFrom(...values, ...keys), nastyString)
    .map(([{ path, key }, text]) => (key ? renameKeyAt(valid, path, text) : replaceAt(valid, path, text)));
}

function failsSchema(schema: z.ZodType) {
  return (value: unknown) => !schema.safeParse(value).success;
}

// --- the suite ----------------------------------------------------------------------------------------

describe('hostile input on every route: always a 4xx with the contract error, nothing changed', () => {
  let hub: TestApp;
  let fixture: Fixture;
  let streamSecret: string;

  before(async () => {
    hub = await createTestApp({ clock: fixedClock(FIXTURE_NOW) });
    fixture = await createFixture(hub);
    streamSecret = (await devStreamCredentials(hub)).apiSecret;
  });
  after(() => hub.close());

  function url(target: Target, params: Record<string, string> = {}, query = ''): string {
    const [, pattern = ''] = target.route.split(' ');
    const path = pattern.replace(/:(\w+)/g, (_match, name: string) => {
      const value = params[name] ?? target.params?.[name]?.valid(fixture) ?? '';
      return value;
    });
    return query ? `${path}?${query}` : path;
  }

  async function send(
    target: Target,
    request: { params?: Record<string, string>; query?: string; body?: string; contentType?: string | null },
  ): Promise<Response> {
    const [method = 'GET'] = target.route.split(' ');
    const headers = new Headers();
    if (request.body !== undefined && request.contentType !== null) {
      headers.set('Content-Type', request.contentType ?? 'application/json');
    }
    const auth = target.auth ?? 'user';
    if (auth === 'admin') headers.set('Authorization', `Bearer ${hub.config.admin.key}`);
    if (auth === 'user') headers.set('Authorization', `Bearer ${await hub.tokenFor(target.as ?? 't-ada')}`);
    return hub.app.request(url(target, request.params, request.query), {
      method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
  }

  /** Runs a property; each run must be refused, and the database must be as before all of them. */
  async function refusedProperty<T>(
    what: string,
    arbitrary: fc.Arbitrary<T>,
    request: (value: T) => Response | Promise<Response>,
    statuses?: readonly number[],
  ) {
    await assertUnchanged(hub, what, async () => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          await assertRefused(await request(value), what, statuses);
        }),
        options,
      );
    });
  }

  it('covers every route the app registers (a new route needs a row here)', () => {
    const covered = new Set<RouteKey>([
      ...TARGETS.map((target) => target.route),
      ...Object.keys(NO_INPUT),
      ...OWN_TESTS,
      ...STATIC,
    ]);
    const registered = registeredRoutes(hub.app);
    const missing = registered.filter((route) => !covered.has(route));
    assert.deepEqual(missing, [], `routes without hostile-input tests: ${missing.join(', ')}`);
    const stale = [...covered].filter((route) => !registered.includes(route));
    assert.deepEqual(stale, [], `tested routes the app no longer has: ${stale.join(', ')}`);
    for (const route of Object.keys(PUBLIC_ROUTES)) assert.ok(registered.includes(route), route);
  });

  for (const target of TARGETS) {
    describe(target.route, () => {
      const { body, params, query } = target;

      if (body) {
        it('refuses arbitrary JSON values that are not the body', async () => {
          await refusedProperty('arbitrary JSON', anyJson.filter(failsSchema(body.schema)), (value) =>
            send(target, { body: JSON.stringify(value) }),
          );
        });

        it('refuses malformed JSON with 400', async () => {
          await refusedProperty(
            'malformed JSON',
            malformedJson,
            (text) => send(target, { body: text }),
            [400],
          );
        });

        it('refuses a wrong type in every field', async () => {
          const valid = body.valid(fixture);
          const wrongField = fc
            .constantFrom(...Object.keys(valid))
            .chain((key) => anyJson.map((value) => ({ ...valid, [key]: value })));
          await refusedProperty('a wrong type', wrongField.filter(failsSchema(body.schema)), (value) =>
            send(target, { body: JSON.stringify(value) }),
          );
        });

        it('refuses unicode edge cases, path characters and overlong strings in every string field', async () => {
          await refusedProperty(
            'a hostile string',
            hostileStrings(body.valid(fixture)).filter(failsSchema(body.schema)),
            (value) => send(target, { body: JSON.stringify(value) }),
          );
        });

        it('refuses huge strings and arrays beyond the limits', async () => {
          const valid = body.valid(fixture);
          const cases: Array<[string, unknown]> = [
            ['a 2 MB body', { ...valid, padding: 'x'.repeat(2 * 1024 * 1024) }],
            [
              '10,000 extra keys',
              { ...valid, ...Object.fromEntries([...Array(10_000).keys()].map((i) => [`k${i}`, i])) },
            ],
          ];
          for (const [key, value] of Object.entries(valid)) {
            if (typeof value === 'string')
              cases.push([`${key}: 100k characters`, { ...valid, [key]: 'a'.repeat(100_000) }]);
            if (Array.isArray(value)) {
              cases.push([`${key}: 10,000 entries`, { ...valid, [key]: Array(10_000).fill(value[0]) }]);
            }
          }
          await assertUnchanged(hub, 'huge bodies', async () => {
            for (const [what, value] of cases) {
              if (!failsSchema(body.schema)(value)) continue;
              await assertRefused(await send(target, { body: JSON.stringify(value) }), what, [400, 413]);
            }
          });
        });

        it('refuses bodies nested 10,000 levels deep', async () => {
          await assertUnchanged(hub, 'deep nesting', async () => {
            for (const text of deeplyNested) {
              await assertRefused(await send(target, { body: text }), 'deep nesting', [400]);
            }
          });
        });

        if (!body.optional) {
          it('refuses a valid body sent as something other than JSON, or with no body at all', async () => {
            const text = JSON.stringify(body.valid(fixture));
            await assertUnchanged(hub, 'wrong content type', async () => {
              for (const contentType of [
                'text/plain',
                'application/x-www-form-urlencoded',
                'multipart/form-data; boundary=x',
                'application/jsonx',
                null,
              ]) {
                await assertRefused(await send(target, { body: text, contentType }), `${contentType}`, [400]);
              }
              await assertRefused(await send(target, {}), 'no body', [400]);
            });
          });
        }
      }

      if (params) {
        it('refuses ids with path characters, unicode, NUL and overlong ids in every param', async () => {
          const names = Object.keys(params);
          const hostileParam = fc
            .tuple(fc.constantFrom(...names), nastyString, fc.boolean())
            .filter(([name, value]) => failsSchema(params[name]!.schema)(value))
            // Sent percent-encoded (one path segment) and raw (the router sees the slashes, dots and %).
            .map(([name, value, raw]) => ({
              [name]: raw ? value.replace(/[?#]/g, encode) : encode(value),
            }));
          const requestBody = body ? JSON.stringify(body.valid(fixture)) : undefined;
          await refusedProperty('a hostile id', hostileParam, (hostile) =>
            send(target, { params: hostile, body: requestBody }),
          );
        });
      }

      if (query) {
        it('refuses garbage, repeated, array-shaped and unknown query parameters', async () => {
          const valid = query.valid(fixture);
          const keys = Object.keys(valid);
          const garbageDate = fc.constantFrom(
            '2026-02-30T09:00:00Z',
            '2026-12-01T25:61:00Z',
            '2026-12-01',
            '2026-12-01T09:00',
            '+275760-09-13T00:00:00.000Z',
            '0',
            '-1',
            '1e309',
            'NaN',
            'now',
          );
          const value = fc.oneof(garbageDate, nastyString);
          const cases = fc.oneof(
            // One parameter with a garbage value.
            fc
              .tuple(fc.constantFrom(...keys), value)
              .map(([key, v]) => new URLSearchParams({ ...valid, [key]: v }).toString()),
            // Repeated, and PHP/Rails array shapes.
            fc.constantFrom(...keys).map((key) => {
              const search = new URLSearchParams(valid);
              search.append(key, valid[key]!);
              return search.toString();
            }),
            fc.constantFrom(...keys).map((key) => `${encode(`${key}[]`)}=${encode(valid[key]!)}`),
            fc.constantFrom(...keys).map((key) => `${key}[0]=x&${key}[1]=y`),
            // Unknown parameters.
            fc
              .tuple(nastyString, nastyString)
              .map(([k, v]) => new URLSearchParams({ ...valid, [`x${k}`]: v }).toString()),
          );
          await refusedProperty(
            'a garbage query',
            cases.filter((search) => {
              const parsed = Object.fromEntries(
                [...new URLSearchParams(search).entries()].map(([k]) => [
                  k,
                  new URLSearchParams(search).getAll(k),
                ]),
              );
              const single = Object.fromEntries(
                Object.entries(parsed).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
              );
              return failsSchema(query.schema)(single);
            }),
            (search) => send(target, { query: search }),
          );
        });
      }
    });
  }

  describe('routes without input', () => {
    for (const [route, kind] of Object.entries(NO_INPUT)) {
      if (kind !== 'read-only') continue;
      const [, path = ''] = route.split(' ');
      it(`${route} ignores garbage query strings: the same answer, nothing changed`, async () => {
        const expected = (await hub.requestAs('s-01', path)).status;
        assert.ok(expected < 500);
        await assertUnchanged(hub, route, async () => {
          await fc.assert(
            fc.asyncProperty(fc.tuple(nastyString, nastyString), async ([key, value]) => {
              const search = new URLSearchParams({ [key || 'q']: value });
              const response = await hub.requestAs('s-01', `${path}?${search}&${search}`);
              await response.body?.cancel();
              assert.equal(response.status, expected);
            }),
            options,
          );
        });
      });
    }
  });

  describe('hostile strings that pass validation (last: accepted ones change state)', () => {
    // The directory sync goes last: an accepted one may rename or drop demo users.
    const ordered = [...TARGETS].sort((a, b) => Number(a.auth === 'admin') - Number(b.auth === 'admin'));
    for (const target of ordered) {
      const { body } = target;
      if (!body) continue;
      it(`${target.route}: a hostile string in any field is accepted or refused, never a 5xx`, async () => {
        await fc.assert(
          fc.asyncProperty(hostileStrings(body.valid(fixture)), async (value) => {
            const response = await send(target, { body: JSON.stringify(value) });
            if (response.status >= 400) await assertRefused(response, 'a hostile string');
            else await response.body?.cancel();
          }),
          options,
        );
      });

      it(`${target.route}: NUL and unpaired surrogates in every string field are refused or stored, never a 5xx`, async () => {
        const valid = body.valid(fixture);
        for (const path of stringPaths(valid)) {
          for (const text of STORAGE_BREAKERS) {
            const response = await send(target, { body: JSON.stringify(replaceAt(valid, path, text)) });
            const what = `${JSON.stringify(text)} at ${path.join('.')}`;
            if (response.status >= 400) await assertRefused(response, what);
            else await response.body?.cancel();
          }
        }
      });
    }
  });

  describe('extreme dates and time zones that are well-formed', () => {
    const series = (start: string, timeZone: string, recurrence?: unknown) => ({
      title: 'Edge',
      type: 'group',
      start,
      timeZone,
      durationMinutes: 720,
      inviteeIds: ['s-03'],
      ...(recurrence ? { recurrence } : {}),
    });
    // Year 10000 in UTC was a 500 from PostgreSQL ("time zone displacement out of range").
    const bodies = [
      series('9999-12-31T23:59', 'Etc/GMT+12'),
      series('9999-12-31T20:00', 'Pacific/Kiritimati', { freq: 'daily', count: 5 }),
      series('8999-12-31T23:59', 'Etc/GMT+12', { freq: 'weekly', interval: 52, count: 500 }),
      series('8999-06-01T09:00', 'Etc/GMT-14', { freq: 'daily', until: '8999-12-31' }),
      series('1900-01-01T00:00', 'Europe/Berlin'),
      series('1970-01-01T00:00', 'Pacific/Kiritimati'),
      series('2026-03-29T02:30', 'Europe/Berlin'),
      series('2026-10-25T02:30', 'Europe/Berlin', { freq: 'daily', count: 3 }),
      series('2026-12-08T09:00', 'Australia/Lord_Howe', { freq: 'weekly', byWeekday: ['MO', 'MO', 'SU'] }),
    ];

    it('POST /v1/sessions answers 201 or a 4xx, never a 5xx, and the feed and list still answer', async () => {
      for (const body of bodies) {
        const response = await send(
          TARGETS.find((t) => t.route === 'POST /v1/sessions')!,
          {
            body: JSON.stringify(body),
          },
        );
        if (response.status >= 400) await assertRefused(response, `${body.start} ${body.timeZone}`);
        else assert.equal(response.status, 201, await response.text());
      }
      const feed = await hub.app.request(fixture.studentFeedPath);
      assert.equal(feed.status, 200);
      await feed.body?.cancel();
      for (const [from, to] of [
        ['8999-01-01T00:00:00Z', '8999-12-31T00:00:00Z'],
        ['1969-12-31T00:00:00Z', '1970-12-31T00:00:00Z'],
      ]) {
        const list = await hub.requestAs('t-ada', `/v1/sessions?from=${from}&to=${to}`);
        assert.equal(list.status, 200, await list.text());
      }
    });
  });

  describe('POST /v1/webhooks/stream', () => {
    it('refuses any body without a valid X-Signature (401), whatever the signature header holds', async () => {
      await refusedProperty(
        'an unsigned webhook',
        // Header values are ByteStrings: the printable ones reach the hub.
        fc.tuple(
          anyJson,
          fc.option(
            nastyString.filter((text) => /^[\x20-\x7e]*$/.test(text)),
            { nil: null },
          ),
        ),
        ([body, signature]) =>
          hub.app.request(
            '/v1/webhooks/stream',
            streamWebhook(body, streamSecret, { deliveryId: null, signature: signature ?? null }),
          ),
        [401],
      );
    });

    it('refuses signed bodies that are not JSON (400)', async () => {
      await refusedProperty(
        'a signed malformed body',
        malformedJson,
        (text) =>
          hub.app.request('/v1/webhooks/stream', streamWebhook(text, streamSecret, { deliveryId: null })),
        [400],
      );
    });

    it('never answers a signed arbitrary JSON value with a 5xx, and changes nothing for one that is no event', async () => {
      await assertUnchanged(hub, 'signed arbitrary JSON', async () => {
        await fc.assert(
          fc.asyncProperty(anyJson, async (body) => {
            const response = await hub.app.request(
              '/v1/webhooks/stream',
              streamWebhook(body, streamSecret, { deliveryId: null }),
            );
            const text = await response.text();
            assert.ok(response.status < 500, `${response.status}: ${text}`);
          }),
          options,
        );
      });
    });
  });

  // This hub runs the mesh: it has no 100ms webhook secret, so nothing gets in (routes/webhooks-hms.test.ts
  // fuzzes a 100ms hub's authenticated bodies).
  describe('POST /v1/webhooks/100ms', () => {
    it('refuses any body with any secret header (401) on a hub without HMS_WEBHOOK_SECRET', async () => {
      await refusedProperty(
        'a 100ms webhook to a mesh hub',
        fc.tuple(
          anyJson,
          fc.option(
            nastyString.filter((text) => /^[\x20-\x7e]*$/.test(text)),
            { nil: null },
          ),
        ),
        ([body, secret]) =>
          hub.app.request('/v1/webhooks/100ms', {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              ...(secret === null ? {} : { 'X-Hub-Webhook-Secret': secret }),
            },
            body: JSON.stringify(body),
          }),
        [401],
      );
    });
  });

  describe('POST /v1/webhooks/stream with signed message.new events carrying hostile strings', () => {
    const event = () => ({
      type: 'message.new',
      cid: `hub-group:${fixture.adaGroup}`,
      channel_type: 'hub-group',
      channel_id: fixture.adaGroup,
      created_at: '2026-12-01T08:00:00.000Z',
      user: { id: 's-01' },
      message: {
        id: 'message-1',
        text: 'Hello',
        user: { id: 's-01' },
        created_at: '2026-12-01T08:00:00.000Z',
      },
    });
    const deliver = (body: unknown) =>
      hub.app.request('/v1/webhooks/stream', streamWebhook(body, streamSecret, { deliveryId: null }));
    const neverA5xx = async (response: Response, what: string) => {
      if (response.status >= 400) await assertRefused(response, what);
      else await response.body?.cancel();
    };

    // NUL in a message's text was a 500 (PostgreSQL), which GetStream would have retried.
    it('answers NUL and unpaired surrogates in any field with a 2xx or a 4xx, never a 5xx', async () => {
      const valid = event();
      for (const path of stringPaths(valid)) {
        for (const text of STORAGE_BREAKERS) {
          await neverA5xx(
            await deliver(replaceAt(valid, path, text)),
            `${JSON.stringify(text)} at ${path.join('.')}`,
          );
        }
      }
    });

    it('answers any hostile string in any field with a 2xx or a 4xx, never a 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(hostileStrings(event()), async (body) => {
          await neverA5xx(await deliver(body), 'a hostile event');
        }),
        options,
      );
    });
  });

  describe('GET /v1/notifications/stream', () => {
    it('refuses garbage access tokens in the query (401) without opening a stream', async () => {
      await refusedProperty(
        'a garbage access_token',
        nastyString,
        (token) => hub.app.request(`/v1/notifications/stream?access_token=${encode(token)}`),
        [401],
      );
    });
  });
});
