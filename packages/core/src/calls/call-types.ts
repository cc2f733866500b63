import type { Call, Role, VideoEngine } from '@teacher-hub/protocol';
import type { Store } from '../store.ts';

/*
 * The client side of instant calls as elements see it: one reactive store and a few intents. The
 * `CallsService` (calls-service.ts) implements it over the hub API, the live stream (`call` events) and a
 * `CallEngine` (100ms or the local mesh) chosen by the grant the hub hands out.
 */

/** Where the page's own call is. */
export type CallConnection = 'joining' | 'connected' | 'reconnecting' | 'failed' | 'left' | 'ended';

export interface CallParticipant {
  /** The engine's peer id (unique per connection). */
  id: string;
  userId: string;
  name: string;
  role: Role;
  isLocal: boolean;
  /** Whether the participant's microphone / camera / screen share is on (mute marks come from these). */
  audio: boolean;
  video: boolean;
  screen: boolean;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
}

export type CallErrorCode =
  /** The browser or the user refused the microphone or camera. */
  | 'permission-denied'
  /** No microphone / camera is connected. */
  | 'device-not-found'
  /** Another application holds the device. */
  | 'device-in-use'
  /** Screen sharing was refused or is not supported. */
  | 'screen-share-failed'
  /** The media connection to the others failed (and did not recover). */
  | 'network'
  /** The mesh room already has its 6 people. */
  | 'room-full'
  /** The hub or the video service refused or could not be reached. */
  | 'unavailable'
  | 'unknown';

export interface CallError {
  code: CallErrorCode;
  /** Words for people: what happened and what to do. */
  message: string;
}

/**
 * The scheduled-session occurrence a call's room belongs to, when the page joined one through
 * `client.sessions.join()` rather than an instant call.
 */
export interface CallSession {
  sessionId: string;
  /** The occurrence's original start (ISO UTC), its name. */
  occurrenceStart: string;
  title: string;
  /** The teacher who owns the session: the one who may end it for everyone. */
  ownerId: string;
}

/** The call this page is in. */
export interface ActiveCall {
  /** The hub's call id, or `session:<sessionId>|<occurrenceStart>` for a session occurrence's room. */
  callId: string;
  /** Set when the room is a scheduled session's occurrence; leaving and ending then go to its routes. */
  session?: CallSession | undefined;
  engine: VideoEngine;
  connection: CallConnection;
  /** The local participant first, then the others in joining order. */
  participants: CallParticipant[];
  /** What the local user publishes. */
  media: { audio: boolean; video: boolean; screen: boolean };
  /** The latest problem (a device error leaves the call running without that device). */
  error: CallError | null;
}

export interface CallsState {
  /** Calls the user is a member of and that have not ended (and ones that ended while this page watched), by id. */
  calls: Record<string, Call>;
  /** Calls ringing the user now: status `ringing`, the user's state `ringing`, ring window open. Oldest first. */
  incoming: Call[];
  /** The call this page is in, or null. */
  active: ActiveCall | null;
  /** Whether the hub's live state has been loaded (`GET /v1/live`). */
  loaded: boolean;
}

/** What `<call-overlay>`, `<hub-chat>` and `<teacher-hub>` use (`client.calls`). */
export interface CallsApi {
  readonly store: Store<CallsState>;
  /** Holds the live stream and loads what is live now; returns the release. Reference counted. */
  connect(): () => void;
  /** A teacher starts a call in a chat (or gets the one already going there) and joins it. */
  start(chatId: string): Promise<Call>;
  /**
   * A teacher's "start instant session": calls the group chat the teacher owns whose members are exactly
   * the teacher and `memberIds`, or a new one (named `name`, default "Instant session …") when none is.
   */
  startWith(memberIds: string[], name?: string): Promise<Call>;
  /** Joins (accepting a ring, or rejoining before the teacher ends it) with the microphone and camera on. */
  join(callId: string, media?: { audio?: boolean; video?: boolean }): Promise<void>;
  decline(callId: string): Promise<void>;
  /** Leaves the page's call; it stays open for the others. */
  leave(): Promise<void>;
  /** The teacher ends the page's call (or `callId`) for everyone. */
  end(callId?: string): Promise<void>;
  setMicrophone(on: boolean): Promise<void>;
  setCamera(on: boolean): Promise<void>;
  setScreenShare(on: boolean): Promise<void>;
}
