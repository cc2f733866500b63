/**
 * GetStream user tokens expire (`HUB_STREAM_TOKEN_TTL_S`, default one hour) and a connected client keeps
 * working across the expiry: the emulator answers an expired token as GetStream does (401, code 40), and
 * `stream-chat` asks its token provider — in the SDK, `POST /v1/chat/token` — for a fresh one and retries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { decodeJwt } from 'jose';
import type { Kysely } from 'kysely';
import type { StreamChat } from 'stream-chat';
import { StreamChatProvider } from '../adapters/chat/stream-provider.ts';
import {
  API_KEY,
  API_SECRET,
  connectUser,
  createTestDatabase,
  serverClient,
  startEmulator,
  type RunningEmulator,
} from '../emulators/stream/test-support.ts';
import { json } from '../testing/http.ts';
import { createMemoryLogger } from '../logger.ts';
import { createTestApp } from '../testing/test-app.ts';

describe('Stream user tokens that expire', () => {
  it('POST /v1/chat/token mints a token that expires after HUB_STREAM_TOKEN_TTL_S, and says when', async () => {
    const hub = await createTestApp({ env: { HUB_STREAM_TOKEN_TTL_S: '120' } });
    try {
      const body = await json<{ token: string; expiresAt: string }>(
        await hub.requestAs('s-01', '/v1/chat/token', { method: 'POST' }),
      );
      const claims = decodeJwt(body.token);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 120);
      assert.equal(new Date(body.expiresAt).getTime(), (claims.exp ?? 0) * 1000);
    } finally {
      await hub.close();
    }
  });

  describe('a connected stream-chat client across the expiry of its token', () => {
    let pglite: PGlite;
    let db: Kysely<unknown>;
    let running: RunningEmulator;
    let provider: StreamChatProvider;
    let client: StreamChat;
    // One clock for the hub's minting and the emulator's checks, moved on instead of waiting.
    let offsetMs = 0;
    const now = () => new Date(Date.now() + offsetMs);
    let minted = 0;

    before(async () => {
      ({ pglite, db } = await createTestDatabase());
      running = await startEmulator(db, { now, onError: () => undefined });
      provider = new StreamChatProvider({
        kind: 'emulator',
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        baseURL: running.baseURL,
        clientBaseURL: running.baseURL,
        clock: { now },
        logger: createMemoryLogger(),
        tokenTtlSeconds: 60,
      });
      const server = serverClient(running.baseURL);
      await server.upsertUsers([
        { id: 't-ada', name: 'Ada Lovelace' },
        { id: 's-01', name: 'Student One' },
      ]);
      await server
        .channel('hub-group', 'algebra', {
          name: 'Algebra',
          members: ['t-ada', 's-01'],
          created_by_id: 't-ada',
        } as never)
        .create();
      // As the SDK's chat session does: every call of the provider fetches a fresh token.
      client = await connectUser(running.baseURL, { id: 's-01' }, async () => {
        minted += 1;
        return (await provider.userToken('s-01')).token;
      });
    });

    after(async () => {
      await client.disconnectUser(500);
      await running.stop();
      await db.destroy();
      await pglite.close();
    });

    it('reads and sends after the token expired, with one fresh token from the provider', async () => {
      assert.equal(minted, 1);
      const channel = client.channel('hub-group', 'algebra');
      await channel.watch();
      offsetMs += 61_000;
      const sent = await channel.sendMessage({ text: 'after the first token expired' });
      assert.equal(sent.message.text, 'after the first token expired');
      assert.equal(minted, 2, 'the provider was asked for a fresh token once');
      const [listed] = await client.queryChannels({ id: 'algebra' });
      assert.ok(listed?.state.messages.some((message) => message.text === 'after the first token expired'));
      assert.equal(minted, 2, 'the fresh token serves the next calls');
    });

    it('keeps working through a second expiry', async () => {
      offsetMs += 61_000;
      const channels = await client.queryChannels({ id: 'algebra' });
      assert.equal(channels.length, 1);
      assert.equal(minted, 3);
    });
  });
});
