/**
 * The emulator's guarantees: Stream's authentication (API key, HS256 tokens, expiry and token refresh),
 * the grants of the hub's channel types for client tokens, upload limits, signed webhooks, and state that
 * outlives a restart.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import type { StreamChat } from 'stream-chat';
import { signWebhook } from './index.ts';
import {
  API_KEY,
  API_SECRET,
  connectUser,
  createTestDatabase,
  serverClient,
  startEmulator,
  userToken,
  type RunningEmulator,
} from './test-support.ts';

interface ApiError extends Error {
  code?: number;
  status?: number;
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  assert.fail('the call was expected to be refused');
}

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint that answers 503 to the first attempt of every delivery whose body contains `flaky`. */
async function startWebhookReceiver(flaky: string) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body });
      if (body.includes(flaky) && request.headers['x-webhook-attempt'] === '1') {
        response.writeHead(503).end();
      } else {
        response.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/stream`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('GetStream emulator: authentication, permissions, limits, webhooks, persistence', () => {
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let running: RunningEmulator;
  let server: StreamChat;
  let clockOffsetMs = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const clients: StreamChat[] = [];

  async function connect(id: string, tokenProvider?: () => Promise<string>, handshakeTimeoutMs?: number) {
    const client = await connectUser(running.baseURL, { id }, tokenProvider, handshakeTimeoutMs);
    clients.push(client);
    return client;
  }

  before(async () => {
    ({ pglite, db } = await createTestDatabase());
    webhooks = await startWebhookReceiver('flaky webhook');
    running = await startEmulator(db, {
      now,
      webhookUrl: webhooks.url,
      webhookRetryDelaysMs: [50, 50],
      uploadLimits: { maxBytes: 2048, allowedFileTypes: ['text/plain', 'application/pdf'] },
      onError: () => undefined,
    });
    server = serverClient(running.baseURL);
    await server.upsertUsers([
      { id: 't-ada', name: 'Ada Lovelace' },
      { id: 's-01', name: 'Student One' },
      { id: 's-02', name: 'Student Two' },
      { id: 's-09', name: 'Student Nine' },
    ]);
    await server
      .channel('hub-group', 'algebra', {
        name: 'Algebra',
        members: [{ user_id: 't-ada', channel_role: 'channel_moderator' }, 's-01'],
        created_by_id: 't-ada',
      } as never)
      .create();
  });

  after(async () => {
    for (const client of clients) await client.disconnectUser(500);
    await running.stop();
    await webhooks.close();
    await db.destroy();
    await pglite.close();
  });

  describe('authentication', () => {
    it("refuses a wrong API key with Stream's error shape", async () => {
      const token = await userToken('s-01');
      const response = await fetch(`${running.baseURL}/channels?api_key=not-the-key`, {
        method: 'POST',
        headers: { authorization: token, 'stream-auth-type': 'jwt', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 401);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.code, 2);
      assert.equal(body.StatusCode, 401);
      assert.equal(typeof body.message, 'string');
      assert.equal(typeof body.duration, 'string');
      assert.equal(typeof body.more_info, 'string');
    });

    it('refuses tokens signed with another secret, over REST and WebSocket', async () => {
      const wrong = serverClient(running.baseURL, 'some-other-secret');
      const error = await refusal(wrong.queryUsers({ id: 's-01' }));
      assert.equal(error.code, 43);
      assert.equal(error.status, 401);
      await assert.rejects(
        connectUser(running.baseURL, { id: 's-01' }, () =>
          userToken('s-01', { secret: 'some-other-secret' }),
        ),
        /"code":43/,
      );
    });

    it('refuses a token for another user than the one connecting', async () => {
      await assert.rejects(
        connectUser(running.baseURL, { id: 's-01' }, () => userToken('s-02')),
        /"code":43/,
      );
    });

    it('answers an expired token with code 40, so the client fetches a new one and retries', async () => {
      let issued = 0;
      const provider = () => {
        issued += 1;
        return userToken('s-01', { issuedAt: Math.floor(now().getTime() / 1000), expiresInSeconds: 60 });
      };
      const client = await connect('s-01', provider);
      assert.equal(issued, 1);
      clockOffsetMs += 120_000;
      try {
        const channels = await client.queryChannels({ id: 'algebra' });
        assert.equal(channels.length, 1);
        assert.equal(issued, 2, 'the token provider was asked again');
      } finally {
        clockOffsetMs -= 120_000;
      }
    });

    it('answers an expired token on connect with code 40, and the client reconnects with a fresh one', async () => {
      const tokens = [
        await userToken('s-02', { issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 60 }),
        await userToken('s-02'),
      ];
      let issued = 0;
      // stream-chat waits 0.25-2.5 s before reconnecting with the fresh token.
      const client = await connect('s-02', async () => tokens[Math.min(issued++, 1)]!, 5000);
      assert.ok(client.wsConnection?.isHealthy);
      assert.equal(issued, 2);
    });

    it('refuses a token issued before the user’s tokens were revoked', async () => {
      const oldToken = await userToken('s-09', { issuedAt: Math.floor(Date.now() / 1000) - 60 });
      await server.revokeUserToken('s-09', new Date(Date.now() - 1000));
      const response = await fetch(`${running.baseURL}/channels?api_key=${API_KEY}`, {
        method: 'POST',
        headers: { authorization: oldToken, 'stream-auth-type': 'jwt', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { code: number }).code, 40);
      const client = await connect('s-09', () =>
        userToken('s-09', { issuedAt: Math.floor(Date.now() / 1000) + 1 }),
      );
      assert.ok(client.wsConnection?.isHealthy);
    });
  });

  describe('channel type grants for client tokens', () => {
    it('ships hub channel types whose grants give client roles no channel management', async () => {
      const type = await server.getChannelType('hub-group');
      const clientGrants = [...(type.grants.user ?? []), ...(type.grants.channel_member ?? [])];
      for (const permission of [
        'create-channel',
        'update-channel-members',
        'update-channel-members-owner',
        'update-channel-owner',
        'delete-channel-owner',
        'truncate-channel-owner',
      ]) {
        assert.ok(!clientGrants.includes(permission), `${permission} is not granted`);
      }
      const { app } = await server.getAppSettings();
      assert.equal(app?.disable_auth_checks, false);
      assert.equal(app?.disable_permissions_checks, false);
      assert.ok(app?.channel_configs['hub-session']);
    });

    it("refuses a student's client-side channel creation and member changes, and changes nothing", async () => {
      const student = await connect('s-01');
      const creation = await refusal(
        student.channel('hub-group', 'student-made', { members: ['s-01', 's-02'] } as never).watch(),
      );
      assert.equal(creation.code, 17);
      assert.equal(creation.status, 403);
      assert.match(creation.message, /CreateChannel/);
      assert.equal((await server.queryChannels({ id: 'student-made' })).length, 0);

      const channel = student.channel('hub-group', 'algebra');
      await channel.watch();
      assert.match((await refusal(channel.addMembers(['s-02']))).message, /UpdateChannelMembers/);
      assert.match((await refusal(channel.removeMembers(['t-ada']))).message, /UpdateChannelMembers/);
      assert.match((await refusal(channel.update({ name: 'Hacked' } as never))).message, /UpdateChannel/);
      assert.match((await refusal(channel.delete())).message, /DeleteChannel/);

      const [state] = await server.queryChannels({ id: 'algebra' });
      assert.deepEqual(Object.keys(state!.state.members).sort(), ['s-01', 't-ada']);
      assert.equal((state!.data as { name?: string }).name, 'Algebra');
    });

    it('refuses member changes even to the teacher’s own client: only the hub server changes channels', async () => {
      const teacher = await connect('t-ada');
      const channel = teacher.channel('hub-group', 'algebra');
      await channel.watch();
      assert.equal((await refusal(channel.addMembers(['s-02']))).code, 17);
      assert.equal(
        (
          await refusal(
            teacher.channel('hub-direct', 'ada-s02', { members: ['t-ada', 's-02'] } as never).watch(),
          )
        ).code,
        17,
      );
    });

    it('lets any user create a channel of Stream’s default messaging type (the grants make the difference)', async () => {
      const student = await connect('s-02');
      const channel = student.channel('messaging', 'student-chat', { members: ['s-02'] } as never);
      const state = await channel.watch();
      assert.equal(state.channel.created_by?.id, 's-02');
    });

    it('refuses a non-member: no watching, sending, reacting, reading or uploading', async () => {
      const outsider = await connect('s-09');
      const channel = outsider.channel('hub-group', 'algebra');
      assert.match((await refusal(channel.watch())).message, /ReadChannel/);
      assert.equal((await refusal(channel.sendMessage({ text: 'let me in' }))).code, 17);
      assert.equal((await refusal(channel.sendFile(Buffer.from('x'), 'x.txt', 'text/plain'))).code, 17);
      const { message } = await server
        .channel('hub-group', 'algebra')
        .sendMessage({ text: 'hello class', user_id: 't-ada' });
      assert.equal((await refusal(channel.sendReaction(message.id, { type: 'like' }))).code, 17);
      assert.equal((await refusal(outsider.post(`${channel._channelURL()}/read`, {}))).code, 17);
      assert.equal(
        (await refusal(outsider.post(`${channel._channelURL()}/event`, { event: { type: 'typing.start' } })))
          .code,
        17,
      );
      assert.equal((await refusal(outsider.getMessage(message.id))).code, 17);
      assert.equal((await outsider.queryChannels({ id: 'algebra' })).length, 0);
    });

    it('lets users edit and delete only their own messages; moderators delete any', async () => {
      const student = await connect('s-01');
      const teacher = await connect('t-ada');
      const { message: fromTeacher } = await server
        .channel('hub-group', 'algebra')
        .sendMessage({ text: 'Read chapter 2', user_id: 't-ada' });
      const { message: fromStudent } = await server
        .channel('hub-group', 'algebra')
        .sendMessage({ text: 'ok', user_id: 's-01' });
      assert.match(
        (await refusal(student.updateMessage({ id: fromTeacher.id, text: 'Skip chapter 2' }))).message,
        /UpdateMessage/,
      );
      assert.match((await refusal(student.deleteMessage(fromTeacher.id))).message, /DeleteMessage/);
      assert.equal((await server.getMessage(fromTeacher.id)).message.text, 'Read chapter 2');

      const edited = await student.updateMessage({ id: fromStudent.id, text: 'ok, will do' });
      assert.equal(edited.message.text, 'ok, will do');
      assert.ok(edited.message.message_text_updated_at);
      const removed = await teacher.deleteMessage(fromStudent.id);
      assert.equal(removed.message.type, 'deleted');
    });
  });

  describe('uploads', () => {
    it('refuses files over the size limit and types outside the allowed lists', async () => {
      const student = await connect('s-01');
      const channel = student.channel('hub-group', 'algebra');
      await channel.watch();
      const tooBig = await refusal(channel.sendFile(Buffer.alloc(4096, 1), 'big.txt', 'text/plain'));
      assert.equal(tooBig.status, 413);
      assert.equal(tooBig.code, 22);
      const wrongType = await refusal(
        channel.sendFile(Buffer.from('<script>alert(1)</script>'), 'page.html', 'text/html'),
      );
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.code, 4);
      const notAnImage = await refusal(
        student.sendFile(
          `${channel._channelURL()}/image`,
          Buffer.from('not really a png'),
          'fake.png',
          'image/png',
        ),
      );
      assert.equal(notAnImage.code, 4);
      const svg = await refusal(
        student.sendFile(
          `${channel._channelURL()}/image`,
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
          'x.svg',
          'image/svg+xml',
        ),
      );
      assert.equal(svg.code, 4);
      const fine = await channel.sendFile(Buffer.from('%PDF-1.4 tiny'), 'sheet.pdf', 'application/pdf');
      const served = await fetch(fine.file);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      assert.match(served.headers.get('content-security-policy') ?? '', /sandbox/);
    });
  });

  describe('webhooks', () => {
    it('posts message.new signed with the API secret, retrying with the same X-Webhook-Id', async () => {
      webhooks.received.length = 0;
      const { message } = await server
        .channel('hub-group', 'algebra')
        .sendMessage({ text: 'flaky webhook check', user_id: 't-ada' });
      await running.emulator.webhooksIdle();
      const deliveries = webhooks.received.filter(
        (hook) => hook.body.includes(message.id) && hook.body.includes('"message.new"'),
      );
      assert.equal(deliveries.length, 2, 'the first attempt failed (503) and was retried');
      const [first, second] = deliveries as [ReceivedWebhook, ReceivedWebhook];
      assert.equal(first.headers['x-webhook-id'], second.headers['x-webhook-id']);
      assert.equal(first.headers['x-webhook-attempt'], '1');
      assert.equal(second.headers['x-webhook-attempt'], '2');
      assert.equal(second.headers['x-api-key'], API_KEY);
      const signature = second.headers['x-signature'] as string;
      assert.equal(signature, signWebhook(second.body, API_SECRET));
      assert.ok(server.verifyWebhook(second.body, signature), "stream-chat's own verification accepts it");

      const event = JSON.parse(second.body) as {
        type: string;
        cid: string;
        message: { id: string };
        members: Array<{
          user_id: string;
          user: { channel_unread_count: number; channel_last_read_at: string };
        }>;
      };
      assert.equal(event.type, 'message.new');
      assert.equal(event.cid, 'hub-group:algebra');
      const student = event.members.find((member) => member.user_id === 's-01');
      assert.ok(student, 'members are listed');
      assert.ok(student.user.channel_unread_count >= 1);
      assert.ok(student.user.channel_last_read_at);
    });

    it('posts member and reaction events too', async () => {
      webhooks.received.length = 0;
      await server.channel('hub-group', 'algebra').addMembers(['s-02']);
      const { message } = await server
        .channel('hub-group', 'algebra')
        .sendMessage({ text: 'react', user_id: 't-ada' });
      await server
        .channel('hub-group', 'algebra')
        .sendReaction(message.id, { type: 'like', user_id: 's-02' });
      await running.emulator.webhooksIdle();
      const types = webhooks.received.map((hook) => (JSON.parse(hook.body) as { type: string }).type);
      assert.ok(types.includes('member.added'));
      assert.ok(types.includes('reaction.new'));
    });
  });

  describe('persistence', () => {
    it('keeps users, channels, members, messages, reactions, pins and reads across a restart', async () => {
      const channel = server.channel('hub-group', 'algebra');
      const { message } = await channel.sendMessage({ text: 'Survives a restart', user_id: 't-ada' });
      await channel.sendReaction(message.id, { type: 'love', user_id: 's-01' });
      await server.pinMessage(message.id, null, 't-ada');
      await channel.markRead({ user_id: 's-01' } as never);

      for (const client of clients.splice(0)) await client.disconnectUser(500);
      await running.stop();
      running = await startEmulator(db, { now, onError: () => undefined });
      server = serverClient(running.baseURL);

      const [restored] = await server.queryChannels({ id: 'algebra' }, {}, { user_id: 's-01' } as never);
      assert.ok(restored);
      assert.equal((restored.data as { name?: string }).name, 'Algebra');
      assert.ok(restored.state.members['s-01']);
      const found = restored.state.messages.find((m) => m.id === message.id);
      assert.equal(found?.text, 'Survives a restart');
      assert.equal(found?.reaction_groups?.love?.count, 1);
      assert.ok(restored.state.pinnedMessages.some((m) => m.id === message.id));
      assert.equal(restored.state.read['s-01']?.unread_messages, 0);

      const student = await connect('s-01');
      const [again] = await student.queryChannels({ id: 'algebra' });
      assert.equal(again?.state.messages.at(-1)?.id, message.id);
    });
  });
});
