import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CreateSessionRequest, Occurrence, Session, VideoGrant } from '@teacher-hub/protocol';
import { initialEngineState } from '../calls/call-engine.ts';
import type { CallEngine, CallEngineState, CallSelf } from '../calls/call-engine.ts';
import { HubApiError } from '../errors.ts';
import { HubClient } from '../hub-client.ts';
import { createStore } from '../store.ts';
import { sendJson, startLocalHttpServer, unsignedToken } from '../testing/local-http-server.ts';
import type { LocalHttpServer, RecordedRequest } from '../testing/local-http-server.ts';
import { occurrenceKey } from './session-types.ts';

/** A video engine that joins at once and records what it was asked. */
class FakeEngine implements CallEngine {
  readonly store = createStore<CallEngineState>(initialEngineState());
  joined: { grant: VideoGrant; self: CallSelf } | undefined;
  left = 0;

  async join(grant: VideoGrant, self: CallSelf, media: { audio: boolean; video: boolean }): Promise<void> {
    this.joined = { grant, self };
    this.store.set({
      connection: 'connected',
      media: { ...media, screen: false },
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
  async setMicrophone(): Promise<void> {}
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

const ADA = { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' as const };
const AMARA = { id: 's-01', name: 'Amara Okafor', role: 'student' as const };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed Monday, so ranges and starts read plainly. */
const MONDAY = Date.parse('2026-12-07T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

function occurrence(sessionId: string, startsAt: number, overrides: Partial<Occurrence> = {}): Occurrence {
  return {
    sessionId,
    occurrenceStart: at(startsAt),
    title: `Session ${sessionId}`,
    type: 'class',
    startsAt: at(startsAt),
    endsAt: at(startsAt + HOUR),
    timeZone: 'Europe/Berlin',
    status: 'scheduled',
    chatId: `chat-${sessionId}`,
    ownerId: ADA.id,
    inviteeIds: [AMARA.id],
    ...overrides,
  };
}

function sessionOf(id: string, request: CreateSessionRequest): Session {
  return {
    id,
    title: request.title,
    description: request.description ?? '',
    type: request.type,
    start: request.start,
    timeZone: request.timeZone,
    durationMinutes: request.durationMinutes,
    inviteeIds: request.inviteeIds,
    recurrence: request.recurrence ?? null,
    emailInvitees: request.emailInvitees ?? false,
    ownerId: ADA.id,
    chatId: `chat-${id}`,
    status: 'active',
    exceptions: [],
    sequence: 0,
    createdAt: at(MONDAY),
    updatedAt: at(MONDAY),
  };
}

const GRANT: VideoGrant = {
  engine: 'mesh',
  roomId: 'room-session',
  authToken: 'mesh-token',
  role: 'student',
  signalUrl: 'ws://hub.test/v1/mesh',
  iceServers: [],
};

function notFound(response: Parameters<typeof sendJson>[0]): void {
  sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'No.', requestId: 'r' } });
}

/**
 * The hub's session routes over real HTTP, in memory: `occurrences` is the hub's truth, listed by range
 * and changed by the intents the way the hub does. `failNextList` makes the next `GET /v1/sessions` fail.
 */
describe('SessionsService', () => {
  let hub: LocalHttpServer;
  let occurrences: Occurrence[] = [];
  let failNextList = false;
  let sources: FakeSource[] = [];
  let engines: FakeEngine[] = [];

  const find = (sessionId: string, occurrenceStart?: string) =>
    occurrences.find(
      (each) =>
        each.sessionId === sessionId &&
        (occurrenceStart === undefined ? each.status !== 'ended' : each.occurrenceStart === occurrenceStart),
    );
  const replace = (next: Occurrence) => {
    occurrences = occurrences.map((each) => (occurrenceKey(each) === occurrenceKey(next) ? next : each));
  };
  const body = (request: RecordedRequest) => JSON.parse(request.body || '{}') as Record<string, unknown>;

  before(async () => {
    hub = await startLocalHttpServer((request, response) => {
      const url = new URL(request.path, 'http://hub.test');
      const path = url.pathname;
      if (request.method === 'GET' && path === '/v1/live') {
        const sessions = occurrences.filter((each) => each.status === 'live');
        return sendJson(response, 200, { calls: [], sessions });
      }
      if (request.method === 'GET' && path === '/v1/sessions') {
        if (failNextList) {
          failNextList = false;
          return sendJson(response, 503, {
            error: { code: 'UNAVAILABLE', message: 'The hub is restarting.', requestId: 'r-503' },
          });
        }
        const from = Date.parse(url.searchParams.get('from') ?? '');
        const to = Date.parse(url.searchParams.get('to') ?? '');
        const listed = occurrences.filter(
          (each) => Date.parse(each.startsAt) < to && Date.parse(each.endsAt) > from,
        );
        return sendJson(response, 200, { occurrences: listed });
      }
      if (request.method === 'POST' && path === '/v1/sessions') {
        const create = JSON.parse(request.body) as CreateSessionRequest;
        const id = `session-${occurrences.length + 1}`;
        // Two weekly occurrences, Tuesdays at 16:00 UTC.
        for (const week of [0, 1]) {
          occurrences.push(
            occurrence(id, MONDAY + DAY + 16 * HOUR + week * 7 * DAY, { title: create.title }),
          );
        }
        return sendJson(response, 201, { session: sessionOf(id, create) });
      }
      if (request.method === 'GET' && path === '/v1/calendar/feed') {
        return sendJson(response, 200, { url: 'https://hub.test/v1/calendar/ics/secret-123.ics' });
      }
      if (request.method === 'DELETE' && path === '/v1/calendar/feed') {
        response.writeHead(204).end();
        return;
      }
      const match = /^\/v1\/sessions\/([^/]+)(?:\/(cancel|start|join|end|attendance))?$/.exec(path);
      if (!match) return notFound(response);
      const sessionId = decodeURIComponent(match[1] as string);
      const action = match[2];
      const requested = body(request).occurrenceStart as string | undefined;
      if (request.method === 'PATCH' && !action) {
        // Moves the series an hour later: every occurrence changes.
        occurrences = occurrences.map((each) =>
          each.sessionId === sessionId
            ? {
                ...each,
                startsAt: at(Date.parse(each.startsAt) + HOUR),
                endsAt: at(Date.parse(each.endsAt) + HOUR),
              }
            : each,
        );
        return sendJson(response, 200, { session: sessionOf(sessionId, { ...baseCreate, title: 'Moved' }) });
      }
      if (request.method === 'POST' && action === 'cancel') {
        occurrences = occurrences.filter((each) => each.sessionId !== sessionId);
        return sendJson(response, 200, {
          session: { ...sessionOf(sessionId, baseCreate), status: 'cancelled' },
        });
      }
      if (request.method === 'GET' && action === 'attendance') {
        return sendJson(response, 200, {
          attendance: [{ userId: AMARA.id, name: AMARA.name, status: 'late', minutes: 42 }],
        });
      }
      const current = find(sessionId, requested);
      if (!current) return notFound(response);
      if (request.method === 'POST' && action === 'start') {
        const live = { ...current, status: 'live' as const };
        replace(live);
        return sendJson(response, 200, { occurrence: live });
      }
      if (request.method === 'POST' && action === 'end') {
        const ended = { ...current, status: 'ended' as const };
        replace(ended);
        return sendJson(response, 200, { occurrence: ended });
      }
      if (request.method === 'POST' && action === 'join') {
        if (current.status !== 'live') {
          return sendJson(response, 409, {
            error: { code: 'CONFLICT', message: 'The session is not live.', requestId: 'r' },
          });
        }
        return sendJson(response, 200, { occurrence: current, video: GRANT });
      }
      return notFound(response);
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    occurrences = [];
    failNextList = false;
    sources = [];
    engines = [];
    hub.requests.length = 0;
  });

  const baseCreate: CreateSessionRequest = {
    title: 'Algebra review',
    type: 'class',
    start: '2026-12-08T17:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 60,
    inviteeIds: [AMARA.id],
    recurrence: { freq: 'weekly', byWeekday: ['TU'], count: 2 },
  };

  function clientFor(user: { id: string; name: string; role: 'teacher' | 'student' }): HubClient {
    const token = unsignedToken({
      sub: user.id,
      name: user.name,
      role: user.role,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    return new HubClient({
      server: hub.url,
      token,
      createEventSource: () => {
        const source = new FakeSource();
        sources.push(source);
        return source as unknown as EventSource;
      },
      createCallEngine: async () => {
        const engine = new FakeEngine();
        engines.push(engine);
        return engine;
      },
    });
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (check()) return;
      await delay(5);
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  const requestsTo = (method: string, pathPrefix: string) =>
    hub.requests.filter((request) => request.method === method && request.path.startsWith(pathPrefix));

  const TWO_WEEKS = { from: new Date(MONDAY), to: new Date(MONDAY + 14 * DAY) };

  describe('loading a range', () => {
    it('asks GET /v1/sessions for the range and keeps the occurrences in start order', async () => {
      occurrences = [
        occurrence('b', MONDAY + 2 * DAY),
        occurrence('a', MONDAY + DAY),
        occurrence('later', MONDAY + 20 * DAY),
      ];
      const { sessions } = clientFor(AMARA);

      const loaded = await sessions.load(TWO_WEEKS);

      assert.deepEqual(
        loaded.map((each) => each.sessionId),
        ['a', 'b'],
      );
      const [asked] = requestsTo('GET', '/v1/sessions');
      const query = new URL(asked!.path, 'http://hub.test').searchParams;
      assert.equal(query.get('from'), '2026-12-07T00:00:00.000Z');
      assert.equal(query.get('to'), '2026-12-21T00:00:00.000Z');
      assert.deepEqual(sessions.state.loaded, [{ from: query.get('from'), to: query.get('to') }]);
      assert.equal(sessions.state.loading, false);
      assert.deepEqual(
        sessions
          .inRange({ from: new Date(MONDAY + 1.5 * DAY), to: new Date(MONDAY + 3 * DAY) })
          .map((each) => each.sessionId),
        ['b'],
        'inRange reads the store without asking',
      );
      assert.equal(requestsTo('GET', '/v1/sessions').length, 1);
    });

    it('drops an occurrence the hub no longer lists when the range loads again', async () => {
      occurrences = [occurrence('kept', MONDAY + DAY), occurrence('gone', MONDAY + 2 * DAY)];
      const { sessions } = clientFor(AMARA);
      await sessions.load(TWO_WEEKS);
      assert.equal(Object.keys(sessions.state.occurrences).length, 2);

      occurrences = occurrences.filter((each) => each.sessionId !== 'gone');
      await sessions.load(TWO_WEEKS);

      assert.deepEqual(
        Object.values(sessions.state.occurrences).map((each) => each.sessionId),
        ['kept'],
      );
      assert.equal(sessions.state.loaded.length, 1, 'the same range is listed once');
    });

    it('shows a failed load as the hub error, and clears it when a load succeeds', async () => {
      occurrences = [occurrence('a', MONDAY + DAY)];
      const { sessions } = clientFor(AMARA);
      failNextList = true;

      await assert.rejects(sessions.load(TWO_WEEKS), HubApiError);
      assert.equal(sessions.state.error?.code, 'UNAVAILABLE');
      assert.equal(sessions.state.error?.requestId, 'r-503');
      assert.equal(sessions.state.loading, false);

      await sessions.load(TWO_WEEKS);
      assert.equal(sessions.state.error, null);
      assert.equal(sessions.inRange(TWO_WEEKS).length, 1);
    });
  });

  describe('live updates', () => {
    it('lists the live occurrences from GET /v1/live on connect, and follows session events', async () => {
      occurrences = [occurrence('live-now', MONDAY, { status: 'live' }), occurrence('later', MONDAY + DAY)];
      const { sessions } = clientFor(AMARA);
      await sessions.load(TWO_WEEKS);
      const release = sessions.connect();
      await until(() => requestsTo('GET', '/v1/live').length === 1 && sources.length === 1, 'live asked');
      await delay(50);
      assert.equal(sessions.state.live[0]?.sessionId, 'live-now');
      const source = sources[0] as FakeSource;

      // Ada starts the later one: it is live at once, without a request.
      const before = hub.requests.length;
      source.emit('session', occurrence('later', MONDAY + DAY, { status: 'live' }));
      assert.deepEqual(
        sessions.state.live.map((each) => each.sessionId),
        ['live-now', 'later'],
      );
      // She ends the first.
      source.emit('session', occurrence('live-now', MONDAY, { status: 'ended' }));
      assert.deepEqual(
        sessions.state.live.map((each) => each.sessionId),
        ['later'],
      );
      assert.equal(sessions.inRange(TWO_WEEKS)[0]?.status, 'ended');
      source.emit('session', { not: 'an occurrence' });
      assert.equal(Object.keys(sessions.state.occurrences).length, 2, 'a malformed event is ignored');
      await delay(300);
      assert.equal(hub.requests.length, before, 'going live and ending need no reload');
      release();
      assert.equal(source.closed, true, 'the last holder lets the stream go');
    });

    it('reloads the loaded ranges once after a burst of schedule changes (a series edit)', async () => {
      occurrences = [occurrence('series', MONDAY + DAY), occurrence('series', MONDAY + 8 * DAY)];
      const { sessions } = clientFor(AMARA);
      await sessions.load(TWO_WEEKS);
      const release = sessions.connect();
      await until(() => sources.length === 1, 'streaming');
      const source = sources[0] as FakeSource;

      // The hub moved the series an hour later and says so for each occurrence.
      occurrences = occurrences.map((each) => ({
        ...each,
        startsAt: at(Date.parse(each.startsAt) + HOUR),
        endsAt: at(Date.parse(each.endsAt) + HOUR),
      }));
      for (const each of occurrences) source.emit('session', each);
      await until(() => requestsTo('GET', '/v1/sessions').length === 2, 'the range reloads');
      await delay(300);

      assert.equal(requestsTo('GET', '/v1/sessions').length, 2, 'one reload for the burst');
      assert.deepEqual(
        sessions.inRange(TWO_WEEKS).map((each) => each.startsAt),
        [at(MONDAY + DAY + HOUR), at(MONDAY + 8 * DAY + HOUR)],
      );
      release();
    });

    it('reloads the loaded ranges when a notification says the schedule changed', async () => {
      const { sessions } = clientFor(AMARA);
      await sessions.load(TWO_WEEKS);
      const release = sessions.connect();
      await until(() => sources.length === 1, 'streaming');

      // Ada invites Amara: the hub notifies her (session.scheduled); a chat message changes nothing.
      occurrences = [occurrence('new', MONDAY + 3 * DAY)];
      const notify = (kind: string) =>
        (sources[0] as FakeSource).emit('notification', {
          id: `n-${kind}`,
          kind,
          priority: 'normal',
          title: 'Algebra review',
          body: '',
          data: { sessionId: 'new' },
          createdAt: at(MONDAY),
          readAt: null,
        });
      notify('chat.message');
      await delay(300);
      assert.equal(requestsTo('GET', '/v1/sessions').length, 1, 'no reload for a chat message');

      notify('session.scheduled');
      await until(() => sessions.inRange(TWO_WEEKS).length === 1, 'the new session shows');
      assert.equal(requestsTo('GET', '/v1/sessions').length, 2);
      release();
    });

    it('marks a live occurrence ended when GET /v1/live no longer lists it after a reconnect', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live' })];
      const { sessions } = clientFor(AMARA);
      const release = sessions.connect();
      await until(() => sessions.state.live.length === 1 && sources.length === 1, 'the live session shows');

      // It ended while the stream was down; the stream comes back and says `ready`.
      occurrences = [occurrence('s1', MONDAY, { status: 'ended' })];
      (sources[0] as FakeSource).emit('ready', { unreadCount: 0, resumed: false });
      await until(() => sessions.state.live.length === 0, 'the live list is refreshed');

      assert.equal(Object.values(sessions.state.occurrences)[0]?.status, 'ended');
      release();
    });
  });

  describe('the teacher’s intents', () => {
    it('creates a session and shows its occurrences in the loaded range', async () => {
      const { sessions } = clientFor(ADA);
      await sessions.load(TWO_WEEKS);

      const session = await sessions.create(baseCreate);

      assert.equal(session.title, 'Algebra review');
      assert.deepEqual(JSON.parse(requestsTo('POST', '/v1/sessions')[0]!.body), baseCreate);
      assert.deepEqual(
        sessions.inRange(TWO_WEEKS).map((each) => [each.title, each.startsAt]),
        [
          ['Algebra review', '2026-12-08T16:00:00.000Z'],
          ['Algebra review', '2026-12-15T16:00:00.000Z'],
        ],
      );
    });

    it('reloads after a series edit and after a cancel, so every occurrence follows', async () => {
      const { sessions } = clientFor(ADA);
      await sessions.load(TWO_WEEKS);
      const { id } = await sessions.create(baseCreate);

      await sessions.update(id, { scope: 'series', start: '2026-12-08T18:00' });
      assert.deepEqual(
        sessions.inRange(TWO_WEEKS).map((each) => each.startsAt),
        ['2026-12-08T17:00:00.000Z', '2026-12-15T17:00:00.000Z'],
      );
      const patch = requestsTo('PATCH', `/v1/sessions/${id}`)[0]!;
      assert.deepEqual(JSON.parse(patch.body), { scope: 'series', start: '2026-12-08T18:00' });

      const cancelled = await sessions.cancel(id, { scope: 'series' });
      assert.equal(cancelled.status, 'cancelled');
      assert.deepEqual(sessions.inRange(TWO_WEEKS), []);
    });

    it('starts an occurrence (live at once) and ends it', async () => {
      occurrences = [occurrence('s1', MONDAY + DAY)];
      const { sessions } = clientFor(ADA);
      const occurrenceStart = at(MONDAY + DAY);

      const started = await sessions.start('s1', occurrenceStart);

      assert.equal(started.status, 'live');
      assert.deepEqual(JSON.parse(requestsTo('POST', '/v1/sessions/s1/start')[0]!.body), {
        occurrenceStart,
      });
      assert.deepEqual(
        sessions.state.live.map((each) => each.sessionId),
        ['s1'],
      );

      const ended = await sessions.end('s1', occurrenceStart);
      assert.equal(ended.status, 'ended');
      assert.deepEqual(sessions.state.live, []);
    });

    it('reads attendance and the calendar feed, and revokes the feed', async () => {
      const { sessions } = clientFor(ADA);
      const occurrenceStart = at(MONDAY);

      const attendance = await sessions.attendance('s1', occurrenceStart);
      assert.deepEqual(attendance, [{ userId: AMARA.id, name: AMARA.name, status: 'late', minutes: 42 }]);
      const [asked] = requestsTo('GET', '/v1/sessions/s1/attendance');
      assert.equal(
        new URL(asked!.path, 'http://hub.test').searchParams.get('occurrenceStart'),
        occurrenceStart,
      );

      assert.equal(await sessions.feedUrl(), 'https://hub.test/v1/calendar/ics/secret-123.ics');
      await sessions.revokeFeed();
      assert.equal(requestsTo('DELETE', '/v1/calendar/feed').length, 1);
    });
  });

  describe('joining', () => {
    it('joins a live occurrence through client.calls: the page’s call is the session', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live', title: 'Algebra review' })];
      const client = clientFor(AMARA);

      await client.sessions.join('s1');

      const active = client.calls.store.get().active;
      assert.equal(active?.connection, 'connected');
      assert.deepEqual(active?.session, {
        sessionId: 's1',
        occurrenceStart: at(MONDAY),
        title: 'Algebra review',
        ownerId: ADA.id,
      });
      assert.equal(engines.length, 1);
      assert.deepEqual(engines[0]?.joined?.grant, GRANT);
      assert.deepEqual(engines[0]?.joined?.self, { userId: AMARA.id, name: AMARA.name, role: 'student' });

      await client.sessions.join('s1');
      assert.equal(engines.length, 1, 'joining the session the page is in again does nothing');
    });

    it('refuses to join an occurrence that is not live, and the page stays out of a call', async () => {
      occurrences = [occurrence('s1', MONDAY + DAY)];
      const client = clientFor(AMARA);

      await assert.rejects(client.sessions.join('s1'), (error: unknown) => {
        assert.ok(error instanceof HubApiError);
        assert.equal(error.code, 'CONFLICT');
        return true;
      });
      assert.equal(client.calls.store.get().active, null);
      assert.equal(engines.length, 0);
    });

    it('leaves the session’s room without asking the hub (the room tells it)', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live' })];
      const client = clientFor(AMARA);
      await client.sessions.join('s1');
      const before = hub.requests.length;

      await client.calls.leave();

      assert.equal(client.calls.store.get().active?.connection, 'left');
      assert.equal(engines[0]?.left, 1);
      assert.equal(hub.requests.length, before);
    });

    it('holds the live stream while in the room, so the teacher’s end reaches a page that holds nothing else', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live' })];
      const client = clientFor(AMARA);
      await client.sessions.join('s1');
      await until(() => sources.length === 1, 'the stream opens for the room');

      (sources[0] as FakeSource).emit('session', occurrence('s1', MONDAY, { status: 'ended' }));

      await until(() => client.calls.store.get().active?.connection === 'ended', 'the call ends');
      assert.equal((sources[0] as FakeSource).closed, true, 'out of the room, the stream is let go');
    });

    it('the owner’s calls.end() ends the occurrence through the session route', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live' })];
      const client = clientFor(ADA);
      await client.sessions.join('s1');

      await client.calls.end();

      const [ended] = requestsTo('POST', '/v1/sessions/s1/end');
      assert.deepEqual(JSON.parse(ended!.body), { occurrenceStart: at(MONDAY) });
      assert.equal(client.calls.store.get().active?.connection, 'ended');
      assert.equal(engines[0]?.left, 1);
      assert.equal(Object.values(client.sessions.state.occurrences)[0]?.status, 'ended');
    });

    it('leaves the room when a live event says the teacher ended the occurrence', async () => {
      occurrences = [occurrence('s1', MONDAY, { status: 'live' })];
      const client = clientFor(AMARA);
      const release = client.sessions.connect();
      await until(() => sources.length === 1 && client.sessions.state.live.length === 1, 'streaming');
      await client.sessions.join('s1');

      (sources[0] as FakeSource).emit('session', occurrence('s1', MONDAY, { status: 'ended' }));

      await until(() => client.calls.store.get().active?.connection === 'ended', 'the call ends');
      assert.equal(engines[0]?.left, 1);
      release();
    });
  });
});
