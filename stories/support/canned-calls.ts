// Story and test fixtures for calls: a `CallsApi` whose store you set by hand, and fake camera and screen
// tracks drawn on a canvas, so `<call-overlay>` shows every state without a hub, devices or a video room.
// The hub's own call lifecycle is tested against the real server; this stands in for `client.calls` only.
import { HubClient, createStore } from '@teacher-hub/core';
import type { Call, CallMember } from '@teacher-hub/protocol';
import type { Store, ActiveCall, CallParticipant, CallsApi, CallsState } from '@teacher-hub/core';

export const ADA = { userId: 't-ada', name: 'Ada Lovelace', role: 'teacher' } as const;
export const AMARA = { userId: 's-01', name: 'Amara Okafor', role: 'student' } as const;
export const FARAH = { userId: 's-06', name: 'Farah Haddad', role: 'student' } as const;
export const DIEGO = { userId: 's-04', name: 'Diego Ramírez', role: 'student' } as const;

export type Person = { userId: string; name: string; role: 'teacher' | 'student' };

// ── Fake media ─────────────────────────────────────────────────────────────────────────────────────────

function hue(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** A live canvas track: `draw` paints a frame, repeated so the track keeps sending frames. */
function canvasTrack(width: number, height: number, draw: (g: CanvasRenderingContext2D, t: number) => void) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d')!;
  const started = performance.now();
  const paint = () => draw(g, (performance.now() - started) / 1000);
  paint();
  const stream = canvas.captureStream(15);
  const timer = setInterval(paint, 100);
  const [track] = stream.getVideoTracks();
  track!.addEventListener('ended', () => clearInterval(timer));
  return track!;
}

const cameras = new Map<string, MediaStreamTrack>();

/**
 * A "camera" showing `name` on a tinted background with a slowly moving light, one track per name. The
 * overlay mirrors the local camera (as people expect of their own picture), so `mirrored` writes the name
 * the other way round for it to read right there.
 */
export function fakeCameraTrack(name: string, mirrored = false): MediaStreamTrack {
  const key = `${name}${mirrored ? ' (mirrored)' : ''}`;
  const existing = cameras.get(key);
  if (existing && existing.readyState === 'live') return existing;
  const h = hue(name);
  const track = canvasTrack(640, 400, (g, t) => {
    const gradient = g.createLinearGradient(0, 0, 640, 400);
    gradient.addColorStop(0, `hsl(${h} 45% 38%)`);
    gradient.addColorStop(1, `hsl(${(h + 40) % 360} 50% 22%)`);
    g.fillStyle = gradient;
    g.fillRect(0, 0, 640, 400);
    g.fillStyle = 'rgb(255 255 255 / 0.12)';
    g.beginPath();
    g.arc(320 + Math.cos(t / 2) * 180, 200 + Math.sin(t / 3) * 90, 90, 0, Math.PI * 2);
    g.fill();
    // A head-and-shoulders silhouette, so a tile reads as a person at a glance.
    g.fillStyle = 'rgb(255 255 255 / 0.78)';
    g.beginPath();
    g.arc(320, 165, 62, 0, Math.PI * 2);
    g.fill();
    g.beginPath();
    g.ellipse(320, 360, 135, 110, 0, Math.PI, 0);
    g.fill();
    g.save();
    if (mirrored) g.setTransform(-1, 0, 0, 1, 640, 0);
    g.fillStyle = '#fff';
    g.font = '600 30px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillText(name, 320, 60);
    g.restore();
  });
  cameras.set(key, track);
  return track;
}

/** A shared "screen": a slide with a title and a few bullet lines. */
export function fakeScreenTrack(title = 'Quadratic equations'): MediaStreamTrack {
  return canvasTrack(1280, 720, (g, t) => {
    g.fillStyle = '#f8fafc';
    g.fillRect(0, 0, 1280, 720);
    g.fillStyle = '#4f46e5';
    g.fillRect(0, 0, 1280, 110);
    g.fillStyle = '#fff';
    g.font = '600 52px system-ui, sans-serif';
    g.fillText(title, 60, 74);
    g.fillStyle = '#0f172a';
    g.font = '40px system-ui, sans-serif';
    ['ax² + bx + c = 0', 'x = (−b ± √(b² − 4ac)) / 2a', 'Discriminant: b² − 4ac'].forEach((line, i) =>
      g.fillText(`•  ${line}`, 90, 220 + i * 90),
    );
    g.fillStyle = '#dc2626';
    g.beginPath();
    g.arc(820 + Math.sin(t) * 40, 520, 12, 0, Math.PI * 2);
    g.fill();
  });
}

let audioContext: AudioContext | undefined;

/** A silent microphone track (a Web Audio destination), for the `<audio>` elements of remote people. */
export function fakeAudioTrack(): MediaStreamTrack {
  audioContext ??= new AudioContext();
  return audioContext.createMediaStreamDestination().stream.getAudioTracks()[0]!;
}

// ── Calls and participants ────────────────────────────────────────────────────────────────────────────

/** A participant with camera and microphone on (and fake tracks), unless `overrides` say otherwise. */
export function participant(
  person: Person,
  overrides: Partial<CallParticipant> & { tracks?: boolean } = {},
): CallParticipant {
  const { tracks = true, ...rest } = overrides;
  const base: CallParticipant = {
    id: `peer-${person.userId}`,
    userId: person.userId,
    name: person.name,
    role: person.role,
    isLocal: false,
    audio: true,
    video: true,
    screen: false,
    audioTrack: null,
    videoTrack: null,
    screenTrack: null,
  };
  const merged = { ...base, ...rest };
  if (tracks) {
    if (merged.video && !('videoTrack' in rest))
      merged.videoTrack = fakeCameraTrack(person.name, merged.isLocal);
    if (!merged.isLocal && merged.audio && !('audioTrack' in rest)) merged.audioTrack = fakeAudioTrack();
  }
  return merged;
}

let callCounter = 0;

/** A call in "Algebra study group" started by Ada, ringing everyone else for `ringSeconds`. */
export function makeCall(
  options: {
    id?: string;
    chatId?: string;
    chatName?: string | null;
    startedBy?: Person;
    members?: Person[];
    status?: Call['status'];
    ringSeconds?: number;
  } = {},
): Call {
  const startedBy = options.startedBy ?? ADA;
  const members: Person[] = options.members ?? [ADA, AMARA, FARAH];
  const now = Date.now();
  return {
    id: options.id ?? `call-${++callCounter}`,
    chatId: options.chatId ?? 'chat-algebra-study',
    chatName: options.chatName === undefined ? 'Algebra study group' : options.chatName,
    status: options.status ?? 'ringing',
    ringExpiresAt: new Date(now + (options.ringSeconds ?? 30) * 1000).toISOString(),
    startedBy: startedBy.userId,
    startedAt: new Date(now).toISOString(),
    endedAt: null,
    members: members.map((member): CallMember => ({
      userId: member.userId,
      name: member.name,
      role: member.role,
      state: member.userId === startedBy.userId ? 'joined' : 'ringing',
    })),
  };
}

/** An active call of `call` as the local `me` sees it, with `others` in it. */
export function activeCall(
  call: Call,
  me: Person,
  others: CallParticipant[],
  overrides: Partial<ActiveCall> = {},
): ActiveCall {
  const media = overrides.media ?? { audio: true, video: true, screen: false };
  const local = participant(me, { isLocal: true, audio: media.audio, video: media.video });
  return {
    callId: call.id,
    engine: 'mesh',
    connection: 'connected',
    participants: [local, ...others],
    media,
    error: null,
    ...overrides,
  };
}

export interface CannedCallsCall {
  method:
    | 'connect'
    | 'start'
    | 'startWith'
    | 'join'
    | 'decline'
    | 'leave'
    | 'end'
    | 'setMicrophone'
    | 'setCamera'
    | 'setScreenShare';
  args: unknown[];
}

/**
 * A `CallsApi` that records every call and answers from its store. `me` is the local user; `others` are
 * who is in a call once this page joins it. Set `failNext` to make the next intent reject with it.
 */
export class CannedCalls implements CallsApi {
  readonly store: Store<CallsState> = createStore<CallsState>({
    calls: {},
    incoming: [],
    active: null,
    loaded: true,
  });
  readonly log: CannedCallsCall[] = [];
  /** Holders of `connect()` now. */
  holders = 0;
  failNext: Error | undefined;
  /** How long each intent takes (ms), to see the busy states. */
  latencyMs = 0;

  constructor(
    readonly me: Person,
    readonly others: CallParticipant[] = [],
  ) {}

  /** Rings this page with `call`. */
  ring(call: Call): void {
    this.store.set((state) => ({
      calls: { ...state.calls, [call.id]: call },
      incoming: [...state.incoming, call],
    }));
  }

  /** Puts this page in `call` (already joined). */
  enter(call: Call, overrides: Partial<ActiveCall> = {}): void {
    this.store.set((state) => ({
      calls: { ...state.calls, [call.id]: { ...call, status: 'active' } },
      incoming: state.incoming.filter((ringing) => ringing.id !== call.id),
      active: activeCall(call, this.me, this.others, overrides),
    }));
  }

  /** Changes the page's active call (a participant mutes, an error arrives, …). */
  update(change: (active: ActiveCall) => Partial<ActiveCall>): void {
    this.store.set((state) => (state.active ? { active: { ...state.active, ...change(state.active) } } : {}));
  }

  connect(): () => void {
    this.log.push({ method: 'connect', args: [] });
    this.holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
    };
  }

  async start(chatId: string): Promise<Call> {
    await this.#intent('start', [chatId]);
    const existing = Object.values(this.store.get().calls).find(
      (call) => call.chatId === chatId && call.status !== 'ended',
    );
    const call = existing ?? makeCall({ chatId, startedBy: this.me, status: 'active' });
    this.enter(call);
    return call;
  }

  async startWith(memberIds: string[], name?: string): Promise<Call> {
    await this.#intent('startWith', name === undefined ? [memberIds] : [memberIds, name]);
    const call = makeCall({ chatId: 'chat-instant', chatName: name ?? 'Instant session', status: 'active' });
    this.enter(call);
    return call;
  }

  async join(callId: string, media?: { audio?: boolean; video?: boolean }): Promise<void> {
    await this.#intent('join', media ? [callId, media] : [callId]);
    const call = this.store.get().calls[callId];
    if (!call) throw new Error(`No call ${callId} in this story.`);
    this.enter(call, { media: { audio: media?.audio ?? true, video: media?.video ?? true, screen: false } });
  }

  async decline(callId: string): Promise<void> {
    await this.#intent('decline', [callId]);
    this.store.set((state) => ({ incoming: state.incoming.filter((call) => call.id !== callId) }));
  }

  async leave(): Promise<void> {
    await this.#intent('leave', []);
    this.update(() => ({ connection: 'left' }));
  }

  async end(callId?: string): Promise<void> {
    await this.#intent('end', callId ? [callId] : []);
    const id = callId ?? this.store.get().active?.callId;
    this.store.set((state) => {
      const call = id ? state.calls[id] : undefined;
      return {
        calls: call && id ? { ...state.calls, [id]: { ...call, status: 'ended' } } : state.calls,
        active:
          state.active && state.active.callId === id
            ? { ...state.active, connection: 'ended' }
            : state.active,
      };
    });
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.#intent('setMicrophone', [on]);
    this.#setLocal({ audio: on }, (local) => ({ audio: on, audioTrack: on ? local.audioTrack : null }));
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#intent('setCamera', [on]);
    this.#setLocal({ video: on }, (local) => ({
      video: on,
      videoTrack: on ? fakeCameraTrack(local.name, true) : null,
    }));
  }

  async setScreenShare(on: boolean): Promise<void> {
    await this.#intent('setScreenShare', [on]);
    this.#setLocal({ screen: on }, () => ({ screen: on, screenTrack: on ? fakeScreenTrack() : null }));
  }

  #setLocal(
    media: Partial<ActiveCall['media']>,
    change: (local: CallParticipant) => Partial<CallParticipant>,
  ): void {
    this.update((active) => ({
      media: { ...active.media, ...media },
      participants: active.participants.map((p) => (p.isLocal ? { ...p, ...change(p) } : p)),
    }));
  }

  async #intent(method: CannedCallsCall['method'], args: unknown[]): Promise<void> {
    this.log.push({ method, args });
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
}

/**
 * Gives `client` the canned calls as `client.calls` (a client without the service gets the field; one
 * with it has it replaced), and returns the client.
 */
export function withCalls<C extends HubClient>(client: C, calls: CallsApi): C {
  Object.defineProperty(client, 'calls', { value: calls, configurable: true, writable: true });
  return client;
}

/** A client for stories: it talks to no hub (nothing in the call stories needs one). */
export function cannedCallsClient(calls: CallsApi): HubClient {
  return withCalls(
    new HubClient({
      server: 'https://hub.example.edu',
      token: 'story-token',
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Not in this story.' } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        }),
    }),
    calls,
  );
}
