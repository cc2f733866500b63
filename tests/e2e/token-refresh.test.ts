/**
 * Tokens refreshed by the SDK before they expire, against the real hub (dev mode: the GetStream emulator
 * and the mesh relay, in-process) with lifetimes of seconds instead of hours. `HUB_STREAM_TOKEN_TTL_S` and
 * `HUB_MESH_TOKEN_TTL_S` accept 60 s at least, so the test sets the parsed configuration's lifetimes
 * directly; everything else is the hub as `main.ts` builds it.
 *
 * - Chat: the real `stream-chat` client in `client.chat` stays connected across several Stream token
 *   lifetimes; each fresh token was fetched before the one it replaces expired (so Stream never had to
 *   refuse one), and messages flow both ways afterwards.
 * - Calls: the mesh engine's signalling socket, cut (through a TCP proxy the test controls) after the
 *   first mesh token expired, reconnects with a refreshed token; the first one is refused by then.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import NodeWebSocket from 'ws';
import { decodeJwt } from 'jose';
import type { ChatTokenResponse } from '../../packages/core/src/chat/chat-types.ts';
import { CallsService } from '../../packages/core/src/calls/calls-service.ts';
import { MeshEngine } from '../../packages/core/src/calls/mesh-engine.ts';
import { HubClient } from '../../packages/core/src/hub-client.ts';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/env.ts';
import { createMemoryLogger } from '../../server/src/logger.ts';
import { serveHub, type ServedHub } from '../../server/src/serve.ts';
import { createServices, type Services } from '../../server/src/services.ts';
import { freePort } from '../../server/src/testing/hub-process.ts';
import { pgliteTemplate } from '../../server/src/testing/pglite-template.ts';
import { RATE_LIMITS_OFF } from '../../server/src/testing/test-app.ts';
import { connectToMesh } from '../../server/src/testing/mesh.ts';

const TTL_S = 8;

// The mesh engine is browser code: Node 20 has no global WebSocket (the `ws` package speaks the same
// protocol) and no MediaStream (the engine makes an empty one for the camera; this call uses no devices).
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket;
globalThis.MediaStream ??= class {
  addTrack(): void {}
  removeTrack(): void {}
} as unknown as typeof MediaStream;

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await delay(20);
  }
}

/** A TCP proxy to `port` whose connections the test can cut, as a network failure would. */
async function startCuttableProxy(port: number): Promise<{ port: number; cut(): void; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no proxy port');
  return {
    port: address.port,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('tokens the SDK refreshes before they expire (real hub, lifetimes of seconds)', () => {
  let services: Services;
  let served: ServedHub;
  let url: string;
  const clients: HubClient[] = [];

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      HUB_DATA_DIR: 'memory',
      HUB_PUBLIC_URL: url,
      PORT: String(port),
      ...RATE_LIMITS_OFF,
    });
    config.tokenTtlSeconds = { stream: TTL_S, mesh: TTL_S };
    services = await createServices(config, {
      logger: createMemoryLogger(),
      pgliteTemplate: await pgliteTemplate(),
    });
    served = await serveHub(services, createApp(services), { port, hostname: '127.0.0.1' });
  });

  after(async () => {
    for (const client of clients) client.chat.disconnect();
    await delay(200);
    served?.server.close();
    await services?.close();
  });

  /** A hub client signed in as `userId` (dev tokens); `onChatToken` sees each `POST /v1/chat/token` answer. */
  function signIn(userId: string, onChatToken?: (askedAt: number, answer: ChatTokenResponse) => void) {
    const client = new HubClient({
      server: url,
      tokenProvider: async () => {
        const response = await fetch(`${url}/v1/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId }),
        });
        return ((await response.json()) as { token: string }).token;
      },
      fetch: async (input, init) => {
        const askedAt = Date.now();
        const response = await fetch(input, init);
        if (onChatToken && String(input).endsWith('/v1/chat/token') && response.ok) {
          onChatToken(askedAt, (await response.clone().json()) as ChatTokenResponse);
        }
        return response;
      },
      createEventSource: () => new EventTarget() as unknown as EventSource,
    });
    clients.push(client);
    return client;
  }

  it('keeps stream-chat connected across several Stream token lifetimes, refreshing each before it ends', async () => {
    const fetched: { askedAt: number; expiresAt: number; lifetimeS: number }[] = [];
    const sam = signIn('s-01', (askedAt, answer) => {
      const claims = decodeJwt(answer.token);
      fetched.push({
        askedAt,
        expiresAt: Date.parse(answer.expiresAt),
        lifetimeS: (claims.exp ?? 0) - (claims.iat ?? 0),
      });
    });
    const ada = signIn('t-ada');
    await ada.chat.connect();
    const group = await ada.chat.createGroup('Token refresh check', ['s-01']);
    await sam.chat.connect();
    const samView = await sam.chat.conversation(group.id);
    await samView.open();
    const adaView = await ada.chat.conversation(group.id);
    await adaView.open();
    assert.equal(fetched.length, 1);
    assert.equal(fetched[0]?.lifetimeS, TTL_S, 'the hub minted a short token');

    // Two whole lifetimes past the first token's end, while the session runs on its own.
    const firstExpiry = fetched[0]?.expiresAt ?? 0;
    await until(() => Date.now() > firstExpiry + TTL_S * 1000 + 500, 'two token lifetimes passed', 60_000);

    assert.ok(fetched.length >= 3, `a fresh token per lifetime (${fetched.length} fetched)`);
    for (let at = 1; at < fetched.length; at += 1) {
      const previous = fetched[at - 1] as (typeof fetched)[number];
      const next = fetched[at] as (typeof fetched)[number];
      assert.ok(
        next.askedAt < previous.expiresAt,
        `token ${at + 1} was asked for before token ${at} expired (no expired-token refusal made stream-chat ask)`,
      );
    }

    // Messages flow both ways: Ada's arrives over Sam's WebSocket, Sam's goes out with the current token.
    await adaView.send('Still here after the tokens expired?');
    await until(
      () => samView.state.messages.some((message) => message.text === 'Still here after the tokens expired?'),
      'Sam received Ada’s message live',
    );
    await samView.send('Yes, still connected.');
    await until(
      () => adaView.state.messages.some((message) => message.text === 'Yes, still connected.'),
      'Ada received Sam’s answer live',
    );
    const countBefore = fetched.length;
    sam.chat.disconnect();
    await delay(TTL_S * 1000);
    assert.ok(fetched.length <= countBefore + 1, 'closing the session stopped its refresh timer');
  });

  it('reconnects the mesh signalling with a refreshed token after the first one expired', async () => {
    const ada = signIn('t-ada');
    const proxy = await startCuttableProxy(served.address.port);
    const opened: { at: number; token: string }[] = [];
    try {
      const calls = new CallsService(ada.api, ada.live, ada.tokens, {
        createEngine: async (engine) => {
          assert.equal(engine, 'mesh', 'dev mode runs the mesh');
          return new MeshEngine({
            reconnectBackoff: { initialMs: 100, maxMs: 500 },
            createWebSocket: (signalUrl) => {
              const parsed = new URL(signalUrl);
              opened.push({ at: Date.now(), token: parsed.searchParams.get('token') ?? '' });
              parsed.host = `127.0.0.1:${proxy.port}`;
              return new NodeWebSocket(parsed.toString()) as unknown as WebSocket;
            },
          });
        },
      });
      const { chats } = await ada.api.chats();
      const chat = chats.find((each) => each.name === 'Token refresh check');
      assert.ok(chat, 'the group from the chat test');
      // No devices in Node: the call is joined with microphone and camera off.
      const { call } = await ada.api.startCall(chat.id);
      await calls.join(call.id, { audio: false, video: false });
      assert.equal(calls.state.active?.connection, 'connected');
      assert.equal(opened.length, 1);
      const first = opened[0]?.token ?? '';
      const firstExp = (decodeJwt(first).exp ?? 0) * 1000;

      await until(() => Date.now() > firstExp + 1000, 'the first mesh token expired', 60_000);
      assert.equal(calls.state.active?.connection, 'connected', 'the open socket outlives its token');
      proxy.cut();
      await until(() => opened.length >= 2, 'the engine reconnects');
      await until(() => calls.state.active?.connection === 'connected', 'the relay let it back in');
      const used = opened.at(-1) as (typeof opened)[number];
      assert.notEqual(used.token, first, 'the reconnect used a refreshed token');
      assert.ok((decodeJwt(used.token).exp ?? 0) * 1000 > used.at, 'one that had not expired');
      await assert.rejects(
        connectToMesh(served, {
          engine: 'mesh',
          roomId: 'unused',
          role: 'teacher',
          authToken: first,
          signalUrl: `${url}/v1/mesh/connect`,
        }),
        /4401/,
        'the first token would have been refused',
      );

      await calls.end();
      assert.equal(calls.state.active?.connection, 'ended');
    } finally {
      proxy.close();
    }
  });
});
