import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { fixedClock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import { startHmsPeer, type HmsPeer } from '../../testing/peers/hms-peer.ts';
import { createTestPki, type TestPki } from '../../testing/peers/tls.ts';
import { HmsVideoProvider, type HmsVideoProviderOptions } from './hms.ts';

const ACCESS_KEY = '6571d1f0a1b2c3d4e5f60718';
const APP_SECRET = 'app-secret-for-tests-only-0123456789abcdef';
const TEMPLATE_ID = '6571d2aaa1b2c3d4e5f60719';
const HOUR = 60 * 60 * 1000;
const secretKey = new TextEncoder().encode(APP_SECRET);

async function assertUnavailable(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.code, 'UNAVAILABLE');
    assert.equal(error.status, 503);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, new RegExp(APP_SECRET));
    return true;
  });
}

describe('HmsVideoProvider', () => {
  let pki: TestPki;
  let peer: HmsPeer;
  const clock = fixedClock(new Date());
  const providers: HmsVideoProvider[] = [];

  const newProvider = (overrides: Partial<HmsVideoProviderOptions> = {}) => {
    const provider = new HmsVideoProvider({
      accessKey: ACCESS_KEY,
      appSecret: APP_SECRET,
      templateId: TEMPLATE_ID,
      apiUrl: peer.apiUrl,
      teacherRole: 'host',
      studentRole: 'guest',
      clock,
      ca: pki.caPem,
      ...overrides,
    });
    providers.push(provider);
    return provider;
  };

  before(async () => {
    pki = await createTestPki();
    peer = await startHmsPeer({
      pki,
      accessKey: ACCESS_KEY,
      appSecret: APP_SECRET,
      templateIds: [TEMPLATE_ID],
      now: () => clock.now().getTime(),
    });
  });

  beforeEach(() => {
    clock.set(new Date());
    peer.reset();
  });

  afterEach(() => {
    for (const provider of providers.splice(0)) provider.close();
  });

  after(async () => {
    await peer.close();
    await pki.cleanup();
  });

  describe('createRoom', () => {
    it('creates a room from the template with the name and description it was given', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({
        name: 'call-c1',
        description: 'Algebra I: call by Ada',
      });

      const room = peer.rooms.get(roomId);
      assert.ok(room, 'the room exists on 100ms under the id the provider returned');
      assert.equal(room.name, 'call-c1');
      assert.equal(room.description, 'Algebra I: call by Ada');
      assert.equal(room.templateId, TEMPLATE_ID);
      assert.equal(room.enabled, true);
      assert.deepEqual(
        peer.requests.map((request) => [request.method, request.path, request.status]),
        [['POST', '/rooms', 200]],
      );
      assert.deepEqual(peer.requests[0]?.body, {
        name: 'call-c1',
        description: 'Algebra I: call by Ada',
        template_id: TEMPLATE_ID,
      });
    });

    it('answers the same room when the name exists already (a retried create)', async () => {
      const provider = newProvider();
      const first = await provider.createRoom({ name: 'call-c2', description: 'first' });
      const second = await provider.createRoom({ name: 'call-c2', description: 'retry' });
      assert.equal(second.roomId, first.roomId);
      assert.equal(peer.rooms.size, 1);
    });

    it('fails UNAVAILABLE when 100ms refuses the template', async () => {
      const provider = newProvider({ templateId: 'no-such-template' });
      await assertUnavailable(
        provider.createRoom({ name: 'call-c3', description: '' }),
        /100ms refused to create a room \(404: template not found\)/,
      );
    });
  });

  describe('endRoom', () => {
    it('ends a running session with lock: true and the reason, so nobody can join again', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-e1', description: '' });
      peer.startSession(roomId);

      await provider.endRoom(roomId, 'The teacher ended the call');

      const room = peer.rooms.get(roomId);
      assert.equal(room?.active, false);
      assert.equal(room?.enabled, false);
      const end = peer.requests.at(-1);
      assert.equal(end?.path, `/active-rooms/${roomId}/end-room`);
      assert.deepEqual(end?.body, { reason: 'The teacher ended the call', lock: true });
      assert.equal(end?.status, 200);
      assert.throws(() => peer.startSession(roomId), /disabled/);
    });

    it('locks a room nobody is in by disabling it (100ms has no active room to end)', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-e2', description: '' });

      await provider.endRoom(roomId, 'The teacher ended the call');

      assert.equal(peer.rooms.get(roomId)?.enabled, false);
      assert.deepEqual(
        peer.requests.slice(1).map((request) => [request.path, request.status, request.body]),
        [
          [`/active-rooms/${roomId}/end-room`, 404, { reason: 'The teacher ended the call', lock: true }],
          [`/rooms/${roomId}`, 200, { enabled: false }],
        ],
      );
    });

    it('is idempotent: ending an ended room again is no error and leaves it locked', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-e3', description: '' });
      peer.startSession(roomId);
      await provider.endRoom(roomId, 'ended');
      await provider.endRoom(roomId, 'ended');
      assert.equal(peer.rooms.get(roomId)?.enabled, false);
      assert.equal(peer.rooms.get(roomId)?.active, false);
    });

    it('fails UNAVAILABLE when the room does not exist at all', async () => {
      const provider = newProvider();
      await assertUnavailable(provider.endRoom('000000000000000000000000', 'ended'), /lock a room \(404/);
    });
  });

  describe('removePeer', () => {
    const reason = 'You are no longer enrolled in this class, so you left the call.';

    it("finds the user's peers by user_id and removes each by peer_id with the reason; the others stay", async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-r1', description: '' });
      peer.joinPeer(roomId, { userId: 't-ada', name: 'Ada', role: 'host' });
      const phone = peer.joinPeer(roomId, { userId: 's-01', name: 'Amara', role: 'guest' });
      const laptop = peer.joinPeer(roomId, { userId: 's-01', name: 'Amara', role: 'guest' });
      peer.joinPeer(roomId, { userId: 's-02', name: 'Ben', role: 'guest' });

      await provider.removePeer({ roomId, userId: 's-01', reason });

      assert.deepEqual(
        peer
          .peersIn(roomId)
          .map((entry) => entry.userId)
          .sort(),
        ['s-02', 't-ada'],
      );
      const [list, ...removals] = peer.requests.slice(1);
      assert.equal(list?.method, 'GET');
      assert.equal(list?.path, `/active-rooms/${roomId}/peers`);
      assert.deepEqual(list?.query, { user_id: 's-01' });
      assert.equal(list?.status, 200);
      assert.deepEqual(
        removals.map((request) => [request.method, request.path, request.status]),
        [
          ['POST', `/active-rooms/${roomId}/remove-peers`, 200],
          ['POST', `/active-rooms/${roomId}/remove-peers`, 200],
        ],
      );
      assert.deepEqual(
        removals.map((request) => request.body),
        [phone, laptop].map((peerId) => ({ peer_id: peerId, reason })),
        'by peer id (never by role, which would remove every student) and saying why',
      );
      assert.ok(removals.every((request) => request.claims?.type === 'management'));
    });

    it('is no error when the room has no session running, or the user is not in it', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-r2', description: '' });
      await provider.removePeer({ roomId, userId: 's-01', reason });
      assert.equal(peer.requests.at(-1)?.status, 404, 'no active room');

      peer.joinPeer(roomId, { userId: 's-02', name: 'Ben', role: 'guest' });
      await provider.removePeer({ roomId, userId: 's-01', reason });
      assert.equal(peer.requests.at(-1)?.method, 'GET', 'nobody to remove: no remove-peers request');
      assert.equal(peer.peersIn(roomId).length, 1);
    });

    it('fails UNAVAILABLE when 100ms refuses the listing or the removal', async () => {
      const provider = newProvider();
      const { roomId } = await provider.createRoom({ name: 'call-r3', description: '' });
      peer.joinPeer(roomId, { userId: 's-01', name: 'Amara', role: 'guest' });
      peer.failNext(1, 500);
      await assertUnavailable(provider.removePeer({ roomId, userId: 's-01', reason }), /list the peers/);
      assert.equal(peer.peersIn(roomId).length, 1);

      peer.failNext(1, 503, /remove-peers$/);
      await assertUnavailable(provider.removePeer({ roomId, userId: 's-01', reason }), /remove a peer \(503/);
      assert.equal(peer.peersIn(roomId).length, 1);

      await provider.removePeer({ roomId, userId: 's-01', reason });
      assert.equal(peer.peersIn(roomId).length, 0, 'a retry removes her');
    });
  });

  describe('grant', () => {
    it("gives a teacher a peer auth token for the room in the template's teacher role", async () => {
      const provider = newProvider();
      const grant = await provider.grant({ roomId: 'room-1', userId: 't-ada', name: 'Ada', role: 'teacher' });

      assert.equal(grant.engine, 'hms');
      assert.equal(grant.roomId, 'room-1');
      assert.equal(grant.role, 'host');
      assert.equal(grant.signalUrl, undefined);
      assert.equal(decodeProtectedHeader(grant.authToken).alg, 'HS256');
      const { payload } = await jwtVerify(grant.authToken, secretKey, {
        algorithms: ['HS256'],
        currentDate: clock.now(),
      });
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      assert.equal(payload.access_key, ACCESS_KEY);
      assert.equal(payload.room_id, 'room-1');
      assert.equal(payload.user_id, 't-ada');
      assert.equal(payload.role, 'host');
      assert.equal(payload.type, 'app');
      assert.equal(payload.version, 2);
      assert.equal(payload.iat, nowSeconds);
      assert.equal(payload.nbf, nowSeconds);
      assert.equal(payload.exp, nowSeconds + 24 * 3600);
      assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    });

    it("maps a student to the template's student role, with a new jti for every grant", async () => {
      const provider = newProvider();
      const first = await provider.grant({ roomId: 'room-1', userId: 's-01', name: 'Sam', role: 'student' });
      const second = await provider.grant({ roomId: 'room-1', userId: 's-01', name: 'Sam', role: 'student' });
      assert.equal(first.role, 'guest');
      const claims = await Promise.all(
        [first, second].map(async (grant) => (await jwtVerify(grant.authToken, secretKey)).payload),
      );
      assert.equal(claims[0]?.role, 'guest');
      assert.equal(claims[0]?.user_id, 's-01');
      assert.notEqual(claims[0]?.jti, claims[1]?.jti);
    });

    it('signs with the app secret, so a token checked with another secret fails', async () => {
      const provider = newProvider();
      const grant = await provider.grant({ roomId: 'room-1', userId: 's-02', name: 'Kim', role: 'student' });
      await assert.rejects(jwtVerify(grant.authToken, new TextEncoder().encode('another-secret-entirely')));
    });
  });

  describe('management token', () => {
    it('carries the claims 100ms documents and is reused across requests', async () => {
      const provider = newProvider();
      await provider.createRoom({ name: 'call-m1', description: '' });
      await provider.createRoom({ name: 'call-m2', description: '' });
      clock.advance(20 * HOUR);
      await provider.createRoom({ name: 'call-m3', description: '' });

      assert.equal(peer.managementTokens.size, 1, 'one token while more than an hour of it is left');
      const claims = peer.requests[0]?.claims;
      const issuedAt = Math.floor((clock.now().getTime() - 20 * HOUR) / 1000);
      assert.equal(claims?.access_key, ACCESS_KEY);
      assert.equal(claims?.type, 'management');
      assert.equal(claims?.version, 2);
      assert.equal(claims?.iat, issuedAt);
      assert.equal(claims?.nbf, issuedAt);
      assert.equal(claims?.exp, issuedAt + 24 * 3600);
      assert.equal(typeof claims?.jti, 'string');
    });

    it('is replaced when less than an hour of it is left', async () => {
      const provider = newProvider();
      await provider.createRoom({ name: 'call-m4', description: '' });
      clock.advance(23 * HOUR + 1000);
      await provider.createRoom({ name: 'call-m5', description: '' });
      assert.equal(peer.managementTokens.size, 2);
      assert.notEqual(peer.requests[0]?.claims?.jti, peer.requests[1]?.claims?.jti);
    });

    it('is signed once for requests made at the same time', async () => {
      const provider = newProvider();
      await Promise.all(
        ['call-m6', 'call-m7', 'call-m8'].map((name) => provider.createRoom({ name, description: '' })),
      );
      assert.equal(peer.managementTokens.size, 1);
    });
  });

  describe('failures', () => {
    it('fails UNAVAILABLE when 100ms answers 401, and signs a new token for the next request', async () => {
      const provider = newProvider();
      await provider.createRoom({ name: 'call-f1', description: '' });
      peer.failNext(1, 401);
      await assertUnavailable(
        provider.createRoom({ name: 'call-f2', description: '' }),
        /401: check HMS_ACCESS_KEY and HMS_APP_SECRET/,
      );
      clock.advance(1000);
      await provider.createRoom({ name: 'call-f2', description: '' });
      assert.equal(peer.managementTokens.size, 2);
    });

    it('fails UNAVAILABLE when the app secret is wrong', async () => {
      const provider = newProvider({ appSecret: 'not-the-app-secret' });
      await assertUnavailable(provider.createRoom({ name: 'call-f3', description: '' }), /401/);
      assert.equal(peer.rooms.size, 0);
    });

    it('fails UNAVAILABLE on a 500, for creating and for ending', async () => {
      const provider = newProvider();
      peer.failNext(1, 500);
      await assertUnavailable(provider.createRoom({ name: 'call-f4', description: '' }), /500/);
      peer.failNext(1, 503);
      await assertUnavailable(provider.endRoom('room-1', 'ended'), /refused to end a room \(503/);
    });

    it('fails UNAVAILABLE when 100ms cannot be reached', async () => {
      const closed = await closedPort();
      const provider = newProvider({ apiUrl: `https://127.0.0.1:${closed}/v2` });
      await assertUnavailable(
        provider.createRoom({ name: 'call-f5', description: '' }),
        /100ms could not be reached \(.*ECONNREFUSED/,
      );
    });

    it('fails UNAVAILABLE when 100ms does not answer in time', async () => {
      const provider = newProvider({ requestTimeoutMs: 100 });
      peer.setResponseDelay(1000);
      await assertUnavailable(
        provider.createRoom({ name: 'call-f6', description: '' }),
        /could not be reached \(no answer within 100 ms\)/,
      );
    });

    it('fails UNAVAILABLE when the certificate is not trusted', async () => {
      const provider = newProvider({ ca: undefined });
      await assertUnavailable(
        provider.createRoom({ name: 'call-f7', description: '' }),
        /could not be reached/,
      );
      assert.equal(peer.requests.length, 0);
    });
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
