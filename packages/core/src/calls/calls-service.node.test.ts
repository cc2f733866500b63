import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Call, CallMember, VideoEngine, VideoGrant } from '@teacher-hub/protocol';
import { HubApiError } from '../errors.ts';
import { HubClient } from '../hub-client.ts';
import { createStore } from '../store.ts';
import { sendJson, startLocalHttpServer, unsignedToken } from '../testing/local-http-server.ts';
import type { LocalHttpServer } from '../testing/local-http-server.ts';
import { CallEngineError, initialEngineState } from './call-engine.ts';
import type { CallEngine, CallEngineState, CallSelf } from './call-engine.ts';
import { callError } from './call-errors.ts';
import { CallsService } from './calls-service.ts';

/** A video engine that joins at once (or fails as told) and records what it was asked. */
class FakeEngine implements CallEngine {
  readonly store = createStore<CallEngineState>(initialEngineState());
  joined: { grant: VideoGrant; self: CallSelf; media: { audio: boolean; video: boolean } } | undefined;
  left = 0;
  microphone: boolean[] = [];
  constructor(readonly failWith?: CallEngineError) {}

  async join(grant: VideoGrant, self: CallSelf, media: { audio: boolean; video: boolean }): Promise<void> {
    this.joined = { grant, self, media };
    if (this.failWith) {
      this.store.set({
        connection: 'failed',
        error: { code: this.failWith.code, message: this.failWith.message },
      });
      throw this.failWith;
    }
    this.store.set({
      connection: 'connected',
      media: { audio: media.audio, video: media.video, screen: false },
      participants: [
        {
          id: 'peer-self',
          userId: self.userId,
          name: self.name,
          role: self.role,
          isLocal: true,
          audio: media.audio,
          video: media.video,
          screen: false,
          audioTrack: null,
          videoTrack: null,
          screenTrack: null,
        },
      ],
    });
  }
  async leave(): Promise<void> {
    this.left += 1;
    this.store.set({ connection: 'left', participants: [] });
  }
  async setMicrophone(on: boolean): Promise<void> {
    this.microphone.push(on);
    this.store.set({ media: { ...this.store.get().media, audio: on } });
  }
  async setCamera(): Promise<void> {}
  async setScreenShare(): Promise<void> {}
}

/** A stand-in EventSource the test drives: `emit(type, data)` delivers an SSE event. */
class FakeSource extends EventTarget {
  closed = false;
  close(): void {
    this.closed = true;
  }
  emit(type: string, data: unknown): void {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

const SELF = { id: 's-01', name: 'Sam Student', role: 'student' as const };

function member(
  userId: string,
  state: CallMember['state'],
  role: CallMember['role'] = 'student',
): CallMember {
  return { userId, name: userId === 't-ada' ? 'Ada Lovelace' : `Student ${userId}`, role, state };
}

function ringingCall(
  id: string,
  options: { startedAt?: number; expiresInMs?: number; me?: CallMember['state'] } = {},
): Call {
  const startedAt = options.startedAt ?? Date.now();
  return {
    id,
    chatId: `chat-${id}`,
    chatName: 'Algebra club',
    status: 'ringing',
    ringExpiresAt: new Date(Date.now() + (options.expiresInMs ?? 30_000)).toISOString(),
    startedBy: 't-ada',
    startedAt: new Date(startedAt).toISOString(),
    endedAt: null,
    members: [
      member('t-ada', 'joined', 'teacher'),
      member(SELF.id, options.me ?? 'ringing'),
      member('s-02', 'ringing'),
    ],
  };
}

/**
 * The hub's call routes over real HTTP, in memory: `calls` is what `GET /v1/live` lists, the intents change
 * the caller's member state the way the hub does. `liveGate` holds `GET /v1/live` answers back.
 */
describe('CallsService', () => {
  let hub: LocalHttpServer;
  let calls = new Map<string, Call>();
  let chats: { id: string; cid: string; kind: string; name: string; ownerId: string; memberIds: string[] }[] =
    [];
  let liveGate: Promise<void> | undefined;
  let caller = SELF.id;
  let engines: FakeEngine[] = [];
  let failNextJoin: CallEngineError | undefined;
  let sources: FakeSource[] = [];

  const setMember = (call: Call, state: CallMember['state']): Call => ({
    ...call,
    members: call.members.map((each) => (each.userId === caller ? { ...each, state } : each)),
  });

  before(async () => {
    hub = await startLocalHttpServer(async (request, response) => {
      const url = new URL(request.path, 'http://hub.test');
      const path = url.pathname;
      if (request.method === 'GET' && path === '/v1/live') {
        const answer = { calls: [...calls.values()].filter((call) => call.status !== 'ended'), sessions: [] };
        await liveGate;
        return sendJson(response, 200, answer);
      }
      if (request.method === 'GET' && path === '/v1/chats') return sendJson(response, 200, { chats });
      if (request.method === 'POST' && path === '/v1/chats') {
        const body = JSON.parse(request.body) as { name: string; memberIds: string[] };
        const chat = {
          id: `chat-${chats.length + 1}`,
          cid: `hub-group:chat-${chats.length + 1}`,
          kind: 'group',
          name: body.name,
          ownerId: caller,
          memberIds: [caller, ...body.memberIds],
        };
        chats.push(chat);
        return sendJson(response, 201, { chat });
      }
      const startMatch = /^\/v1\/chats\/([^/]+)\/calls$/.exec(path);
      if (request.method === 'POST' && startMatch) {
        const chatId = decodeURIComponent(startMatch[1] as string);
        const existing = [...calls.values()].find(
          (call) => call.chatId === chatId && call.status !== 'ended',
        );
        if (existing) return sendJson(response, 200, { call: existing });
        const call: Call = {
          ...ringingCall(`call-${calls.size + 1}`),
          chatId,
          startedBy: caller,
          members: [member(caller, 'joined', 'teacher'), member('s-01', 'ringing')],
        };
        calls.set(call.id, call);
        return sendJson(response, 201, { call });
      }
      const get = /^\/v1\/calls\/([^/]+)$/.exec(path);
      const known = get ? calls.get(decodeURIComponent(get[1] as string)) : undefined;
      if (request.method === 'GET' && known) return sendJson(response, 200, { call: known });
      const match = /^\/v1\/calls\/([^/]+)\/(join|decline|leave|end)$/.exec(path);
      const call = match ? calls.get(decodeURIComponent(match[1] as string)) : undefined;
      if (request.method === 'POST' && match && call) {
        const action = match[2];
        let next: Call;
        if (action === 'join') {
          if (call.status === 'ended') {
            return sendJson(response, 409, {
              error: { code: 'CONFLICT', message: 'The call has ended.', requestId: 'r' },
            });
          }
          next = { ...setMember(call, 'joined'), status: 'active' };
        } else if (action === 'decline') next = setMember(call, 'declined');
        else if (action === 'leave') next = setMember(call, 'left');
        else next = { ...call, status: 'ended', endedAt: new Date().toISOString() };
        calls.set(next.id, next);
        if (action !== 'join') return sendJson(response, 200, { call: next });
        const video: VideoGrant = {
          engine: 'mesh',
          roomId: `room-${call.id}`,
          authToken: 'mesh-token',
          role: 'student',
          signalUrl: 'ws://hub.test/v1/mesh',
          iceServers: [],
        };
        return sendJson(response, 200, { call: next, video });
      }
      sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r' } });
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    calls = new Map();
    chats = [];
    liveGate = undefined;
    caller = SELF.id;
    engines = [];
    failNextJoin = undefined;
    sources = [];
  });

  function service(user: { id: string; name: string; role: 'teacher' | 'student' } = SELF): CallsService {
    caller = user.id;
    const token = unsignedToken({
      sub: user.id,
      name: user.name,
      role: user.role,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const client = new HubClient({
      server: hub.url,
      token,
      createEventSource: () => {
        const source = new FakeSource();
        sources.push(source);
        return source as unknown as EventSource;
      },
    });
    return new CallsService(client.api, client.live, client.tokens, {
      createEngine: async (engine: VideoEngine) => {
        assert.equal(engine, 'mesh');
        const fake = new FakeEngine(failNextJoin);
        failNextJoin = undefined;
        engines.push(fake);
        return fake;
      },
    });
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (check()) return;
      await delay(5);
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  const livePaths = () => hub.requests.filter((request) => request.path === '/v1/live').length;

  describe('incoming calls', () => {
    it('lists the calls ringing the user, oldest first, from GET /v1/live on connect', async () => {
      calls.set('newer', ringingCall('newer', { startedAt: Date.now() - 1000 }));
      calls.set('older', ringingCall('older', { startedAt: Date.now() - 5000 }));
      calls.set('answered', ringingCall('answered', { me: 'joined' }));
      calls.set('declined', ringingCall('declined', { me: 'declined' }));
      calls.set('expired', ringingCall('expired', { expiresInMs: -1000 }));
      const calls$ = service();

      const release = calls$.connect();
      await until(() => calls$.state.loaded, 'the live calls are loaded');

      assert.deepEqual(
        calls$.state.incoming.map((call) => call.id),
        ['older', 'newer'],
      );
      assert.deepEqual(Object.keys(calls$.state.calls).sort(), [
        'answered',
        'declined',
        'expired',
        'newer',
        'older',
      ]);
      release();
    });

    it('stops ringing when the ring window closes, without any event', async () => {
      calls.set('short', ringingCall('short', { expiresInMs: 120 }));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded, 'the live calls are loaded');
      assert.equal(calls$.state.incoming.length, 1);

      await delay(200);

      assert.equal(calls$.state.incoming.length, 0);
      assert.equal(calls$.state.calls.short?.status, 'ringing', 'the call itself is still listed');
      release();
    });

    it('merges live call events: a new ring shows, a decline elsewhere or the end removes it', async () => {
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded && sources.length === 1, 'loaded and streaming');
      const source = sources[0] as FakeSource;

      const call = ringingCall('live-1');
      source.emit('call', call);
      assert.deepEqual(
        calls$.state.incoming.map((each) => each.id),
        ['live-1'],
      );

      source.emit('call', {
        ...call,
        members: call.members.map((each) =>
          each.userId === SELF.id ? { ...each, state: 'declined' } : each,
        ),
      });
      assert.equal(calls$.state.incoming.length, 0, 'declined in another tab');

      source.emit('call', ringingCall('live-2'));
      source.emit('call', { ...ringingCall('live-2'), status: 'ended', endedAt: new Date().toISOString() });
      assert.equal(calls$.state.incoming.length, 0);
      assert.equal(calls$.state.calls['live-2']?.status, 'ended', 'an ended call stays known while watched');

      source.emit('call', { not: 'a call' });
      assert.equal(Object.keys(calls$.state.calls).length, 2, 'a malformed event is ignored');
      release();
    });

    it('rings for a big call whose live event leaves out the members still rung, the user among them', async () => {
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded && sources.length === 1, 'loaded and streaming');
      const source = sources[0] as FakeSource;
      const full = ringingCall('big');
      source.emit('call', {
        ...full,
        members: full.members.filter((each) => each.state !== 'ringing'),
        ringingUnlisted: 999,
      });
      assert.deepEqual(
        calls$.state.incoming.map((each) => each.id),
        ['big'],
      );
      assert.deepEqual(
        calls$.state.calls['big']?.members.find((each) => each.userId === SELF.id),
        { userId: SELF.id, name: SELF.name, role: SELF.role, state: 'ringing' },
        'the user is a member of the call as she is of a small one',
      );
      source.emit('call', {
        ...full,
        members: [...full.members.filter((each) => each.state !== 'ringing'), member(SELF.id, 'declined')],
        ringingUnlisted: 998,
      });
      assert.equal(calls$.state.incoming.length, 0, 'listed once she is no longer rung');
      release();
    });

    it('keeps a live event that arrives while GET /v1/live is on its way over the older answer', async () => {
      calls.set('race', ringingCall('race'));
      let open!: () => void;
      liveGate = new Promise((resolve) => (open = resolve));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => livePaths() >= 1 && sources.length === 1, 'the live calls are asked for');

      // The hub answered "ringing" before the member declined; the event says declined.
      (sources[0] as FakeSource).emit('call', setMemberFor(ringingCall('race'), SELF.id, 'declined'));
      open();
      await until(() => calls$.state.loaded, 'the answer arrived');

      assert.equal(
        calls$.state.calls.race?.members.find((each) => each.userId === SELF.id)?.state,
        'declined',
      );
      assert.equal(calls$.state.incoming.length, 0);
      release();
    });

    it('loads the live calls again when the stream reconnects', async () => {
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded && sources.length === 1, 'loaded');
      const before = livePaths();

      calls.set('missed-while-offline', ringingCall('missed-while-offline'));
      (sources[0] as FakeSource).emit('ready', { unreadCount: 0 });
      await until(() => calls$.state.incoming.length === 1, 'the ring missed while offline shows');

      assert.equal(livePaths(), before + 1);
      release();
    });

    it('holds the live stream once for several holders and lets go with the last', async () => {
      const calls$ = service();
      const first = calls$.connect();
      const second = calls$.connect();
      await until(() => sources.length === 1, 'the stream opened');
      first();
      assert.equal((sources[0] as FakeSource).closed, false);
      second();
      second();
      assert.equal((sources[0] as FakeSource).closed, true);
    });
  });

  describe('the page’s call', () => {
    it('accepting joins with the grant, the microphone and camera on, and mirrors the engine', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.incoming.length === 1, 'it rings');

      await calls$.join('c1');

      const engine = engines[0] as FakeEngine;
      assert.equal(engine.joined?.grant.authToken, 'mesh-token');
      assert.deepEqual(engine.joined?.self, { userId: 's-01', name: 'Student s-01', role: 'student' });
      assert.deepEqual(engine.joined?.media, { audio: true, video: true });
      const active = calls$.state.active;
      assert.equal(active?.callId, 'c1');
      assert.equal(active?.engine, 'mesh');
      assert.equal(active?.connection, 'connected');
      assert.equal(active?.participants[0]?.isLocal, true);
      assert.equal(calls$.state.incoming.length, 0, 'no longer ringing');
      assert.equal(calls$.state.calls.c1?.status, 'active');

      await calls$.setMicrophone(false);
      assert.deepEqual(engine.microphone, [false]);
      assert.equal(calls$.state.active?.media.audio, false, 'the store follows the engine');

      await calls$.join('c1');
      assert.equal(engines.length, 1, 'joining the call the page is in does nothing');
      release();
    });

    it('joining another call leaves the one the page is in first', async () => {
      calls.set('c1', ringingCall('c1'));
      calls.set('c2', ringingCall('c2'));
      const calls$ = service();
      await calls$.join('c1');

      await calls$.join('c2');

      assert.equal((engines[0] as FakeEngine).left, 1);
      assert.equal(calls.get('c1')?.members.find((each) => each.userId === SELF.id)?.state, 'left');
      assert.equal(calls$.state.active?.callId, 'c2');
      assert.equal(calls$.state.active?.connection, 'connected');
    });

    it('joins with the camera off when asked', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      await calls$.join('c1', { video: false });
      assert.deepEqual(engines[0]?.joined?.media, { audio: true, video: false });
    });

    it('closes the call when a live event says the teacher ended it', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded && sources.length === 1, 'loaded');
      await calls$.join('c1');

      (sources[0] as FakeSource).emit('call', {
        ...(calls.get('c1') as Call),
        status: 'ended',
        endedAt: new Date().toISOString(),
      });

      await until(() => (engines[0] as FakeEngine).left === 1, 'the engine left');
      assert.equal(calls$.state.active?.connection, 'ended');
      assert.deepEqual(calls$.state.active?.participants, []);
      release();
    });

    it('closes the call when it ended while the live stream was down', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.loaded && sources.length === 1, 'loaded');
      await calls$.join('c1');

      // Ended at the hub without an event reaching this page; then the stream reconnects.
      calls.set('c1', { ...(calls.get('c1') as Call), status: 'ended', endedAt: new Date().toISOString() });
      (sources[0] as FakeSource).emit('ready', { unreadCount: 0 });

      await until(() => calls$.state.active?.connection === 'ended', 'the call closes');
      assert.equal((engines[0] as FakeEngine).left, 1);
      release();
    });

    it('leaving stops the engine and tells the hub; the call stays open', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      await calls$.join('c1');

      await calls$.leave();

      assert.equal((engines[0] as FakeEngine).left, 1);
      assert.equal(calls$.state.active?.connection, 'left');
      assert.ok(
        hub.requests.some((request) => request.method === 'POST' && request.path === '/v1/calls/c1/leave'),
      );
      assert.equal(calls$.state.calls.c1?.status, 'active');
      assert.equal(calls$.state.calls.c1?.members.find((each) => each.userId === SELF.id)?.state, 'left');
    });

    it('a failed engine join rejects, shows the reason, and tells the hub the user left', async () => {
      calls.set('c1', ringingCall('c1'));
      failNextJoin = new CallEngineError(callError('room-full', 'This call already has its 6 people.'));
      const calls$ = service();

      await assert.rejects(
        calls$.join('c1'),
        (error: unknown) => error instanceof CallEngineError && error.code === 'room-full',
      );

      assert.equal(calls$.state.active?.connection, 'failed');
      assert.equal(calls$.state.active?.error?.code, 'room-full');
      await until(
        () => calls.get('c1')?.members.find((each) => each.userId === SELF.id)?.state === 'left',
        'the hub hears',
      );
    });

    it('a join the hub refuses rejects with its error and changes nothing here', async () => {
      calls.set('c1', { ...ringingCall('c1', { expiresInMs: 5_000 }), status: 'ended' });
      const calls$ = service();
      await assert.rejects(
        calls$.join('c1'),
        (error: unknown) => error instanceof HubApiError && error.code === 'CONFLICT',
      );
      assert.equal(calls$.state.active, null);
      assert.equal(engines.length, 0);
    });

    it('declining stops the ring at once and tells the hub', async () => {
      calls.set('c1', ringingCall('c1'));
      const calls$ = service();
      const release = calls$.connect();
      await until(() => calls$.state.incoming.length === 1, 'it rings');

      const declining = calls$.decline('c1');
      assert.equal(calls$.state.incoming.length, 0, 'gone before the hub answers');
      await declining;

      assert.equal(calls.get('c1')?.members.find((each) => each.userId === SELF.id)?.state, 'declined');
      assert.equal(calls$.state.incoming.length, 0);
      release();
    });
  });

  describe('teachers', () => {
    const ADA = { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' as const };

    it('start() rings the chat and joins the call; ending it ends it for everyone', async () => {
      const calls$ = service(ADA);
      const call = await calls$.start('chat-9');

      assert.equal(call.chatId, 'chat-9');
      assert.equal(calls$.state.active?.callId, call.id);
      assert.equal(engines[0]?.joined?.self.role, 'teacher');

      await calls$.end();
      assert.equal(calls.get(call.id)?.status, 'ended');
      assert.equal(calls$.state.active?.connection, 'ended');
      assert.equal((engines[0] as FakeEngine).left, 1);
    });

    it('startWith() reuses the group chat with exactly those members', async () => {
      chats = [
        {
          id: 'bigger',
          cid: 'hub-group:bigger',
          kind: 'group',
          name: 'More',
          ownerId: 't-ada',
          memberIds: ['t-ada', 's-01', 's-06', 's-02'],
        },
        {
          id: 'not-mine',
          cid: 'hub-group:not-mine',
          kind: 'group',
          name: 'Grace’s',
          ownerId: 't-grace',
          memberIds: ['t-ada', 's-01', 's-06'],
        },
        {
          id: 'direct',
          cid: 'hub-direct:direct',
          kind: 'direct',
          name: 'Sam',
          ownerId: 't-ada',
          memberIds: ['t-ada', 's-01'],
        },
        {
          id: 'exact',
          cid: 'hub-group:exact',
          kind: 'group',
          name: 'Pair',
          ownerId: 't-ada',
          memberIds: ['s-06', 't-ada', 's-01'],
        },
      ];
      const calls$ = service(ADA);

      const call = await calls$.startWith(['s-01', 's-06', 's-01']);

      assert.equal(call.chatId, 'exact');
      assert.equal(chats.length, 4, 'no chat was created');
    });

    it('startWith() creates the group chat when there is none, named as asked', async () => {
      chats = [
        {
          id: 'direct',
          cid: 'hub-direct:direct',
          kind: 'direct',
          name: 'Sam',
          ownerId: 't-ada',
          memberIds: ['t-ada', 's-01'],
        },
      ];
      const calls$ = service(ADA);

      const call = await calls$.startWith(['s-01'], 'Quick help');
      const created = chats[1];

      assert.equal(created?.name, 'Quick help');
      assert.deepEqual(created?.memberIds, ['t-ada', 's-01']);
      assert.equal(call.chatId, created?.id);

      const unnamed = await service(ADA).startWith(['s-02']);
      assert.match(chats[2]?.name ?? '', /^Instant session /);
      assert.equal(unnamed.chatId, chats[2]?.id);
    });
  });
});

function setMemberFor(call: Call, userId: string, state: CallMember['state']): Call {
  return {
    ...call,
    members: call.members.map((each) => (each.userId === userId ? { ...each, state } : each)),
  };
}
