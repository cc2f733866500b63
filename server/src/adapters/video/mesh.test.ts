import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { WebSocket } from 'ws';
import {
  MESH_CLOSE,
  MESH_MAX_PEERS,
  type MeshServerMessage,
  type Role,
  type VideoGrant,
} from '@teacher-hub/protocol';
import { fixedClock } from '../../domain/clock.ts';
import { MeshRelay, type MeshRelayOptions } from './mesh-relay.ts';
import { MESH_TOKEN_AUDIENCE } from './mesh-token.ts';
import { meshSignalUrl, MeshVideoProvider } from './mesh.ts';

const secret = randomBytes(32);
const clock = fixedClock(new Date());
const OFFER = { description: { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } };

interface Client {
  socket: WebSocket;
  received: MeshServerMessage[];
  /** The first message of this type not taken yet (waits for it). */
  next<T extends MeshServerMessage['type']>(type: T): Promise<Extract<MeshServerMessage, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves once the relay has handled everything this client sent before. */
  roundTrip(): Promise<void>;
}

interface Hub {
  relay: MeshRelay;
  provider: MeshVideoProvider;
  port: number;
  /** Rooms the calls table would say have ended. */
  endedCalls: Set<string>;
  joins: string[];
  leaves: string[];
  grant(userId: string, roomId?: string, role?: Role): Promise<VideoGrant>;
  connect(grantOrToken: VideoGrant | string, options?: { autoPong?: boolean }): Client;
  /** Connects and waits for `welcome`. */
  join(userId: string, roomId?: string): Promise<Client & { peerId: string }>;
}

describe('the local mesh', () => {
  const hubs: Array<{ server: Server; relay: MeshRelay; clients: WebSocket[] }> = [];

  async function startHub(overrides: Partial<MeshRelayOptions> = {}): Promise<Hub> {
    const endedCalls = new Set<string>();
    const joins: string[] = [];
    const leaves: string[] = [];
    const relay = new MeshRelay({
      secret,
      clock,
      isRoomOpen: (roomId) => Promise.resolve(!endedCalls.has(roomId)),
      onJoin: (roomId, userId) => joins.push(`${roomId}:${userId}`),
      onLeave: (roomId, userId) => leaves.push(`${roomId}:${userId}`),
      ...overrides,
    });
    const server = createServer((_request, response) => response.writeHead(404).end());
    server.on('upgrade', (request, socket, head) => relay.handleUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const provider = new MeshVideoProvider({ secret, publicUrl: `http://127.0.0.1:${port}`, clock, relay });
    const clients: WebSocket[] = [];
    hubs.push({ server, relay, clients });

    const connect = (grantOrToken: VideoGrant | string, options: { autoPong?: boolean } = {}): Client => {
      const url =
        typeof grantOrToken === 'string'
          ? `ws://127.0.0.1:${port}/v1/mesh/connect?token=${encodeURIComponent(grantOrToken)}`
          : `${grantOrToken.signalUrl}?token=${encodeURIComponent(grantOrToken.authToken)}`;
      const socket = new WebSocket(url, { autoPong: options.autoPong ?? true });
      clients.push(socket);
      const received: MeshServerMessage[] = [];
      const taken = new Set<number>();
      const waiting: Array<() => void> = [];
      socket.on('message', (data: Buffer) => {
        received.push(JSON.parse(data.toString('utf8')) as MeshServerMessage);
        for (const wake of waiting.splice(0)) wake();
      });
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        socket.on('close', (code, reason) => {
          resolve({ code, reason: reason.toString('utf8') });
          for (const wake of waiting.splice(0)) wake();
        });
      });
      const next = <T extends MeshServerMessage['type']>(type: T) =>
        new Promise<Extract<MeshServerMessage, { type: T }>>((resolve, reject) => {
          const look = () => {
            const index = received.findIndex((message, at) => message.type === type && !taken.has(at));
            if (index >= 0) {
              taken.add(index);
              return resolve(received[index] as Extract<MeshServerMessage, { type: T }>);
            }
            if (socket.readyState === WebSocket.CLOSED) return reject(new Error(`closed before ${type}`));
            waiting.push(look);
          };
          look();
        });
      const send = (message: unknown) =>
        socket.send(typeof message === 'string' ? message : JSON.stringify(message));
      return {
        socket,
        received,
        next,
        closed,
        send,
        roundTrip: async () => {
          send({ type: 'ping' });
          await next('pong');
        },
      };
    };

    const grant = (
      userId: string,
      roomId = 'call-1',
      role: Role = userId.startsWith('t-') ? 'teacher' : 'student',
    ) => provider.grant({ roomId, userId, name: `Name of ${userId}`, role });

    return {
      relay,
      provider,
      port,
      endedCalls,
      joins,
      leaves,
      grant,
      connect,
      async join(userId, roomId) {
        const client = connect(await grant(userId, roomId));
        const welcome = await client.next('welcome');
        return Object.assign(client, { peerId: welcome.peerId });
      },
    };
  }

  beforeEach(() => clock.set(new Date()));

  afterEach(async () => {
    for (const { server, relay, clients } of hubs.splice(0)) {
      for (const client of clients) client.terminate();
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('MeshVideoProvider', () => {
    it('creates a room named as asked, with nothing to call', async () => {
      const hub = await startHub();
      assert.deepEqual(await hub.provider.createRoom({ name: 'call-42', description: 'Algebra I' }), {
        roomId: 'call-42',
      });
    });

    it('grants a signed token for the room with the signalling URL and no ICE servers', async () => {
      const hub = await startHub();
      const grant = await hub.grant('t-ada', 'call-42');

      assert.equal(grant.engine, 'mesh');
      assert.equal(grant.roomId, 'call-42');
      assert.equal(grant.role, 'teacher');
      assert.equal(grant.signalUrl, `ws://127.0.0.1:${hub.port}/v1/mesh/connect`);
      assert.deepEqual(grant.iceServers, []);
      const { payload, protectedHeader } = await jwtVerify(grant.authToken, secret, {
        algorithms: ['HS256'],
        audience: MESH_TOKEN_AUDIENCE,
        currentDate: clock.now(),
      });
      assert.equal(protectedHeader.alg, 'HS256');
      assert.equal(payload.sub, 't-ada');
      assert.equal(payload.name, 'Name of t-ada');
      assert.equal(payload.role, 'teacher');
      assert.equal(payload.room, 'call-42');
      assert.equal(payload.iat, Math.floor(clock.now().getTime() / 1000));
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 2 * 60 * 60);
    });

    it('derives ws:// from http:// and wss:// from https:// public URLs', () => {
      assert.equal(meshSignalUrl('http://localhost:8787'), 'ws://localhost:8787/v1/mesh/connect');
      assert.equal(meshSignalUrl('https://hub.school.example/'), 'wss://hub.school.example/v1/mesh/connect');
    });

    it('refuses a secret shorter than 32 bytes', async () => {
      const hub = await startHub();
      assert.throws(
        () =>
          new MeshVideoProvider({ secret: randomBytes(16), publicUrl: 'http://x', clock, relay: hub.relay }),
        /at least 32 bytes/,
      );
    });
  });

  describe('joining', () => {
    it('welcomes a newcomer with the others in the room and tells the others', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const sam = await hub.join('s-01');

      const welcome = sam.received.find((message) => message.type === 'welcome');
      assert.deepEqual(welcome, {
        type: 'welcome',
        peerId: sam.peerId,
        peers: [
          {
            peerId: ada.peerId,
            userId: 't-ada',
            name: 'Name of t-ada',
            role: 'teacher',
            media: { audio: false, video: false, screen: false },
          },
        ],
      });
      const joined = await ada.next('peer-joined');
      assert.deepEqual(joined.peer, {
        peerId: sam.peerId,
        userId: 's-01',
        name: 'Name of s-01',
        role: 'student',
        media: { audio: false, video: false, screen: false },
      });
      assert.equal(hub.relay.peerCount('call-1'), 2);
      assert.deepEqual(hub.joins, ['call-1:t-ada', 'call-1:s-01']);
    });

    it('keeps rooms apart: a newcomer sees only its own room', async () => {
      const hub = await startHub();
      await hub.join('t-ada', 'call-1');
      const kim = await hub.join('s-02', 'call-2');
      assert.deepEqual(
        kim.received.find((message) => message.type === 'welcome'),
        { type: 'welcome', peerId: kim.peerId, peers: [] },
      );
    });

    it(`refuses a peer beyond ${MESH_MAX_PEERS} with 4429, but lets one of them reconnect`, async () => {
      const hub = await startHub();
      const members = ['t-ada', 's-01', 's-02', 's-03', 's-04', 's-05'];
      assert.equal(members.length, MESH_MAX_PEERS);
      for (const userId of members) await hub.join(userId);

      const seventh = hub.connect(await hub.grant('s-06'));
      assert.equal((await seventh.closed).code, MESH_CLOSE.full);
      assert.equal(hub.relay.peerCount('call-1'), MESH_MAX_PEERS);

      const again = await hub.join('s-03');
      assert.ok(again.peerId);
      assert.equal(hub.relay.peerCount('call-1'), MESH_MAX_PEERS);
    });

    it('replaces the same user’s older connection (4409): the others see it leave, then the new one join', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const firstTab = await hub.join('s-01');
      await ada.next('peer-joined');

      const secondTab = await hub.join('s-01');
      assert.deepEqual(await firstTab.closed, {
        code: MESH_CLOSE.replaced,
        reason: 'joined again elsewhere',
      });
      assert.deepEqual(await ada.next('peer-left'), { type: 'peer-left', peerId: firstTab.peerId });
      assert.equal((await ada.next('peer-joined')).peer.peerId, secondTab.peerId);
      const order = ada.received.map((message) => message.type);
      assert.ok(order.lastIndexOf('peer-left') < order.lastIndexOf('peer-joined'));
      assert.deepEqual(
        secondTab.received.find((message) => message.type === 'welcome'),
        {
          type: 'welcome',
          peerId: secondTab.peerId,
          peers: [
            {
              peerId: ada.peerId,
              userId: 't-ada',
              name: 'Name of t-ada',
              role: 'teacher',
              media: { audio: false, video: false, screen: false },
            },
          ],
        },
      );
      assert.equal(hub.relay.peerCount('call-1'), 2);
      assert.deepEqual(hub.leaves, [], 'the user never left the room');
    });

    it('tells the others when a peer leaves, and reports the leave', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const sam = await hub.join('s-01');
      sam.socket.close(1000);
      assert.deepEqual(await ada.next('peer-left'), { type: 'peer-left', peerId: sam.peerId });
      assert.equal(hub.relay.peerCount('call-1'), 1);
      assert.deepEqual(hub.leaves, ['call-1:s-01']);
    });
  });

  describe('refusals', () => {
    it('refuses a missing, malformed or forged token with 4401', async () => {
      const hub = await startHub();
      const forged = await new SignJWT({ name: 'Eve', role: 'teacher', room: 'call-1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('t-eve')
        .setAudience(MESH_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(randomBytes(32));
      for (const token of ['', 'not-a-jwt', forged]) {
        const client = hub.connect(token);
        assert.equal((await client.closed).code, MESH_CLOSE.unauthorized, `token ${JSON.stringify(token)}`);
      }
      assert.equal(hub.relay.peerCount('call-1'), 0);
    });

    it('refuses an expired token with 4401', async () => {
      const hub = await startHub();
      const grant = await hub.grant('s-01');
      clock.advance(2 * 60 * 60 * 1000 + 1000);
      assert.equal((await hub.connect(grant).closed).code, MESH_CLOSE.unauthorized);
    });

    it('refuses a token signed with the right key but another algorithm, or unsigned, with 4401', async () => {
      const hub = await startHub();
      const claims = { name: 'Sam', role: 'student', room: 'call-1', sub: 's-01', aud: MESH_TOKEN_AUDIENCE };
      const hs512 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS512' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret);
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode({ alg: 'none' })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
      for (const token of [hs512, unsigned]) {
        assert.equal((await hub.connect(token).closed).code, MESH_CLOSE.unauthorized);
      }
    });

    it('refuses a token that is not a mesh token (no mesh audience) with 4401', async () => {
      const hub = await startHub();
      const other = await new SignJWT({ name: 'Sam', role: 'student', room: 'call-1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('s-01')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret);
      assert.equal((await hub.connect(other).closed).code, MESH_CLOSE.unauthorized);
    });

    it('refuses a room whose call has ended with 4410', async () => {
      const hub = await startHub();
      hub.endedCalls.add('call-1');
      const client = hub.connect(await hub.grant('s-01'));
      assert.deepEqual(await client.closed, { code: MESH_CLOSE.ended, reason: 'the call ended' });
      assert.deepEqual(hub.joins, []);
    });

    it('closes with 1011 when the calls table cannot be asked', async () => {
      const hub = await startHub({ isRoomOpen: () => Promise.reject(new Error('database down')) });
      assert.equal((await hub.connect(await hub.grant('s-01')).closed).code, 1011);
    });

    it('answers 404 to an upgrade on another path', async () => {
      const hub = await startHub();
      const socket = new WebSocket(`ws://127.0.0.1:${hub.port}/v1/other`);
      const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
      assert.match(error.message, /404/);
    });
  });

  describe('ending a room', () => {
    it('sends room-ended to everyone, closes them with 4410 and refuses anyone after', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const sam = await hub.join('s-01');
      const other = await hub.join('s-02', 'call-2');

      await hub.provider.endRoom('call-1', 'The teacher ended the call');

      for (const client of [ada, sam]) {
        assert.deepEqual(await client.next('room-ended'), { type: 'room-ended' });
        assert.equal((await client.closed).code, MESH_CLOSE.ended);
      }
      assert.equal(hub.relay.peerCount('call-1'), 0);
      // Refused even while the calls table has not caught up yet.
      const late = hub.connect(await hub.grant('s-03'));
      assert.equal((await late.closed).code, MESH_CLOSE.ended);
      // Another room is untouched.
      await other.roundTrip();
      assert.equal(hub.relay.peerCount('call-2'), 1);
    });

    it('is idempotent and fine for a room nobody joined', async () => {
      const hub = await startHub();
      await hub.provider.endRoom('call-9', 'ended');
      await hub.provider.endRoom('call-9', 'ended');
      assert.equal((await hub.connect(await hub.grant('s-01', 'call-9')).closed).code, MESH_CLOSE.ended);
    });
  });

  // A relay that does not close her socket fails these by the timeout, not by hanging.
  describe('removing a peer (rule 9)', { timeout: 10_000 }, () => {
    const reason = 'You are no longer enrolled in this class, so you left the call.';

    it('closes her connection with 4403, tells the others and reports the leave; the rest stay', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const grant = await hub.grant('s-01');
      const sam = hub.connect(grant);
      const { peerId } = await sam.next('welcome');
      const ben = await hub.join('s-02');
      const elsewhere = await hub.join('s-01', 'call-2');
      await ada.next('peer-joined');
      await ada.next('peer-joined');

      await hub.provider.removePeer({ roomId: 'call-1', userId: 's-01', reason });

      assert.deepEqual(await sam.closed, { code: MESH_CLOSE.removed, reason: 'removed from the call' });
      for (const client of [ada, ben])
        assert.deepEqual(await client.next('peer-left'), { type: 'peer-left', peerId });
      assert.equal(hub.relay.peerCount('call-1'), 2);
      assert.deepEqual(
        hub.leaves.filter((leave) => leave.endsWith(':s-01')),
        ['call-1:s-01'],
        'reported once, as her last connection closing',
      );
      // Her other room is not this one's business.
      await elsewhere.roundTrip();

      // The token she holds is refused, even before anyone asks the calls table.
      const again = hub.connect(grant);
      assert.equal((await again.closed).code, MESH_CLOSE.removed);
      assert.equal(hub.relay.peerCount('call-1'), 2);
    });

    it('lets her in again with a new grant (the hub let her back in), and not with the old one before it', async () => {
      const hub = await startHub();
      const old = await hub.grant('s-01');
      await hub.provider.removePeer({ roomId: 'call-1', userId: 's-01', reason });
      assert.equal((await hub.connect(old).closed).code, MESH_CLOSE.removed, 'removed before she was in');

      const fresh = hub.connect(await hub.grant('s-01'));
      await fresh.next('welcome');
      assert.equal(hub.relay.peerCount('call-1'), 1);
    });

    it('is idempotent, and fine for an ended room', async () => {
      const hub = await startHub();
      await hub.join('t-ada');
      await hub.provider.removePeer({ roomId: 'call-1', userId: 's-01', reason });
      await hub.provider.removePeer({ roomId: 'call-1', userId: 's-01', reason });
      assert.equal(hub.relay.peerCount('call-1'), 1);
      await hub.provider.endRoom('call-1', 'ended');
      await hub.provider.removePeer({ roomId: 'call-1', userId: 't-ada', reason });
      assert.equal((await hub.connect(await hub.grant('s-01')).closed).code, MESH_CLOSE.ended);
    });
  });

  describe('messages', () => {
    it('passes a signal only to the peer it is addressed to, marked with the sender', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const sam = await hub.join('s-01');
      const kim = await hub.join('s-02');

      ada.send({ type: 'signal', to: sam.peerId, signal: OFFER });
      assert.deepEqual(await sam.next('signal'), { type: 'signal', from: ada.peerId, signal: OFFER });
      const candidate = {
        candidate: {
          candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: 'abcd',
        },
      };
      sam.send({ type: 'signal', to: ada.peerId, signal: candidate });
      assert.deepEqual(await ada.next('signal'), { type: 'signal', from: sam.peerId, signal: candidate });

      await Promise.all([ada.roundTrip(), sam.roundTrip()]);
      await kim.roundTrip();
      assert.equal(kim.received.filter((message) => message.type === 'signal').length, 0);
    });

    it('does not pass a signal to a peer of another room, nor to an unknown peer', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada', 'call-1');
      const bob = await hub.join('t-bob', 'call-2');

      ada.send({ type: 'signal', to: bob.peerId, signal: OFFER });
      ada.send({ type: 'signal', to: 'no-such-peer', signal: { candidate: null } });
      await ada.roundTrip();
      await bob.roundTrip();
      assert.equal(bob.received.filter((message) => message.type === 'signal').length, 0);
      assert.equal(ada.socket.readyState, WebSocket.OPEN, 'an unknown peer is no error');
    });

    it('broadcasts a media change to the others, and a later newcomer sees it', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const sam = await hub.join('s-01');
      const media = { audio: true, video: true, screen: false };

      ada.send({ type: 'media', media });
      const updated = await sam.next('peer-updated');
      assert.deepEqual(updated.peer, {
        peerId: ada.peerId,
        userId: 't-ada',
        name: 'Name of t-ada',
        role: 'teacher',
        media,
      });
      await ada.roundTrip();
      assert.equal(ada.received.filter((message) => message.type === 'peer-updated').length, 0);

      const kim = await hub.join('s-02');
      const welcome = kim.received.find((message) => message.type === 'welcome');
      assert.deepEqual(
        welcome?.type === 'welcome' && welcome.peers.find((peer) => peer.peerId === ada.peerId)?.media,
        media,
      );
    });

    it('answers ping with pong', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      ada.send({ type: 'ping' });
      assert.deepEqual(await ada.next('pong'), { type: 'pong' });
    });

    it('closes a connection that sends anything but the protocol with 4400, and tells the others it left', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const bad: Array<[string, unknown]> = [
        ['not JSON', '{"type":'],
        ['an unknown type', { type: 'shout', text: 'hi' }],
        ['a signal without a target', { type: 'signal', signal: OFFER }],
        [
          'an unknown description type',
          { type: 'signal', to: ada.peerId, signal: { description: { type: 'x' } } },
        ],
        ['media with a missing flag', { type: 'media', media: { audio: true, video: false } }],
        ['an extra field', { type: 'ping', extra: 1 }],
        [
          'a message over 64 KiB',
          {
            type: 'signal',
            to: ada.peerId,
            signal: { description: { type: 'offer', sdp: 'a'.repeat(70_000) } },
          },
        ],
      ];
      for (const [what, message] of bad) {
        const sam = await hub.join('s-01');
        sam.send(message);
        assert.equal((await sam.closed).code, MESH_CLOSE.badMessage, what);
        assert.equal((await ada.next('peer-left')).peerId, sam.peerId, what);
      }
      const binary = await hub.join('s-02');
      binary.socket.send(Buffer.from([1, 2, 3]));
      assert.equal((await binary.closed).code, MESH_CLOSE.badMessage, 'a binary frame');
      assert.equal(ada.socket.readyState, WebSocket.OPEN);
    });
  });

  describe('liveness', () => {
    it('drops a connection that stops answering pings, and the others see it leave', async () => {
      const hub = await startHub({ heartbeatMs: 50 });
      const ada = await hub.join('t-ada');
      const silent = hub.connect(await hub.grant('s-01'), { autoPong: false });
      const { peerId } = await silent.next('welcome');

      assert.deepEqual(await ada.next('peer-left'), { type: 'peer-left', peerId });
      assert.equal((await silent.closed).code, 1006);
      assert.equal(ada.socket.readyState, WebSocket.OPEN, 'a browser that answers pings stays');
      assert.deepEqual(hub.leaves, ['call-1:s-01']);
    });

    it('closes every connection with 1001 when the relay closes, and takes no more', async () => {
      const hub = await startHub();
      const ada = await hub.join('t-ada');
      const kim = await hub.join('s-02', 'call-2');
      await hub.relay.close();
      assert.equal((await ada.closed).code, 1001);
      assert.equal((await kim.closed).code, 1001);
      const socket = new WebSocket(`ws://127.0.0.1:${hub.port}/v1/mesh/connect?token=x`);
      const error = await new Promise<Error>((resolve) => socket.on('error', resolve));
      assert.match(error.message, /503/);
    });
  });
});
