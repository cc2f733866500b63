import type { Clock } from '../clock.ts';
import { PermanentFailure, type Job, type JobHandler, type JobScheduler } from '../jobs.ts';
import type { VideoProvider } from './video-provider.ts';

/**
 * Takes a peer out of a room of another owner than calls (a live session's) after the video provider saw
 * her join it unentitled (`video:<room>:remove:…`): run at once, retried by the worker until the provider
 * took it; she stays if she is entitled again by then.
 */
export const ROOM_REMOVE_PEER_JOB = 'video.remove-peer';
/** What the provider tells someone it takes out of a room she may not be in. */
export const NOT_ENTITLED_REASON = 'You are not invited to this room, so you left it.';

/** What the hub makes of a peer the video provider saw join a room. */
export type PeerAdmission = 'entitled' | 'removed' | 'unknown';

/** An owner of rooms that says who may be in them: null when the room is not its (or not live). */
export type RoomEntitlement = (roomId: string, userId: string) => Promise<boolean | null>;

export interface RoomAdmissionDeps {
  video: VideoProvider;
  jobs: JobScheduler;
  clock: Clock;
  /** Whether the user is in the hub's directory (peers it does not know are not its business). */
  isKnownUser(userId: string): Promise<boolean>;
  logger: { warn(message: string, fields?: Record<string, unknown>): void };
}

interface RemovePeerPayload {
  roomId: string;
  userId: string;
}

/**
 * Rule 9 for rooms whose owners only say who may be in them (sessions; calls check their own rooms):
 * a known user who joins a room she is not entitled to is taken out again, durably. A 100ms auth token
 * cannot be revoked, so this is what keeps a removed invitee out of a live session's room.
 */
export class RoomAdmission {
  readonly #deps: RoomAdmissionDeps;
  readonly #owners: RoomEntitlement[] = [];

  constructor(deps: RoomAdmissionDeps) {
    this.#deps = deps;
  }

  /** Registers an owner's answer to who may be in its rooms. */
  addOwner(entitled: RoomEntitlement): void {
    this.#owners.push(entitled);
  }

  /** The provider saw `userId` join `roomId`: out again (through the durable job) unless she may be there. */
  async peerJoined(roomId: string, userId: string): Promise<PeerAdmission> {
    const entitled = await this.#entitled(roomId, userId);
    if (entitled === null) return 'unknown';
    if (entitled) return 'entitled';
    if (!(await this.#deps.isKnownUser(userId))) return 'unknown';
    const now = this.#deps.clock.now();
    const key = `video:${roomId}:remove:${now.getTime()}:${userId}`;
    const payload: RemovePeerPayload = { roomId, userId };
    await this.#deps.jobs.schedule({ key, kind: ROOM_REMOVE_PEER_JOB, runAt: now, payload });
    try {
      await this.#remove(payload);
      await this.#deps.jobs.cancel(key);
    } catch (error) {
      this.#deps.logger.warn('rule 9: the video provider did not take a removal yet; its job retries', {
        error,
        roomId,
      });
    }
    return 'removed';
  }

  /** The durable job of removals, for the worker. */
  jobHandlers(): Record<string, JobHandler> {
    return { [ROOM_REMOVE_PEER_JOB]: { run: (job: Job) => this.#remove(readPayload(job.payload)) } };
  }

  async #remove({ roomId, userId }: RemovePeerPayload): Promise<void> {
    // Invited again since, or the room is no longer live (ended rooms are locked): nothing to do.
    if ((await this.#entitled(roomId, userId)) !== false) return;
    await this.#deps.video.removePeer({ roomId, userId, reason: NOT_ENTITLED_REASON });
  }

  async #entitled(roomId: string, userId: string): Promise<boolean | null> {
    for (const entitled of this.#owners) {
      const answer = await entitled(roomId, userId);
      if (answer !== null) return answer;
    }
    return null;
  }
}

function readPayload(payload: unknown): RemovePeerPayload {
  const { roomId, userId } = (payload ?? {}) as Partial<RemovePeerPayload>;
  if (typeof roomId !== 'string' || typeof userId !== 'string') {
    throw new PermanentFailure('a video.remove-peer job needs roomId and userId');
  }
  return { roomId, userId };
}
