import type { Call, Me, VideoEngine, VideoGrant } from '@teacher-hub/protocol';
import type { HubApi } from '../api.ts';
import type { HubChat } from '../chat/chat-types.ts';
import type { LiveStream } from '../notifications/live-stream.ts';
import { createHold } from '../hold.ts';
import { createStore } from '../store.ts';
import type { Store } from '../store.ts';
import { HubApiError } from '../errors.ts';
import { decodeTokenClaims } from '../token-manager.ts';
import type { TokenManager } from '../token-manager.ts';
import { TokenRefresher, systemRefreshClock, tokenLifetimeMs } from '../token-refresh.ts';
import type { RefreshClock } from '../token-refresh.ts';
import type { CallEngine, CallEngineState, CallSelf } from './call-engine.ts';
import type { ActiveCall, CallConnection, CallSession, CallsApi, CallsState } from './call-types.ts';

/**
 * Makes the engine for a grant's `engine`. The default loads it with a dynamic `import()`, so neither
 * engine (nor `@100mslive/hms-video-store`) is in the SDK's first chunk; tests pass a fake.
 */
export type CallEngineFactory = (engine: VideoEngine) => Promise<CallEngine>;

const createEngine: CallEngineFactory = async (engine) => {
  if (engine === 'hms') {
    const { HmsEngine } = await import('./hms-engine.ts');
    return new HmsEngine();
  }
  const { MeshEngine } = await import('./mesh-engine.ts');
  return new MeshEngine();
};

export interface CallsServiceOptions {
  createEngine?: CallEngineFactory | undefined;
  /** Creates the group chat `startWith()` needs (default: `POST /v1/chats`); the client passes its chat service's, so the chat list follows. */
  createGroupChat?: ((name: string, memberIds: string[]) => Promise<HubChat>) | undefined;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: (() => number) | undefined;
  /** The timers of the video grant's early refresh; injectable for tests. */
  refreshClock?: RefreshClock | undefined;
  /** Where to keep the state: the client's `LazyCalls` hands over the one elements already hold. */
  store?: Store<CallsState> | undefined;
}

type User = Me['user'];

/**
 * How `joinSession()` reaches a scheduled session's routes; `client.sessions` passes them, so the page's
 * call can be a session occurrence in the same engine and `<call-overlay>`.
 */
export interface SessionRoomAccess {
  /** `POST /v1/sessions/:id/join`: which occurrence, and the grant for its room. */
  join(): Promise<{ session: CallSession; video: VideoGrant }>;
  /** `POST /v1/sessions/:id/end`: the owner ends the occurrence for everyone. */
  end(session: CallSession): Promise<void>;
}

/** The `ActiveCall.callId` of a session occurrence's room. */
export const sessionCallId = (session: Pick<CallSession, 'sessionId' | 'occurrenceStart'>): string =>
  `session:${session.sessionId}|${session.occurrenceStart}`;

/** A room the hub granted: an instant call's or a session occurrence's. */
interface GrantedRoom {
  callId: string;
  video: VideoGrant;
  self: CallSelf;
  session?: CallSession | undefined;
  /** The session's routes, for `end()`. */
  sessionAccess?: SessionRoomAccess | undefined;
  /** Tells the hub (best effort) that the engine could not join after all. */
  abandon(): void;
  /**
   * A fresh grant for the same room, for the early refresh; undefined when the hub moved on to another
   * room. Without it the refresh asks the way in again.
   */
  renew?: () => Promise<VideoGrant | undefined>;
}

/** Connections after which the page is no longer in the call. */
const FINISHED: ReadonlySet<CallConnection> = new Set(['left', 'ended', 'failed']);

/** Whether a live `call` event's data is a call (the stream hands it over as parsed JSON). */
function isCall(data: unknown): data is Call {
  if (typeof data !== 'object' || data === null) return false;
  const call = data as Partial<Call>;
  return (
    typeof call.id === 'string' &&
    typeof call.status === 'string' &&
    typeof call.ringExpiresAt === 'string' &&
    Array.isArray(call.members)
  );
}

/**
 * Instant calls on the client (`client.calls`), the `CallsApi` elements use:
 *
 * - `connect()` (reference counted) holds the live stream, merges its `call` events into `calls`, and
 *   loads `GET /v1/live` on connect and whenever the stream (re)connects, so nothing missed while offline
 *   stays missed. `incoming` is derived: calls ringing the user now, until their ring window closes (a
 *   timer drops them at that instant).
 * - `start`, `join`, `decline`, `leave`, `end` go through the hub; `join` takes the grant it hands out,
 *   loads the engine it names (mesh or 100ms, lazily) and mirrors the engine's state in `active`.
 * - A live event saying the page's call ended leaves the engine and sets `active.connection = 'ended'`.
 *   `active` keeps its last call (connection `left`, `ended` or `failed`) until the next `join`.
 */
export class CallsService implements CallsApi {
  readonly store: Store<CallsState>;
  readonly #api: HubApi;
  readonly #live: LiveStream;
  readonly #tokens: TokenManager;
  readonly #createEngine: CallEngineFactory;
  readonly #createGroupChat: (name: string, memberIds: string[]) => Promise<HubChat>;
  readonly #now: () => number;
  readonly #hold = createHold(() => this.#listen());
  #user: Promise<User> | undefined;
  #userId: string | undefined;
  /** Who we are once known: the member a big call's live event leaves out while she is rung. */
  #self: User | undefined;
  #refreshing: Promise<void> | undefined;
  #ringTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every live event; a `GET /v1/live` answer does not overwrite calls touched after it was asked. */
  #version = 0;
  readonly #touchedAt = new Map<string, number>();
  /** Calls being accepted or declined here: no longer shown as ringing while the hub is asked. */
  readonly #answering = new Set<string>();
  #engine: CallEngine | undefined;
  #stopMirroring: (() => void) | undefined;
  /** Bumped by every join and leave, so an older join that finishes late changes nothing. */
  #joinSequence = 0;
  /** The session routes of the page's call, when it is a session occurrence. */
  #sessionAccess: SessionRoomAccess | undefined;
  readonly #refreshClock: RefreshClock;
  /** Replaces the page's video grant before it expires, while its engine is in the room. */
  #grantRefresher: TokenRefresher | undefined;

  constructor(api: HubApi, live: LiveStream, tokens: TokenManager, options: CallsServiceOptions = {}) {
    this.#api = api;
    this.#live = live;
    this.#tokens = tokens;
    this.#createEngine = options.createEngine ?? createEngine;
    this.#createGroupChat =
      options.createGroupChat ??
      (async (name, memberIds) => (await api.createGroupChat({ name, memberIds })).chat);
    this.#now = options.now ?? Date.now;
    this.#refreshClock = options.refreshClock ?? systemRefreshClock;
    this.store =
      options.store ?? createStore<CallsState>({ calls: {}, incoming: [], active: null, loaded: false });
  }

  get state(): CallsState {
    return this.store.get();
  }

  // ── Live state ───────────────────────────────────────────────────────────────────────────────────────

  connect(): () => void {
    return this.#hold();
  }

  /** Listens while the first `connect()` is held; the returned stop runs when the last one lets go. */
  #listen(): () => void {
    const stopListening = [
      this.#live.on('call', (data) => {
        if (!isCall(data)) return;
        // Who we are is asked for as the stream opens; a big call's event may come before the answer.
        if (data.ringingUnlisted && !this.#self)
          void this.#whoAmI().then(
            () => this.#merge(this.#withSelf(data)),
            () => this.#merge(data),
          );
        else this.#merge(this.#withSelf(data));
      }),
      this.#live.on('ready', () => void this.#refresh()),
    ];
    const releaseLive = this.#live.connect();
    void this.#refresh();
    return () => {
      for (const stop of stopListening) stop();
      releaseLive();
      clearTimeout(this.#ringTimer);
      this.#ringTimer = undefined;
    };
  }

  /** Loads what is live now (joins a load already running). Failures keep what is shown. */
  #refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    const askedAt = this.#version;
    const refreshing = (async () => {
      await this.#whoAmI();
      const { calls } = await this.#api.liveNow();
      const current = this.store.get().calls;
      const next: Record<string, Call> = {};
      const touchedSince = (id: string) => (this.#touchedAt.get(id) ?? -1) > askedAt;
      // Ended calls seen here stay (the view may still show them); newer live events win over the answer.
      for (const [id, call] of Object.entries(current)) {
        if (call.status === 'ended' || touchedSince(id)) next[id] = call;
      }
      for (const call of calls) {
        if (!touchedSince(call.id)) next[call.id] = call;
      }
      this.store.set({ calls: next, loaded: true });
      this.#updateIncoming();
      // The page's call is not live any more (it ended while the stream was down): ask how it is.
      const active = this.store.get().active;
      if (
        active &&
        !active.session &&
        !FINISHED.has(active.connection) &&
        !calls.some((call) => call.id === active.callId)
      ) {
        const { call } = await this.#api.getCall(active.callId);
        this.#merge(call);
      }
    })()
      .catch((error: unknown) => {
        console.warn('[teacher-hub] could not load the live calls', error);
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    this.#refreshing = refreshing;
    return refreshing;
  }

  /**
   * A big call's live event leaves out the members still rung (`ringingUnlisted`); it reached us, so we
   * are one of them unless listed: we are put back in, so the call reads as for a small call.
   */
  #withSelf(call: Call): Call {
    const self = this.#self;
    if (!call.ringingUnlisted || !self || call.members.some((member) => member.userId === self.id))
      return call;
    const member = { userId: self.id, name: self.name, role: self.role, state: 'ringing' as const };
    return { ...call, members: [...call.members, member] };
  }

  /** Takes a call the hub sent (live event or an answer) into the store. */
  #merge(call: Call): void {
    this.#version += 1;
    this.#touchedAt.set(call.id, this.#version);
    this.store.set({ calls: { ...this.store.get().calls, [call.id]: call } });
    this.#updateIncoming();
    const active = this.store.get().active;
    if (active?.callId === call.id && call.status === 'ended' && !FINISHED.has(active.connection)) {
      void this.#finishActive('ended');
    }
  }

  #updateIncoming(): void {
    clearTimeout(this.#ringTimer);
    this.#ringTimer = undefined;
    const me = this.#userId;
    const now = this.#now();
    const { calls, incoming: shown, active } = this.store.get();
    const incoming = Object.values(calls)
      .filter(
        (call) =>
          me !== undefined &&
          call.status === 'ringing' &&
          Date.parse(call.ringExpiresAt) > now &&
          !this.#answering.has(call.id) &&
          active?.callId !== call.id &&
          call.members.some((member) => member.userId === me && member.state === 'ringing'),
      )
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const unchanged =
      incoming.length === shown.length && incoming.every((call, index) => call === shown[index]);
    if (!unchanged) this.store.set({ incoming });
    if (incoming.length > 0) {
      const nextExpiry = Math.min(...incoming.map((call) => Date.parse(call.ringExpiresAt)));
      this.#ringTimer = setTimeout(() => this.#updateIncoming(), Math.max(0, nextExpiry - now) + 1);
    }
  }

  /** The signed-in user: from the token's claims, else `GET /v1/me`. */
  #whoAmI(): Promise<User> {
    this.#user ??= (async () => {
      const claims = decodeTokenClaims(await this.#tokens.getToken());
      const user: User =
        claims?.sub && claims.name && (claims.role === 'teacher' || claims.role === 'student')
          ? { id: claims.sub, name: claims.name, role: claims.role }
          : (await this.#api.me()).user;
      this.#userId = user.id;
      this.#self = user;
      return user;
    })();
    this.#user.catch(() => {
      this.#user = undefined;
    });
    return this.#user;
  }

  // ── Intents ──────────────────────────────────────────────────────────────────────────────────────────

  async start(chatId: string): Promise<Call> {
    const { call } = await this.#api.startCall(chatId);
    this.#merge(call);
    await this.join(call.id);
    return this.store.get().calls[call.id] ?? call;
  }

  /**
   * Teachers' "start instant session": calls the group chat the caller owns whose members are exactly the
   * caller and `memberIds`, creating it (named `name`, or "Instant session" with the date) when there is
   * none.
   */
  async startWith(memberIds: string[], name?: string): Promise<Call> {
    const me = await this.#whoAmI();
    const others = [...new Set(memberIds)].filter((id) => id !== me.id);
    const wanted = new Set([me.id, ...others]);
    const { chats } = await this.#api.chats();
    const existing = chats.find((chat) => {
      const members = new Set(chat.memberIds);
      return (
        chat.kind === 'group' &&
        chat.ownerId === me.id &&
        members.size === wanted.size &&
        [...wanted].every((id) => members.has(id))
      );
    });
    const chat = existing ?? (await this.#createGroupChat(name ?? this.#instantSessionName(), others));
    return this.start(chat.id);
  }

  #instantSessionName(): string {
    const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(
      this.#now(),
    );
    return `Instant session ${when}`;
  }

  async join(callId: string, media: { audio?: boolean; video?: boolean } = {}): Promise<void> {
    const active = this.store.get().active;
    if (active?.callId === callId && !FINISHED.has(active.connection)) return;
    // Out of the ring list at once; back in if the hub refuses.
    this.#answering.add(callId);
    this.#updateIncoming();
    try {
      await this.#enterRoom(async (me) => {
        const { call, video } = await this.#api.joinCall(callId);
        this.#merge(call);
        const member = call.members.find((each) => each.userId === me.id);
        return {
          callId,
          video,
          self: { userId: me.id, name: member?.name ?? me.name, role: member?.role ?? me.role },
          abandon: () =>
            this.#api.leaveCall(callId).then(
              ({ call: left }) => this.#merge(left),
              () => undefined,
            ),
          // The token route: a grant alone, where a join would answer the whole call again.
          renew: async () => (await this.#api.callToken(callId)).video,
        };
      }, media);
    } finally {
      this.#answering.delete(callId);
      this.#updateIncoming();
    }
  }

  /**
   * Joins the room of a scheduled session's live occurrence (what `client.sessions.join()` does): the same
   * engine and `<call-overlay>` as instant calls, with `active.session` saying which occurrence it is.
   * Leaving tells the hub through the room itself; `end()` goes to the session's end route.
   */
  async joinSession(
    sessionId: string,
    access: SessionRoomAccess,
    media: { audio?: boolean; video?: boolean } = {},
  ): Promise<void> {
    const active = this.store.get().active;
    if (active?.session?.sessionId === sessionId && !FINISHED.has(active.connection)) return;
    await this.#enterRoom(async (me) => {
      const { session, video } = await access.join();
      return {
        callId: sessionCallId(session),
        video,
        self: { userId: me.id, name: me.name, role: me.role },
        session,
        sessionAccess: access,
        // No leave route for sessions: the room's own disconnect is what the hub records.
        abandon: () => undefined,
      };
    }, media);
  }

  /**
   * The hub says a session occurrence ended (or was cancelled): when the page is in its room, the engine
   * leaves and `active.connection` becomes `ended`, as when an instant call ends.
   */
  sessionEnded(session: Pick<CallSession, 'sessionId' | 'occurrenceStart'>): void {
    const active = this.store.get().active;
    if (active?.session && active.callId === sessionCallId(session) && !FINISHED.has(active.connection)) {
      void this.#finishActive('ended');
    }
  }

  /** Leaves the page's call first, asks for a grant, loads its engine and joins with it. */
  async #enterRoom(
    ask: (me: User) => Promise<GrantedRoom>,
    media: { audio?: boolean; video?: boolean },
  ): Promise<void> {
    const active = this.store.get().active;
    // One call at a time: the page leaves the one it is in (the hub hearing of it is best effort).
    if (active && !FINISHED.has(active.connection)) await this.#leaveActive().catch(() => undefined);
    // After leaving (which bumps it): a later join or leave makes this one stop where it is.
    const sequence = ++this.#joinSequence;
    const me = await this.#whoAmI();
    const room = await ask(me);
    if (sequence !== this.#joinSequence) return;
    const engine = await this.#createEngine(room.video.engine);
    if (sequence !== this.#joinSequence) return;
    this.#sessionAccess = room.sessionAccess;
    this.#useEngine(room.callId, room.video.engine, engine, room.session);
    this.#refreshGrant(room, engine, () => ask(me));
    try {
      await engine.join(room.video, room.self, { audio: media.audio ?? true, video: media.video ?? true });
    } catch (error) {
      // The engine's state says why (room full, refused); the hub should not list us as joined.
      if (this.#engine === engine) this.#detachEngine();
      room.abandon();
      throw error;
    }
  }

  #useEngine(
    callId: string,
    engine: VideoEngine,
    callEngine: CallEngine,
    session: CallSession | undefined,
  ): void {
    this.#detachEngine();
    this.#engine = callEngine;
    const mirror = (state: CallEngineState): ActiveCall =>
      session ? { callId, session, engine, ...state } : { callId, engine, ...state };
    this.store.set({ active: mirror(callEngine.store.get()) });
    this.#stopMirroring = callEngine.store.subscribe(
      (state) => state,
      (state) => {
        if (this.#engine !== callEngine) return;
        this.store.set({ active: mirror(state) });
        // The engine left on its own (ended by the teacher, failed): its grant needs no refresh.
        if (FINISHED.has(state.connection)) this.#stopGrantRefresh();
      },
    );
  }

  /**
   * While the engine is in the room, fetches a fresh grant a little before the current one expires
   * (`refreshAfterMs`: a 2-hour mesh token after 96 min, a 24-hour 100ms token after 19.2 h) and gives it to
   * the engine, so a reconnect late in a long call does not meet an expired token. A call's grant comes from
   * its token route (`room.renew`); a session's from its join route again, which changes nothing on the hub
   * for someone already in (attendance stays open). Stops when the hub refuses (the call ended, the member
   * was removed, she is no longer in the call) and when the call is left.
   */
  #refreshGrant(room: GrantedRoom, engine: CallEngine, ask: () => Promise<GrantedRoom>): void {
    if (!engine.updateGrant) return;
    const lifetime = (video: VideoGrant) => tokenLifetimeMs(video.authToken, this.#refreshClock.now());
    const renew =
      room.renew ??
      (async () => {
        const again = await ask();
        return again.callId === room.callId ? again.video : undefined;
      });
    const refresher = new TokenRefresher({
      clock: this.#refreshClock,
      refresh: async () => {
        let next: VideoGrant | undefined;
        try {
          next = await renew();
        } catch (error) {
          // A 4xx will not change by asking again (429 and timeouts will).
          if (error instanceof HubApiError && error.status < 500 && ![408, 429].includes(error.status)) {
            return undefined;
          }
          throw error;
        }
        if (this.#engine !== engine || !next) return undefined;
        engine.updateGrant?.(next);
        return lifetime(next);
      },
      onError: (error) => console.warn('[teacher-hub] could not refresh the call grant; retrying', error),
    });
    this.#grantRefresher = refresher;
    refresher.schedule(lifetime(room.video));
  }

  #stopGrantRefresh(): void {
    this.#grantRefresher?.stop();
    this.#grantRefresher = undefined;
  }

  /** Stops mirroring the engine (its last state stays in `active`) and refreshing its grant. */
  #detachEngine(): void {
    this.#stopGrantRefresh();
    this.#stopMirroring?.();
    this.#stopMirroring = undefined;
    this.#engine = undefined;
  }

  async decline(callId: string): Promise<void> {
    this.#answering.add(callId);
    this.#updateIncoming();
    try {
      const { call } = await this.#api.declineCall(callId);
      this.#merge(call);
    } finally {
      this.#answering.delete(callId);
      this.#updateIncoming();
    }
  }

  /** Leaves the page's call: the engine at once, then tells the hub (whose refusal this rethrows). */
  async leave(): Promise<void> {
    const active = this.store.get().active;
    if (!active || FINISHED.has(active.connection)) return;
    await this.#leaveActive();
  }

  async #leaveActive(): Promise<void> {
    const active = this.store.get().active;
    if (!active) return;
    await this.#finishActive('left');
    // A session's room has no leave route: the hub hears of it from the room (mesh close, 100ms webhook).
    if (active.session) return;
    const { call } = await this.#api.leaveCall(active.callId);
    this.#merge(call);
  }

  async end(callId?: string): Promise<void> {
    const id = callId ?? this.store.get().active?.callId;
    if (!id) throw new Error('There is no call to end.');
    const current = this.store.get().active;
    if (current?.session && current.callId === id) {
      const access = this.#sessionAccess;
      if (!access) throw new Error('This session can only be ended from where it was joined.');
      await access.end(current.session);
      this.sessionEnded(current.session);
      return;
    }
    const { call } = await this.#api.endCall(id);
    this.#merge(call);
    const active = this.store.get().active;
    if (active?.callId === id && !FINISHED.has(active.connection)) await this.#finishActive('ended');
  }

  /** Leaves the engine and marks the page's call `left` or `ended`. */
  async #finishActive(connection: 'left' | 'ended'): Promise<void> {
    this.#joinSequence += 1;
    const engine = this.#engine;
    this.#detachEngine();
    const active = this.store.get().active;
    if (active) {
      this.store.set({
        active: {
          ...active,
          connection,
          participants: [],
          media: { audio: false, video: false, screen: false },
        },
      });
    }
    await engine?.leave().catch(() => undefined);
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.#engine?.setMicrophone(on);
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#engine?.setCamera(on);
  }

  async setScreenShare(on: boolean): Promise<void> {
    await this.#engine?.setScreenShare(on);
  }
}
