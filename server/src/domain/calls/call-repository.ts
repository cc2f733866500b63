import type { CallMemberState, CallStatus, Role, VideoEngine } from '@teacher-hub/protocol';
import type { JobScheduler } from '../jobs.ts';
import type { Outbox } from '../notifications/notifier.ts';

/** A call as the hub keeps it. */
export interface CallRecord {
  id: string;
  chatId: string;
  status: CallStatus;
  engine: VideoEngine;
  roomId: string;
  startedBy: string;
  startedAt: Date;
  ringExpiresAt: Date;
  endedAt: Date | null;
  endedBy: string | null;
  /** The chat's members when the call started: the starter first, then by id. */
  members: CallMemberRecord[];
}

export interface CallMemberRecord {
  userId: string;
  state: CallMemberState;
  /**
   * Her directory record, read with the call's members (one read, where presenting a call would ask the
   * directory again for every member); absent when she is not in the directory or it was not read.
   */
  user?: CallUser;
}

export interface CallUser {
  id: string;
  name: string;
  role: Role;
}

/** The writes of one transaction; notifications and jobs written through it commit with the change. */
export interface CallTransaction {
  readonly outbox: Outbox;
  readonly jobs: JobScheduler;
  /** Reads the call and locks it against concurrent changes until the transaction ends. */
  lock(callId: string): Promise<CallRecord | undefined>;
  /** Inserts a call and its members; false when the chat has an open call already (nothing written). */
  insert(call: CallRecord): Promise<boolean>;
  setStatus(callId: string, status: CallStatus, at: Date, endedBy?: string): Promise<void>;
  /** Moves the named members (all of them when `userIds` is null) that are in one of `from` to `to`; returns who moved. */
  moveMembers(
    callId: string,
    from: readonly CallMemberState[],
    to: CallMemberState,
    at: Date,
    userIds?: readonly string[],
  ): Promise<string[]>;
}

/** The calls' storage port; the Kysely adapter implements it on PGlite and PostgreSQL. */
export interface CallRepository {
  find(callId: string): Promise<CallRecord | undefined>;
  /** The call a video room belongs to. */
  findByRoom(roomId: string): Promise<CallRecord | undefined>;
  /** The chat's call that has not ended, if any. */
  openInChat(chatId: string): Promise<CallRecord | undefined>;
  /** Calls that have not ended and have the user as a member, newest first. */
  openForMember(userId: string): Promise<CallRecord[]>;
  /** Whether a room belongs to a call that has not ended (the mesh relay asks before letting a peer in). */
  isRoomOpen(roomId: string): Promise<boolean>;
  users(ids: readonly string[]): Promise<CallUser[]>;
  /**
   * The chat's name if `userId` is still one of its members, else undefined: one row by the membership's
   * key, where loading the chat would load all its members (a join asks twice, before and after its grant).
   */
  chatSeat(chatId: string, userId: string): Promise<{ chatName: string | null } | undefined>;
  /**
   * The user's place in a call, in one indexed read: the call's status and room and her state, when she is
   * a member of the call and still of its chat; undefined otherwise. For the token route.
   */
  callSeat(
    callId: string,
    userId: string,
  ): Promise<{ status: CallStatus; roomId: string; state: CallMemberState } | undefined>;
  transaction<T>(work: (tx: CallTransaction) => Promise<T>): Promise<T>;
}
