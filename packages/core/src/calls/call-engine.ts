import type { Role, VideoGrant } from '@teacher-hub/protocol';
import type { Store } from '../store.ts';
import type { CallConnection, CallError, CallErrorCode, CallParticipant } from './call-types.ts';

/*
 * The port between `CallsService` and a video engine (100ms or the local mesh). An engine joins one room
 * with a grant from the hub, publishes the local microphone / camera / screen, and reports everything the
 * call view shows through its `store`. Engines are browser code; `CallsService` picks one by
 * `grant.engine` and mirrors its store into `CallsState.active`.
 */

/** What the local user publishes. */
export interface CallMedia {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** Everything an engine reports; `CallsService` copies it into `ActiveCall`. */
export interface CallEngineState {
  connection: CallConnection;
  /** The local participant first (once joined), then the others in joining order. */
  participants: CallParticipant[];
  media: CallMedia;
  /** The latest problem; a device error leaves the call running without that device. */
  error: CallError | null;
}

/** Who joins: shown to the others as the participant's name and role. */
export interface CallSelf {
  userId: string;
  name: string;
  role: Role;
}

/**
 * A video engine for one call. `join()` resolves once the room is joined (a device that fails does not
 * fail the join: the engine joins without it and reports the error in `store`); it rejects with a
 * `CallEngineError` when the room cannot be joined at all (refused, full, unreachable).
 */
export interface CallEngine {
  readonly store: Store<CallEngineState>;
  join(grant: VideoGrant, self: CallSelf, media: { audio: boolean; video: boolean }): Promise<void>;
  /**
   * A fresh grant for the same room (`CallsService` fetches one before the current one expires): the
   * engine uses it for whatever it opens from now on, e.g. the mesh's signalling reconnect. An engine that
   * has no use for one (100ms keeps the token it joined with) leaves this out, and no grant is fetched.
   */
  updateGrant?(grant: VideoGrant): void;
  /** Stops every local track and leaves the room (idempotent). Connection becomes `left`. */
  leave(): Promise<void>;
  setMicrophone(on: boolean): Promise<void>;
  setCamera(on: boolean): Promise<void>;
  /** Starts or stops sharing a screen; a refused picker sets the `screen-share-failed` error. */
  setScreenShare(on: boolean): Promise<void>;
}

/** What a `join()` that could not get into the room rejects with; it carries the `CallError`. */
export class CallEngineError extends Error implements CallError {
  override readonly name = 'CallEngineError';
  readonly code: CallErrorCode;

  constructor(error: CallError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.code = error.code;
  }
}

/** The engine state before `join()`. */
export function initialEngineState(): CallEngineState {
  return {
    connection: 'joining',
    participants: [],
    media: { audio: false, video: false, screen: false },
    error: null,
  };
}
