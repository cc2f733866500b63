/**
 * What the hostile-input and authorization suites share: the app's route inventory (read from Hono, so a
 * new route without a test fails), the public routes that need no user, a fixture of resources owned by
 * each party, and a snapshot of the whole database to prove that a refused call changed nothing.
 */
import assert from 'node:assert/strict';
import type {
  CalendarFeedResponse,
  CallResponse,
  CreateSessionRequest,
  DeviceResponse,
  NotificationList,
  SessionResponse,
} from '@teacher-hub/protocol';
import { ERROR_CODES, isErrorBody } from '@teacher-hub/protocol';
import { sql } from 'kysely';
import { EMULATOR_PATH } from '../chat.ts';
import type { ChatResponse } from '../domain/chat/chat-api.ts';
import { json, jsonBody } from '../testing/http.ts';
import type { TestApp } from '../testing/test-app.ts';

/** `METHOD /path` as Hono registered it, e.g. `POST /v1/chats/:id/members`. */
export type RouteKey = string;

/**
 * Every route the hub registers, deduplicated: middleware (`ALL`) is not a route, and the GetStream
 * emulator's routes (dev mode, under `/stream`) have their own suites (`emulators/stream/*.test.ts`).
 */
export function registeredRoutes(app: TestApp['app']): RouteKey[] {
  const keys = new Set<RouteKey>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    if (route.path === EMULATOR_PATH || route.path.startsWith(`${EMULATOR_PATH}/`)) continue;
    keys.add(`${route.method} ${route.path}`);
  }
  return [...keys].sort();
}

/**
 * Routes that take no hub user, each with what guards it instead. They are fuzzed where they take input,
 * but have no row in the authorization matrix.
 */
export const PUBLIC_ROUTES: Record<RouteKey, string> = {
  'GET /health': 'anyone: mode and providers',
  'POST /v1/dev/token': 'dev mode only (404 in production): the demo LMS token endpoint',
  'GET /v1/dev/users': 'dev mode only: the demo sign-in list',
  'GET /v1/push/vapid-public-key': 'anyone: a public key',
  'GET /calendar/:file': 'the unguessable feed token is the key',
  'POST /v1/webhooks/stream': 'X-Signature (HMAC of the body with the Stream secret)',
  'POST /v1/webhooks/100ms': 'X-Hub-Webhook-Secret (HMS_WEBHOOK_SECRET, sent by 100ms as configured)',
  'PUT /v1/admin/directory': 'the admin key (HUB_ADMIN_KEY), not a user',
  'GET /dev/mailbox': 'dev mode only: the local mailbox',
  'GET /dev/mailbox.json': 'dev mode only: the local mailbox',
  'GET /vendor/:file': 'dev mode only: static files of the demo',
  'HEAD /vendor/:file': 'dev mode only: static files of the demo',
  'GET /sdk/*': 'static: the SDK bundle',
  'HEAD /sdk/*': 'static: the SDK bundle',
  'GET /*': 'static: the demo LMS pages',
  'HEAD /*': 'static: the demo LMS pages',
};

/** The codes of CONTRACT.md's error body. */
const KNOWN_CODES = new Set<string>(ERROR_CODES);

/**
 * Asserts a refusal: a status in 400–499 (or exactly one of `statuses`), JSON, the contract's error body
 * with a known code, a message and the request id of the `X-Request-Id` header.
 */
export async function assertRefused(
  response: Response,
  what: string,
  statuses?: readonly number[],
): Promise<{ status: number; code: string }> {
  const text = await response.text();
  const expected = statuses ? statuses.join(' or ') : '4xx';
  const ok = statuses ? statuses.includes(response.status) : response.status >= 400 && response.status <= 499;
  assert.ok(ok, `${what}: expected ${expected}, got ${response.status}: ${text.slice(0, 500)}`);
  assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/, `${what}: JSON error`);
  const body: unknown = JSON.parse(text);
  assert.ok(isErrorBody(body), `${what}: not the contract's error body: ${text.slice(0, 500)}`);
  assert.ok(KNOWN_CODES.has(body.error.code), `${what}: unknown code ${body.error.code}`);
  assert.ok(body.error.message.length > 0, `${what}: the error has a message`);
  assert.ok(body.error.requestId.length > 0, `${what}: the error has a request id`);
  assert.equal(body.error.requestId, response.headers.get('X-Request-Id'), `${what}: the request id`);
  return { status: response.status, code: body.error.code };
}

/** Tables whose rows change by design on any request (rate-limit counters), left out of snapshots. */
const VOLATILE_TABLE = /rate|limit|bucket/i;

/**
 * A fingerprint of every row of every table (the hub's and the emulator's, which share the database in
 * dev mode): equal fingerprints mean nothing changed.
 */
export async function snapshot(hub: TestApp): Promise<Record<string, string>> {
  const { db } = hub.services.database;
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const fingerprint: Record<string, string> = {};
  for (const { table_name: table } of tables.rows) {
    if (VOLATILE_TABLE.test(table)) continue;
    const result = await sql<{ rows: string; digest: string }>`
      select count(*)::text as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
      from ${sql.table(table)} t`.execute(db);
    const row = result.rows[0];
    fingerprint[table] = `${row?.rows} rows ${row?.digest}`;
  }
  return fingerprint;
}

/** Asserts that `run` leaves every table as it was. */
export async function assertUnchanged(hub: TestApp, what: string, run: () => Promise<void>): Promise<void> {
  const before = await snapshot(hub);
  await run();
  assert.deepEqual(await snapshot(hub), before, `${what} changed the database`);
}

export const TEACHERS = ['t-ada', 't-grace'] as const;
/** Every demo student. */
export const STUDENTS = [
  's-01',
  's-02',
  's-03',
  's-04',
  's-05',
  's-06',
  's-07',
  's-08',
  's-09',
  's-10',
  's-11',
  's-12',
];
export const DEMO_USERS = [...TEACHERS, ...STUDENTS];

/** 2026-12-01 08:00Z; the sessions below are on Monday 2026-12-07 (Berlin, UTC+1). */
export const FIXTURE_NOW = new Date('2026-12-01T08:00:00Z');

function sessionBody(title: string, inviteeIds: string[]): CreateSessionRequest {
  return {
    title,
    type: 'group',
    start: '2026-12-07T16:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 60,
    inviteeIds,
  };
}

/** Resources owned by each party, made through the API as the product makes them. */
export interface Fixture {
  adaGroup: string;
  graceGroup: string;
  /** s-01 ↔ t-ada. */
  adaDirect: string;
  adaSession: string;
  graceSession: string;
  /** The occurrence of each session (ISO UTC). */
  occurrenceStart: string;
  adaCall: string;
  graceCall: string;
  /** s-01's device. */
  studentDevice: string;
  /** s-01's notification (chat.added for Ada's group). */
  studentNotification: string;
  /** s-01's calendar feed path (`/calendar/<token>.ics`). */
  studentFeedPath: string;
}

export async function createFixture(hub: TestApp): Promise<Fixture> {
  const post = (as: string, path: string, body: unknown) =>
    hub.requestAs(as, path, jsonBody(body, { method: 'POST' }));
  const chat = async (as: string, path: string, body: unknown, status = 201) =>
    (await json<ChatResponse>(await post(as, path, body), status)).chat.id;
  const adaGroup = await chat('t-ada', '/v1/chats', { name: 'Algebra study', memberIds: ['s-01', 's-02'] });
  const graceGroup = await chat('t-grace', '/v1/chats', {
    name: 'History club',
    memberIds: ['s-09', 's-10'],
  });
  const adaDirect = await chat('s-01', '/v1/chats/direct', { userId: 't-ada' });
  const session = async (as: string, body: CreateSessionRequest) =>
    (await json<SessionResponse>(await post(as, '/v1/sessions', body), 201)).session.id;
  const adaSession = await session('t-ada', sessionBody('Algebra review', ['s-01', 's-02']));
  const graceSession = await session('t-grace', sessionBody('History review', ['s-09', 's-10']));
  const call = async (as: string, chatId: string) =>
    (await json<CallResponse>(await post(as, `/v1/chats/${chatId}/calls`, {}), 201)).call.id;
  const adaCall = await call('t-ada', adaGroup);
  const graceCall = await call('t-grace', graceGroup);
  const device = await json<DeviceResponse>(
    await post('s-01', '/v1/devices', { platform: 'android', token: 'fcm-token-of-s-01-0123456789' }),
    201,
  );
  const list = await json<NotificationList>(await hub.requestAs('s-01', '/v1/notifications'));
  const studentNotification = list.notifications[0]?.id;
  assert.ok(studentNotification, 's-01 has a notification');
  const feed = await json<CalendarFeedResponse>(await hub.requestAs('s-01', '/v1/calendar/feed'));
  return {
    adaGroup,
    graceGroup,
    adaDirect,
    adaSession,
    graceSession,
    occurrenceStart: '2026-12-07T15:00:00.000Z',
    adaCall,
    graceCall,
    studentDevice: device.device.id,
    studentNotification,
    studentFeedPath: new URL(feed.url).pathname,
  };
}
