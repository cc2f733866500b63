/**
 * Chat end to end: the hub on a real listener with the emulator mounted (dev mode), the real `stream-chat`
 * client connecting with the hub's token, the emulator's webhooks coming back, rule 9 on a directory sync,
 * failures on either side; and the hub against a GetStream app it did not set up (production mode):
 * the boot check and `npm run setup:stream`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { getRequestListener } from '@hono/node-server';
import type { DirectorySync, HubNotification, NotificationList } from '@teacher-hub/protocol';
import { Hono } from 'hono';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { StreamChat } from 'stream-chat';
import { HUB_GRANTS } from './adapters/chat/channel-types.ts';
import { streamAppProblems } from './adapters/chat/stream-app.ts';
import { DEMO_DIRECTORY } from './adapters/directory/demo-directory.ts';
import type { Chat } from './domain/chat/chat.ts';
import type { ChatList, ChatResponse, ChatTokenResponse } from './domain/chat/chat-api.ts';
import { CHAT_REMOVAL_JOB } from './domain/chat/chat-service.ts';
import { fixedClock } from './domain/clock.ts';
import { createStreamEmulator, HUB_CHANNEL_GRANTS, type StreamEmulator } from './emulators/stream/index.ts';
import { API_KEY, API_SECRET, createPglitePool, serverClient } from './emulators/stream/test-support.ts';
import { listenHub, storedChats, streamChannels } from './testing/chat.ts';
import { freePort } from './testing/hub-process.ts';
import { pgliteTemplate } from './testing/pglite-template.ts';
import { assertError, json, jsonBody } from './testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from './testing/test-app.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const post = (body: unknown, headers: Record<string, string> = {}) =>
  jsonBody(body, { method: 'POST', headers });

/** The demo directory without the enrollments `drop` names ("biology-1/s-06"). */
function directoryWithout(...drop: string[]): DirectorySync {
  return {
    ...DEMO_DIRECTORY,
    enrollments: DEMO_DIRECTORY.enrollments.filter((e) => !drop.includes(`${e.courseId}/${e.userId}`)),
  };
}

describe('chat in dev mode, over HTTP and WebSocket', () => {
  const clock = fixedClock(new Date());
  let hub: TestApp;
  let listener: Awaited<ReturnType<typeof listenHub>>;
  let origin: string;
  const clients: StreamChat[] = [];
  let group: Chat;
  let otherGroup: Chat;

  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    hub = await createTestApp({ clock, env: { PORT: String(port), HUB_PUBLIC_URL: origin } });
    listener = await listenHub(hub, port);
    const create = async (name: string, memberIds: string[]) =>
      (await json<ChatResponse>(await hub.requestAs('t-ada', '/v1/chats', post({ name, memberIds })), 201))
        .chat;
    group = await create('Algebra study group', ['s-01', 's-06']);
    otherGroup = await create('Biology lab', ['s-07']);
    for (const [caller, userId] of [
      ['s-01', 't-ada'],
      ['t-grace', 's-08'],
      ['s-06', 't-ada'],
    ]) {
      await json(await hub.requestAs(caller ?? '', '/v1/chats/direct', post({ userId })), 201);
    }
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.disconnectUser(500)));
    await listener.close();
    await hub.close();
  });

  /** Connects `userId`'s `stream-chat` client the way `<hub-chat>` does: token provider = the hub's route. */
  async function connect(userId: string): Promise<StreamChat> {
    const fetchToken = async () =>
      json<ChatTokenResponse>(
        await fetch(`${origin}/v1/chat/token`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${await hub.tokenFor(userId)}` },
        }),
      );
    const { apiKey, baseURL, userId: streamId } = await fetchToken();
    const client = new StreamChat(apiKey, {
      allowServerSideConnect: true,
      baseURL: baseURL ?? undefined,
      timeout: 10_000,
    });
    // stream-chat races its handshake against a 15 s timer it never clears; locally it takes milliseconds.
    client.defaultWSTimeout = 2000;
    await client.connectUser({ id: streamId }, async () => (await fetchToken()).token);
    clients.push(client);
    return client;
  }
  const listed = async (userId: string) =>
    (await json<ChatList>(await hub.requestAs(userId, '/v1/chats'))).chats.map((chat) => chat.cid).sort();

  it('connects a real stream-chat client with the token of POST /v1/chat/token, which sees exactly its chats', async () => {
    for (const userId of ['s-01', 't-ada', 's-07']) {
      const client = await connect(userId);
      assert.ok(client.wsConnection?.isHealthy, `${userId} is connected over /stream/connect`);
      const channels = await client.queryChannels({}, [{ created_at: 1 }], { limit: 30 });
      assert.deepEqual(channels.map((channel) => channel.cid).sort(), await listed(userId), userId);
    }
    assert.ok((await listed('s-01')).includes(group.cid));
    assert.ok(!(await listed('s-01')).includes(otherGroup.cid));
  });

  it('refuses a student’s client-side attempt to create a channel or change members', async () => {
    const student = clients[0] ?? (await connect('s-01'));
    const before = await streamChannels(hub);
    await assert.rejects(
      student.channel('hub-group', 'g-sneaky', { members: ['s-01', 's-02'] } as never).create(),
      /CreateChannel|not allowed/i,
    );
    await assert.rejects(
      student.channel('hub-direct', 'd-sneaky', { members: ['s-01', 's-02'] } as never).create(),
    );
    const channel = student.channel('hub-group', group.id);
    await channel.watch();
    await assert.rejects(channel.addMembers(['s-09']), /UpdateChannelMembers|not allowed/i);
    await assert.rejects(channel.removeMembers(['s-06']));
    await assert.rejects(channel.update({ name: 'Ours now' } as never));
    await assert.rejects(channel.delete());
    assert.deepEqual(await streamChannels(hub), before);
  });

  it('turns a message a client sends into a chat.message for the other members, through the emulator’s webhook', async () => {
    const student = clients[0] ?? (await connect('s-01'));
    await student.channel('hub-group', group.id).sendMessage({ text: 'Is the quiz on Friday?' });
    await hub.services.chat.emulator?.webhooksIdle();
    const digests = await hub.services.database.db
      .selectFrom('chat_digests')
      .select(['user_id', 'message_count'])
      .where('chat_id', '=', group.id)
      .orderBy('user_id')
      .execute();
    assert.deepEqual(digests, [
      { user_id: 's-06', message_count: 1 },
      { user_id: 't-ada', message_count: 1 },
    ]);
    clock.advance(5_000);
    await hub.services.notifications.worker.runDue();
    const notified = async (userId: string): Promise<HubNotification[]> =>
      (await json<NotificationList>(await hub.requestAs(userId, '/v1/notifications'))).notifications.filter(
        (notification) => notification.kind === 'chat.message',
      );
    const [forFinn] = await notified('s-06');
    assert.equal(forFinn?.title, 'New message from Amara Okafor in Algebra study group');
    assert.equal(forFinn?.body, 'Is the quiz on Friday?');
    assert.equal((await notified('t-ada')).length, 1);
    assert.deepEqual(await notified('s-01'), [], 'not to the sender');
  });

  it('mounts the emulator before the hub’s middleware: its own CORS for any origin, uploads past the hub’s body limit', async () => {
    const preflight = await fetch(`${origin}/stream/channels`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://lms.example.edu',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,stream-auth-type',
      },
    });
    await preflight.arrayBuffer();
    assert.ok(preflight.status < 300, `preflight answered ${preflight.status}`);
    assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), '*');

    const teacher = clients[1] ?? (await connect('t-ada'));
    const bytes = Buffer.alloc(hub.config.http.maxBodyBytes + 512 * 1024, 'a');
    const uploaded = await teacher
      .channel('hub-group', group.id)
      .sendFile(bytes as never, 'notes.txt', 'text/plain');
    assert.match(uploaded.file ?? '', new RegExp(`^${origin}/stream/uploads/`));
  });

  it('applies rule 9 on a directory sync: a student no longer in the teacher’s courses leaves her group and direct chats', async () => {
    await json(await hub.requestAs('t-ada', `/v1/chats/${group.id}/members`, post({ userIds: ['s-04'] })));
    const admin = { Authorization: `Bearer ${hub.config.admin.key}` };
    const sync = async (directory: DirectorySync) =>
      json(
        await hub.app.request('/v1/admin/directory', jsonBody(directory, { method: 'PUT', headers: admin })),
      );

    // s-06 was only in Biology; s-04 is in Algebra as well, so she stays.
    await sync(directoryWithout('biology-1/s-06', 'biology-1/s-04'));
    const stored = await storedChats(hub);
    assert.deepEqual(stored.find((chat) => chat.id === group.id)?.memberIds, ['s-01', 's-04', 't-ada']);
    const channels = await streamChannels(hub);
    assert.deepEqual(channels.find((channel) => channel.cid === group.cid)?.members, [
      's-01',
      's-04',
      't-ada',
    ]);
    assert.deepEqual(await listed('s-06'), [], 's-06 sees no chat of Ada’s any more');
    const direct = stored.find(
      (chat) => chat.kind === 'direct' && chat.memberIds.includes('t-ada') && chat.memberIds.length === 1,
    );
    assert.ok(direct, 'the direct chat of t-ada and s-06 keeps only the teacher');
    assert.deepEqual(channels.find((channel) => channel.cid === `hub-direct:${direct.id}`)?.members, [
      't-ada',
    ]);
    assert.ok(!(await listed('t-ada')).includes(`hub-direct:${direct.id}`), 'nor is it listed to Ada');
    const finn = await connect('s-06');
    assert.deepEqual(await finn.queryChannels({}), [], 'GetStream agrees');
    const pending = await hub.services.database.db
      .selectFrom('jobs')
      .select('status')
      .where('kind', '=', CHAT_REMOVAL_JOB)
      .where('status', '=', 'pending')
      .execute();
    assert.deepEqual(pending, [], 'GetStream took it at once: no retry is pending');

    // Idempotent: the same directory again changes nothing.
    const before = { chats: await storedChats(hub), channels: await streamChannels(hub) };
    await sync(directoryWithout('biology-1/s-06', 'biology-1/s-04'));
    assert.deepEqual({ chats: await storedChats(hub), channels: await streamChannels(hub) }, before);
    // And the direct chat comes back, history and all, when s-06 is Ada's student again.
    await assertError(
      await hub.requestAs('s-06', '/v1/chats/direct', post({ userId: 't-ada' })),
      403,
      'NOT_ENROLLED',
    );
    await sync(DEMO_DIRECTORY);
    const { chat } = await json<ChatResponse>(
      await hub.requestAs('s-06', '/v1/chats/direct', post({ userId: 't-ada' })),
    );
    assert.equal(chat.id, direct.id);
    assert.deepEqual(chat.memberIds, ['t-ada', 's-06']);
    assert.deepEqual((await streamChannels(hub)).find((c) => c.cid === chat.cid)?.members, ['s-06', 't-ada']);
  });

  it('creates nothing when GetStream refuses: 503, no chat in the hub, no channel', async () => {
    const db = hub.services.database.db;
    const { rows: saved } = await sql<Record<string, unknown>>`
      delete from stream_channel_types where name = 'hub-group' returning *
    `.execute(db);
    try {
      const before = { chats: await storedChats(hub), channels: await streamChannels(hub) };
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Never', memberIds: ['s-02'] })),
        503,
        'UNAVAILABLE',
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members`, post({ userIds: ['s-02'] })),
        503,
        'UNAVAILABLE',
      );
      assert.deepEqual({ chats: await storedChats(hub), channels: await streamChannels(hub) }, before);
    } finally {
      for (const row of saved) {
        await sql`insert into stream_channel_types (name, config, grants, created_at, updated_at)
          values (${row.name}, ${JSON.stringify(row.config)}, ${JSON.stringify(row.grants)}, ${row.created_at}, ${row.updated_at})`.execute(
          db,
        );
      }
    }
  });

  it('undoes the GetStream change when the hub cannot record it, so nothing is half-created', async () => {
    const db = hub.services.database.db;
    await sql`create function refuse_chat_writes() returns trigger language plpgsql as
      $$ begin raise exception 'the disk is full'; end $$`.execute(db);
    const before = { chats: await storedChats(hub), channels: await streamChannels(hub) };
    try {
      await sql`create trigger refuse_chats before insert on chats for each row execute function refuse_chat_writes()`.execute(
        db,
      );
      await assertError(
        await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Lost', memberIds: ['s-03'] })),
        500,
        'INTERNAL',
      );
      await sql`drop trigger refuse_chats on chats`.execute(db);
      await sql`create trigger refuse_members before insert on chat_members for each row execute function refuse_chat_writes()`.execute(
        db,
      );
      await assertError(
        await hub.requestAs('t-ada', `/v1/chats/${group.id}/members`, post({ userIds: ['s-03'] })),
        500,
        'INTERNAL',
      );
      await assertError(
        await hub.requestAs('s-03', '/v1/chats/direct', post({ userId: 't-ada' })),
        500,
        'INTERNAL',
      );
      assert.deepEqual({ chats: await storedChats(hub), channels: await streamChannels(hub) }, before);
    } finally {
      await sql`drop trigger if exists refuse_chats on chats`.execute(db);
      await sql`drop trigger if exists refuse_members on chat_members`.execute(db);
      await sql`drop function refuse_chat_writes()`.execute(db);
    }
  });
});

/** The emulator on a server of its own, standing in for GetStream; it can go away and come back on its port. */
class RemoteStream {
  readonly emulator: StreamEmulator;
  readonly baseURL: string;
  #server: Server | undefined;

  private constructor(
    db: Kysely<unknown>,
    readonly port: number,
  ) {
    this.baseURL = `http://127.0.0.1:${port}/stream`;
    this.emulator = createStreamEmulator({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      db,
      publicBaseUrl: this.baseURL,
      onError: () => undefined,
    });
  }

  static async start(db: Kysely<unknown>): Promise<RemoteStream> {
    const remote = new RemoteStream(db, await freePort());
    await remote.emulator.ready;
    await remote.up();
    return remote;
  }

  async up(): Promise<void> {
    const app = new Hono().route('/stream', this.emulator.app);
    this.#server = createServer(getRequestListener(app.fetch));
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
  }

  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.down();
    await this.emulator.close();
  }
}

describe('the hub against a GetStream app (production mode)', () => {
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let stream: RemoteStream;
  let admin: StreamChat;
  const env = () => ({
    ...PRODUCTION_ENV,
    STREAM_API_KEY: API_KEY,
    STREAM_API_SECRET: API_SECRET,
    STREAM_BASE_URL: stream.baseURL,
  });

  before(async () => {
    // GetStream's own database, apart from the hub's.
    pglite = await PGlite.create({ loadDataDir: await pgliteTemplate() });
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: createPglitePool(pglite) }) });
    stream = await RemoteStream.start(db);
    admin = serverClient(stream.baseURL);
  });
  after(async () => {
    await stream.stop();
    await db.destroy();
    await pglite.close();
  });

  it('configures the same grants that the emulator enforces', () => {
    assert.deepEqual(HUB_GRANTS, HUB_CHANNEL_GRANTS);
  });

  it('refuses to start when the app does not check tokens, naming the problem and npm run setup:stream', async () => {
    await admin.updateAppSettings({ disable_auth_checks: true });
    await assert.rejects(createTestApp({ env: env() }), (error: Error) => {
      assert.match(error.message, /disable_auth_checks is true/);
      assert.match(error.message, /npm run setup:stream/);
      return true;
    });
  });

  it('finds every other way an app can let clients around the hub', async () => {
    await admin.updateAppSettings({ disable_auth_checks: false, disable_permissions_checks: true });
    await admin.updateChannelType('hub-group', {
      grants: { user: ['create-channel'], channel_member: ['read-channel', 'update-channel-members-owner'] },
    } as never);
    await admin.deleteChannelType('hub-session');
    assert.deepEqual(await streamAppProblems(admin), [
      'disable_permissions_checks is true: any user could create channels and change their members',
      'channel type hub-group grants user create-channel, which only the hub may do',
      'channel type hub-group grants channel_member update-channel-members-owner, which only the hub may do',
      'channel type hub-session does not exist',
    ]);
  });

  it('npm run setup:stream sets the app up: channel types with the hub’s grants, the webhook, checks on', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/scripts/setup-stream.ts'], {
      cwd: REPO,
      env: {
        PATH: process.env['PATH'] ?? '',
        STREAM_API_KEY: API_KEY,
        STREAM_API_SECRET: API_SECRET,
        STREAM_BASE_URL: stream.baseURL,
        HUB_PUBLIC_URL: 'https://hub.example.edu',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, output);
    assert.match(output, /updated channel type hub-group/);
    assert.match(output, /created channel type hub-session/);
    assert.match(output, /webhook: https:\/\/hub\.example\.edu\/v1\/webhooks\/stream \(message\.new\)/);

    assert.deepEqual(await streamAppProblems(admin), []);
    for (const name of ['hub-group', 'hub-direct', 'hub-session']) {
      const type = await admin.getChannelType(name);
      for (const [role, permissions] of Object.entries(HUB_GRANTS)) {
        assert.deepEqual(type.grants?.[role], permissions, `${name} ${role}`);
      }
      assert.equal(type.push_notifications, false, 'the hub sends its own notifications');
    }
    const { app } = await admin.getAppSettings();
    assert.equal(app?.webhook_url, 'https://hub.example.edu/v1/webhooks/stream');
  });

  describe('started against the app it set up', () => {
    let hub: TestApp;
    before(async () => {
      hub = await createTestApp({ env: env() });
      await hub.services.directory.sync(DEMO_DIRECTORY);
    });
    after(() => hub.close());

    it('reports chat "stream", creates channels there and gives clients GetStream’s URL', async () => {
      const health = await json<{ providers: { chat: string } }>(await hub.app.request('/health'));
      assert.equal(health.providers.chat, 'stream');
      assert.equal((await hub.app.request('/stream/hi')).status, 404, 'no emulator is mounted');
      const token = await json<ChatTokenResponse>(
        await hub.requestAs('s-01', '/v1/chat/token', { method: 'POST' }),
      );
      assert.equal(token.apiKey, API_KEY);
      assert.equal(token.baseURL, stream.baseURL);
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Algebra', memberIds: ['s-01', 's-06'] })),
        201,
      );
      const [channel] = await admin.queryChannels({ cid: chat.cid });
      assert.deepEqual(Object.keys(channel?.state.members ?? {}).sort(), ['s-01', 's-06', 't-ada']);
    });

    it('keeps rule 9 while GetStream is down: the member leaves the hub at once, a job makes GetStream follow', async () => {
      const { chat } = await json<ChatResponse>(
        await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Biology', memberIds: ['s-07', 's-08'] })),
        201,
      );
      await stream.down();
      try {
        await json(
          await hub.app.request(
            '/v1/admin/directory',
            jsonBody(directoryWithout('biology-1/s-07'), {
              method: 'PUT',
              headers: { Authorization: `Bearer ${PRODUCTION_ENV.HUB_ADMIN_KEY}` },
            }),
          ),
        );
        assert.deepEqual((await storedChats(hub)).find((c) => c.id === chat.id)?.memberIds, [
          's-08',
          't-ada',
        ]);
        await assertError(
          await hub.requestAs('t-ada', '/v1/chats', post({ name: 'Offline', memberIds: ['s-01'] })),
          503,
          'UNAVAILABLE',
        );
        assert.ok(!(await storedChats(hub)).some((c) => c.name === 'Offline'), 'nothing recorded');
        await hub.services.notifications.worker.runDue();
      } finally {
        await stream.up();
      }
      const [before] = await admin.queryChannels({ cid: chat.cid });
      assert.ok('s-07' in (before?.state.members ?? {}), 'GetStream still has s-07 until the job runs');
      const retry = await hub.services.database.db
        .updateTable('jobs')
        .set({ run_at: new Date() })
        .where('kind', '=', CHAT_REMOVAL_JOB)
        .where('status', '=', 'pending')
        .returning('key')
        .execute();
      assert.equal(retry.length, 1, 'one removal job waits for GetStream');
      await hub.services.notifications.worker.runDue();
      const [after] = await admin.queryChannels({ cid: chat.cid });
      assert.deepEqual(Object.keys(after?.state.members ?? {}).sort(), ['s-08', 't-ada']);
    });
  });
});
