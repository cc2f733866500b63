/**
 * Crash injection (issue 8): runs a workload of API calls against the hub as its own process, kills it
 * with SIGKILL at a random moment (notification fan-out, session scheduling, call ringing are all in
 * flight), restarts it on the same data, repeats, lets it drain, then checks what a crash must never
 * break:
 *
 * - every request answered 2xx stored all the notifications it promised, and each stored notification
 *   reached every registered web push device; a delivery reaches the push service at most once more per
 *   kill, always with the same `Topic` (so a repeat replaces the first on the device);
 * - no notification is listed twice (`GET /v1/notifications`, and one row per user and key);
 * - nothing is half-created, whether its request was answered or not: each hub chat has its GetStream
 *   channel with the same members and each hub-made channel its chat; each session its chat, invitees
 *   and reminder jobs, each session chat its session; each call its ring-timeout job and rung members.
 *
 * Choices come from a seeded PRNG (the seed is printed), so a failing workload can be replayed; the kill
 * moments depend on timing too, so a replay is close to, not exactly, the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../adapters/storage/database.ts';
import { startHubProcess, type HubProcess } from './hub-process.ts';
import { startPushService, type PeerSubscription, type PushServicePeer } from './peers/push-service.ts';
import { createTestPki, type TestPki } from './peers/tls.ts';
import { createTestSchema, type TestSchema } from './postgres.ts';
import { RATE_LIMITS_OFF } from './test-app.ts';

export interface CrashRunOptions {
  seed: number;
  kills: number;
  storage: 'pglite' | 'postgres';
  /** Concurrent clients sending requests until the kill. Default 4. */
  clients?: number;
  /** The kill comes this many ms after a round starts, drawn uniformly. Default [1500, 4000]. */
  killWindowMs?: [number, number];
  /** `HUB_RING_TIMEOUT_S` of the hub under test, short so ring windows close during the run. Default 5, the least it takes. */
  ringTimeoutSeconds?: number;
  /**
   * Restart once more and wait until the repair jobs crashes left (they run one grace, 60 s, after the
   * request) have run, then check without allowing any leftover. Soak runs only: it takes a minute.
   */
  awaitRepairs?: boolean;
  /** How long the hub may take to deliver everything after the last restart. Default 45 s. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CrashRunReport {
  seed: number;
  storage: 'pglite' | 'postgres';
  kills: number;
  requests: { sent: number; answered2xx: number; refused: number; unanswered: number };
  /** How many refusals of each status (409: a session cancelled meanwhile, 429: a rate limit). */
  refusals: Record<string, number>;
  created: { chats: number; sessions: number; calls: number };
  notifications: { promised: number; stored: number; deliveries: number; delivered: number };
  providerCalls: number;
  /**
   * Crash leftovers a pending durable job will finish or undo: GetStream channels of chats never saved,
   * chats of sessions never saved, session chats whose members changed on one side only.
   */
  repairsPending: { channels: number; sessionChats: number; memberLists: number };
  /** With `awaitRepairs`: the repair jobs the run waited for (then none may be pending). */
  repairsRun: number;
  /** Deliveries the push service got more than once (a repeat after a kill). */
  repeated: number;
  maxCallsPerDelivery: number;
  /** Every broken invariant, in words; empty when the run is good. */
  violations: string[];
}

/** mulberry32: small, fast, good enough to pick a workload, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const TEACHER = 't-ada';
/** Ada's students in the demo directory (Algebra I and Biology). */
const STUDENTS = ['s-01', 's-02', 's-03', 's-04', 's-05', 's-06', 's-07', 's-08'];
const USERS = [TEACHER, ...STUDENTS];

/** What an answered request promised: these users each have a notification of this kind about it. */
interface Promise2xx {
  kind: string;
  userIds: string[];
  /** The notification id (test notifications) or the id in its `data` (chatId, sessionId, callId). */
  notificationId?: string;
  dataKey?: 'chatId' | 'sessionId' | 'callId';
  dataValue?: string;
}

interface Workload {
  random: () => number;
  hub: () => HubProcess;
  tokens: Map<string, string>;
  chats: string[];
  sessions: Array<{ id: string; cancelled: boolean }>;
  promised: Promise2xx[];
  counts: CrashRunReport['requests'];
  refusals: Record<string, number>;
  created: CrashRunReport['created'];
}

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)] as T;

function pickSome(random: () => number, values: readonly string[], min: number, max: number): string[] {
  const count = min + Math.floor(random() * (max - min + 1));
  const shuffled = [...values].sort(() => random() - 0.5);
  return shuffled.slice(0, count).sort();
}

async function tokenFor(url: string, userId: string): Promise<string> {
  const response = await fetch(`${url}/v1/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`no dev token for ${userId}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

async function refreshTokens(workload: Pick<Workload, 'hub' | 'tokens'>): Promise<void> {
  for (const userId of USERS) workload.tokens.set(userId, await tokenFor(workload.hub().url, userId));
}

/** One API call; `undefined` when the process died under it (no answer at all). */
async function call(
  workload: Workload,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  const { url } = workload.hub();
  workload.counts.sent++;
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${workload.tokens.get(userId)}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) workload.counts.answered2xx++;
    else {
      workload.counts.refused++;
      workload.refusals[response.status] = (workload.refusals[response.status] ?? 0) + 1;
    }
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    workload.counts.unanswered++;
    return undefined;
  }
}

/** A local date-time `days` from now, 09:00 or 16:30, as sessions take it. */
function localStart(random: () => number): string {
  const day = new Date(Date.now() + (2 + Math.floor(random() * 20)) * 86_400_000);
  return `${day.toISOString().slice(0, 10)}T${random() < 0.5 ? '09:00' : '16:30'}`;
}

/** One request of the workload, chosen by the PRNG among what the state so far allows. */
async function step(workload: Workload, index: number): Promise<void> {
  const { random } = workload;
  const roll = random();
  if (roll < 0.25 || workload.chats.length === 0) {
    const memberIds = pickSome(random, STUDENTS, 2, 6);
    const answer = await call(workload, TEACHER, 'POST', '/v1/chats', {
      name: `Crash group ${index}`,
      memberIds,
    });
    if (answer?.status !== 201) return;
    const chatId = (answer.body['chat'] as { id: string }).id;
    workload.chats.push(chatId);
    workload.created.chats++;
    workload.promised.push({ kind: 'chat.added', userIds: memberIds, dataKey: 'chatId', dataValue: chatId });
  } else if (roll < 0.45) {
    const userId = pick(random, USERS);
    const answer = await call(workload, userId, 'POST', '/v1/notifications/test');
    if (answer?.status !== 202) return;
    const notification = answer.body['notification'] as { id: string };
    workload.promised.push({ kind: 'test', userIds: [userId], notificationId: notification.id });
  } else if (roll < 0.65) {
    const inviteeIds = pickSome(random, STUDENTS, 1, 5);
    const weekly = random() < 0.5;
    const answer = await call(workload, TEACHER, 'POST', '/v1/sessions', {
      title: `Crash session ${index}`,
      type: 'group',
      start: localStart(random),
      timeZone: 'Europe/Berlin',
      durationMinutes: 45,
      inviteeIds,
      ...(weekly ? { recurrence: { freq: 'weekly', count: 3 } } : {}),
    });
    if (answer?.status !== 201) return;
    const sessionId = (answer.body['session'] as { id: string }).id;
    workload.sessions.push({ id: sessionId, cancelled: false });
    workload.created.sessions++;
    workload.promised.push({
      kind: 'session.scheduled',
      userIds: inviteeIds,
      dataKey: 'sessionId',
      dataValue: sessionId,
    });
  } else if (roll < 0.75) {
    const open = workload.sessions.filter((session) => !session.cancelled);
    if (open.length === 0) return;
    const session = pick(random, open);
    await call(workload, TEACHER, 'PATCH', `/v1/sessions/${session.id}`, {
      scope: 'series',
      title: `Crash session renamed ${index}`,
      inviteeIds: pickSome(random, STUDENTS, 1, 5),
    });
  } else if (roll < 0.82) {
    const open = workload.sessions.filter((session) => !session.cancelled);
    if (open.length === 0) return;
    const session = pick(random, open);
    const answer = await call(workload, TEACHER, 'POST', `/v1/sessions/${session.id}/cancel`, {
      scope: 'series',
    });
    if (answer?.status === 200) session.cancelled = true;
  } else {
    const chatId = pick(random, workload.chats);
    const answer = await call(workload, TEACHER, 'POST', `/v1/chats/${chatId}/calls`);
    if (answer?.status !== 201) return;
    const started = answer.body['call'] as { id: string; members: Array<{ userId: string; state: string }> };
    workload.created.calls++;
    workload.promised.push({
      kind: 'call.ringing',
      userIds: started.members.filter((member) => member.state === 'ringing').map((member) => member.userId),
      dataKey: 'callId',
      dataValue: started.id,
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the workload with crashes and returns the figures and every violation found. */
export async function runCrashInjection(options: CrashRunOptions): Promise<CrashRunReport> {
  const began = Date.now();
  const log = (line: string) => options.log?.(`${((Date.now() - began) / 1000).toFixed(1)} s: ${line}`);
  const random = seededRandom(options.seed);
  const clients = options.clients ?? 4;
  const [killMin, killMax] = options.killWindowMs ?? [1500, 4000];
  const ringTimeoutSeconds = options.ringTimeoutSeconds ?? 5;
  const pki: TestPki = await createTestPki();
  const pushService: PushServicePeer = await startPushService({ pki });
  let dataDir: string | undefined;
  let schema: TestSchema | undefined;
  const storageEnv: Record<string, string> = {};
  if (options.storage === 'pglite') {
    dataDir = mkdtempSync(join(tmpdir(), 'teacher-hub-crash-'));
    storageEnv['HUB_DATA_DIR'] = dataDir;
  } else {
    schema = await createTestSchema();
    storageEnv['DATABASE_URL'] = schema.url;
  }
  const env = {
    ...storageEnv,
    // The workload is one teacher's burst; the limits have their own tests.
    ...RATE_LIMITS_OFF,
    NODE_EXTRA_CA_CERTS: pki.caFile,
    HUB_RING_TIMEOUT_S: String(ringTimeoutSeconds),
  };
  let hub: HubProcess | undefined;
  const workload: Workload = {
    random,
    hub: () => {
      if (!hub) throw new Error('the hub is not running');
      return hub;
    },
    tokens: new Map(),
    chats: [],
    sessions: [],
    promised: [],
    counts: { sent: 0, answered2xx: 0, refused: 0, unanswered: 0 },
    refusals: {},
    created: { chats: 0, sessions: 0, calls: 0 },
  };
  const violations: string[] = [];
  try {
    hub = await startHubProcess(env);
    await refreshTokens(workload);
    const endpoints = new Map<string, string>();
    for (const userId of USERS) {
      const subscription: PeerSubscription = pushService.createSubscription();
      const answer = await call(workload, userId, 'POST', '/v1/devices', { platform: 'web', subscription });
      if (answer?.status !== 201) throw new Error(`could not register ${userId}'s device: ${answer?.status}`);
      endpoints.set(userId, subscription.endpoint);
    }

    let index = 0;
    for (let kill = 1; kill <= options.kills; kill++) {
      // Slow push answers keep deliveries in flight when the process dies.
      pushService.setResponseDelay(Math.floor(random() * 300));
      const killAfterMs = killMin + random() * (killMax - killMin);
      let killed = false;
      const running = Array.from({ length: clients }, async () => {
        while (!killed) {
          await step(workload, index++);
          await sleep(random() * 60);
        }
      });
      await sleep(killAfterMs);
      killed = true;
      await hub.kill();
      await Promise.all(running);
      log(`kill ${kill}/${options.kills} after ${Math.round(killAfterMs)} ms (${index} requests so far)`);
      pushService.setResponseDelay(0);
      hub = await startHubProcess(env);
      await refreshTokens(workload);
    }

    log('restarted after the last kill; draining');
    await drain(workload, endpoints, pushService, options.drainTimeoutMs ?? 45_000, violations);
    log('drained');
    await hub.stop();
    const open = () =>
      openDatabase(
        options.storage === 'pglite'
          ? { kind: 'pglite', dataDir: dataDir as string }
          : { kind: 'postgres', url: (schema as TestSchema).url },
      );
    let database = await open();
    let repairsRun = 0;
    if (options.awaitRepairs) {
      // Lets the repair jobs a crash left behind come due and run, so the check sees them done.
      const { rows } = await sql<{ due: Date | string | null; count: string | number }>`
        select max(run_at) as due, count(*) as count from jobs
        where status = 'pending' and (key like '%:unless-saved' or key like '%:chat-members:%')`.execute(
        database.db,
      );
      const due = rows[0]?.due;
      if (due) {
        repairsRun = Number(rows[0]?.count);
        await database.close();
        log(`waiting for ${repairsRun} repair jobs, the last due at ${new Date(due).toISOString()}`);
        hub = await startHubProcess(env);
        await sleep(Math.max(0, new Date(due).getTime() - Date.now()) + 5_000);
        await hub.stop();
        database = await open();
      }
    }
    try {
      const figures = await checkStoredState(
        database,
        workload,
        endpoints,
        pushService,
        options.kills,
        violations,
      );
      const { channels, sessionChats, memberLists } = figures.repairsPending;
      if (options.awaitRepairs && channels + sessionChats + memberLists > 0) {
        violations.push(
          `leftovers still waiting for a repair after its time: ${JSON.stringify(figures.repairsPending)}`,
        );
      }
      return {
        seed: options.seed,
        storage: options.storage,
        kills: options.kills,
        requests: workload.counts,
        refusals: workload.refusals,
        created: workload.created,
        ...figures,
        repairsRun,
        violations,
      };
    } finally {
      await database.close();
    }
  } finally {
    await hub?.kill();
    await pushService.close();
    await pki.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await schema?.drop();
  }
}

interface Listed {
  id: string;
  kind: string;
  data: Record<string, string>;
}

async function listedNotifications(workload: Workload, userId: string): Promise<Listed[]> {
  const response = await fetch(`${workload.hub().url}/v1/notifications?limit=100`, {
    headers: { Authorization: `Bearer ${workload.tokens.get(userId)}` },
  });
  if (!response.ok) throw new Error(`GET /v1/notifications for ${userId}: ${response.status}`);
  return ((await response.json()) as { notifications: Listed[] }).notifications;
}

const payloadId = (payload: string) => (JSON.parse(payload) as { notificationId: string }).notificationId;

/**
 * Waits until every notification the API lists has reached its user's device and no call still rings
 * (ring windows that closed while the hub was down close after the restart), then checks the API never
 * lists a notification twice.
 */
async function drain(
  workload: Workload,
  endpoints: Map<string, string>,
  pushService: PushServicePeer,
  timeoutMs: number,
  violations: string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let undelivered: string[];
  let cleanPasses = 0;
  for (;;) {
    undelivered = [];
    for (const userId of USERS) {
      const seen = new Set(
        pushService
          .deliveriesTo(endpoints.get(userId) as string)
          .map((delivery) => payloadId(delivery.payload)),
      );
      const listed = await listedNotifications(workload, userId);
      for (const notification of listed) {
        if (!seen.has(notification.id)) undelivered.push(`${userId}:${notification.kind}:${notification.id}`);
      }
    }
    const live = await fetch(`${workload.hub().url}/v1/live`, {
      headers: { Authorization: `Bearer ${workload.tokens.get(TEACHER)}` },
    });
    const { calls } = (await live.json()) as { calls: Array<{ status: string }> };
    const ringing = calls.filter((started) => started.status === 'ringing').length;
    // Two clean passes in a row: a ring window closing between the listing and the calls adds news.
    cleanPasses = undelivered.length === 0 && ringing === 0 ? cleanPasses + 1 : 0;
    if (cleanPasses === 2 || Date.now() > deadline) break;
    await sleep(500);
  }
  if (undelivered.length > 0) violations.push(`never delivered to the device: ${undelivered.join(', ')}`);
  for (const userId of USERS) {
    const listed = await listedNotifications(workload, userId);
    const ids = listed.map((notification) => notification.id);
    const twice = ids.filter((id, position) => ids.indexOf(id) !== position);
    if (twice.length > 0) violations.push(`${userId} sees notifications twice: ${twice.join(', ')}`);
  }
}

/** The structural checks, on the database the hub left behind. */
async function checkStoredState(
  database: Database,
  workload: Workload,
  endpoints: Map<string, string>,
  pushService: PushServicePeer,
  kills: number,
  violations: string[],
): Promise<
  Omit<
    CrashRunReport,
    'seed' | 'storage' | 'kills' | 'requests' | 'refusals' | 'created' | 'violations' | 'repairsRun'
  >
> {
  const { db } = database;
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join() === [...b].sort().join();

  // Chats and their GetStream channels (the emulator keeps its channels in the same database).
  const chats = await db.selectFrom('chats').selectAll().execute();
  const chatMembers = await db.selectFrom('chat_members').selectAll().execute();
  const membersOf = (chatId: string) =>
    chatMembers.filter((member) => member.chat_id === chatId).map((member) => member.user_id);
  const { rows: channels } = await sql<{ cid: string }>`select cid from stream_channels`.execute(db);
  const { rows: channelMembers } = await sql<{ cid: string; user_id: string }>`
    select cid, user_id from stream_members`.execute(db);
  const sessions = await db.selectFrom('sessions').selectAll().execute();
  // A crash between a change's first step and its commit may leave the two sides apart only while a
  // durable job is pending that finishes or undoes it (after a grace longer than any request).
  const jobs = await db.selectFrom('jobs').select(['key', 'kind', 'status', 'payload']).execute();
  const pendingJob = (key: string) => jobs.some((job) => job.key === key && job.status === 'pending');
  const pendingJobWithPrefix = (prefix: string) =>
    jobs.some((job) => job.key.startsWith(prefix) && job.status === 'pending');
  const repairs = { channels: 0, sessionChats: 0, memberLists: 0 };
  const cids = new Set(channels.map((channel) => channel.cid));
  const chatCids = new Set(chats.map((chat) => `${chat.channel_type}:${chat.id}`));
  for (const chat of chats) {
    const cid = `${chat.channel_type}:${chat.id}`;
    if (!cids.has(cid)) {
      violations.push(`half-created chat ${chat.id}: no GetStream channel ${cid}`);
      continue;
    }
    const streamMembers = channelMembers
      .filter((member) => member.cid === cid)
      .map((member) => member.user_id);
    if (!sameSet(streamMembers, membersOf(chat.id))) {
      const session = sessions.find((candidate) => candidate.chat_id === chat.id);
      if (session && pendingJobWithPrefix(`session:${session.id}:chat-members:`)) {
        repairs.memberLists++;
        continue;
      }
      violations.push(
        `chat ${chat.id} has members ${membersOf(chat.id).join(',')} but its channel ${streamMembers.join(',')}`,
      );
    }
  }
  for (const { cid } of channels) {
    if (cid.startsWith('hub-') && !chatCids.has(cid)) {
      const chatId = cid.slice(cid.indexOf(':') + 1);
      if (pendingJob(`chat:${chatId}:unless-saved`)) repairs.channels++;
      else violations.push(`half-created chat: GetStream channel ${cid} has no hub chat`);
    }
  }

  // Sessions: their chat, its members, their reminders; and no session chat without its session.
  const invitees = await db.selectFrom('session_invitees').selectAll().execute();
  const sessionChatIds = new Set(sessions.map((session) => session.chat_id));
  for (const chat of chats) {
    if (chat.kind === 'session' && !sessionChatIds.has(chat.id)) {
      const undo = jobs.some(
        (job) =>
          job.status === 'pending' &&
          job.key.endsWith(':unless-saved') &&
          (job.payload as { chatId?: string } | null)?.chatId === chat.id,
      );
      if (undo) repairs.sessionChats++;
      else violations.push(`half-created session: chat ${chat.id} belongs to no session`);
    }
  }
  for (const session of sessions) {
    const chat = chats.find((candidate) => candidate.id === session.chat_id);
    const invited = invitees.filter((row) => row.session_id === session.id).map((row) => row.user_id);
    if (!chat) {
      violations.push(`half-created session ${session.id}: no chat ${session.chat_id}`);
    } else if (
      session.status === 'active' &&
      !sameSet(membersOf(chat.id), [session.owner_id, ...invited]) &&
      !pendingJobWithPrefix(`session:${session.id}:chat-members:`)
    ) {
      violations.push(
        `session ${session.id} invites ${invited.join(',')} but its chat has ${membersOf(chat.id).join(',')}`,
      );
    }
    const reminders = jobs.filter(
      (job) => job.key.startsWith(`session:${session.id}:reminder:`) && job.status === 'pending',
    );
    if (session.status === 'active' && reminders.length === 0) {
      violations.push(`session ${session.id} has no pending reminder job`);
    }
    if (session.status === 'cancelled' && reminders.length > 0) {
      violations.push(`cancelled session ${session.id} still has ${reminders.length} reminder jobs`);
    }
  }

  // Calls: the ring-timeout job, every other chat member rung, and ringing over once the window closed.
  const calls = await db.selectFrom('calls').selectAll().execute();
  const callMembers = await db.selectFrom('call_members').selectAll().execute();
  for (const started of calls) {
    if (!jobs.some((job) => job.key === `call:${started.id}:ring-timeout`)) {
      violations.push(`half-created call ${started.id}: no ring-timeout job`);
    }
    const members = callMembers.filter((member) => member.call_id === started.id);
    if (
      !sameSet(
        members.map((member) => member.user_id),
        membersOf(started.chat_id),
      )
    ) {
      violations.push(`call ${started.id} does not ring every member of chat ${started.chat_id}`);
    }
    if (started.status === 'ringing') violations.push(`call ${started.id} still rings after its window`);
  }

  // Notifications: everything promised is stored, once per user and key, with a web push delivery per device.
  const notifications = await db.selectFrom('notifications').selectAll().execute();
  const deliveries = await db.selectFrom('deliveries').selectAll().where('channel', '=', 'webpush').execute();
  let promisedCount = 0;
  for (const promise of workload.promised) {
    for (const userId of promise.userIds) {
      promisedCount++;
      const found = notifications.some(
        (row) =>
          row.user_id === userId &&
          row.kind === promise.kind &&
          (promise.notificationId
            ? row.id === promise.notificationId
            : row.data[promise.dataKey as string] === promise.dataValue),
      );
      if (!found) {
        violations.push(
          `lost notification: ${promise.kind} for ${userId} (${promise.notificationId ?? promise.dataValue})`,
        );
      }
    }
  }
  const keys = notifications.map((row) => `${row.user_id} ${row.dedupe_key}`);
  const twice = keys.filter((key, position) => keys.indexOf(key) !== position);
  if (twice.length > 0) violations.push(`notifications stored twice: ${twice.join(', ')}`);

  let delivered = 0;
  let repeated = 0;
  let maxCallsPerDelivery = 0;
  for (const row of notifications) {
    const endpoint = endpoints.get(row.user_id);
    if (!endpoint) continue;
    const own = deliveries.filter((delivery) => delivery.notification_id === row.id);
    if (own.length === 0) {
      violations.push(`notification ${row.id} (${row.kind}) for ${row.user_id} has no web push delivery`);
      continue;
    }
    for (const delivery of own) {
      if (delivery.status !== 'sent') violations.push(`delivery ${delivery.id} is ${delivery.status}`);
    }
    const received = pushService.deliveriesTo(endpoint).filter((push) => payloadId(push.payload) === row.id);
    if (received.length === 0) {
      violations.push(`notification ${row.id} (${row.kind}) never reached ${row.user_id}'s device`);
      continue;
    }
    delivered++;
    if (received.length > 1) repeated++;
    maxCallsPerDelivery = Math.max(maxCallsPerDelivery, received.length);
    if (received.length > 1 + kills) {
      violations.push(
        `notification ${row.id} reached the push service ${received.length} times in ${kills} kills`,
      );
    }
    const topics = new Set(received.map((push) => push.topic));
    if (topics.size !== 1 || [...topics][0] === undefined) {
      violations.push(`the repeats of ${row.id} carry different or no Topics: ${[...topics].join(', ')}`);
    }
  }
  return {
    notifications: {
      promised: promisedCount,
      stored: notifications.length,
      deliveries: deliveries.length,
      delivered,
    },
    providerCalls: pushService.deliveries.length,
    repairsPending: repairs,
    repeated,
    maxCallsPerDelivery,
  };
}

/** The `# …` lines the test files print (the README's Reliability section quotes them). */
export function describeRun(report: CrashRunReport): string[] {
  const { requests, created, notifications } = report;
  return [
    `# crash injection (${report.storage}, seed ${report.seed}): ${report.kills} SIGKILLs`,
    `# requests: ${requests.sent} sent, ${requests.answered2xx} answered 2xx, ${requests.refused} refused, ` +
      `${requests.unanswered} cut off by a kill (refusals by status: ${JSON.stringify(report.refusals)})`,
    `# created: ${created.chats} chats, ${created.sessions} sessions, ${created.calls} calls`,
    `# notifications: ${notifications.promised} promised, ${notifications.stored} stored, ` +
      `${notifications.delivered} delivered to devices`,
    `# push service calls: ${report.providerCalls}, ${report.repeated} deliveries repeated after a kill ` +
      `(at most ${report.maxCallsPerDelivery} calls for one), same Topic each time`,
    `# left for a pending repair job: ${report.repairsPending.channels} channels and ` +
      `${report.repairsPending.sessionChats} chats never saved, ${report.repairsPending.memberLists} member lists` +
      (report.repairsRun > 0 ? `; ${report.repairsRun} repair jobs waited for and run` : ''),
    `# violations: ${report.violations.length}`,
  ];
}
