import type { Call, CallMemberState, DirectoryEnrollment, VideoGrant } from '@teacher-hub/protocol';
import type { ChatRecord } from '../chat/chat.ts';
import type { Clock } from '../clock.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../identity.ts';
import type { Job, JobHandler } from '../jobs.ts';
import type { Notifier, StoredNotification } from '../notifications/notifier.ts';
import type { CallRecord, CallRepository, CallTransaction, CallUser } from './call-repository.ts';
import type { PeerAdmission } from './room-admission.ts';
import type { VideoProvider } from './video-provider.ts';

/** Marks the members still rung when the ring window closes `missed` (`call:<id>:ring-timeout`). */
export const CALL_RING_TIMEOUT_JOB = 'call.ring-timeout';
/**
 * Takes members who lost their place in a call's chat out of its video room (`call:<id>:remove:…`): run at
 * once by the change that recorded it, and again by the worker until the video provider took it.
 */
export const CALL_REMOVE_PEERS_JOB = 'call.remove-peers';
/** What the provider tells a member it takes out of a room (100ms shows it; the mesh closes with 4403). */
export const REMOVED_FROM_CALL_REASON = 'You are no longer enrolled in this class, so you left the call.';

export interface CallLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface CallServiceDeps {
  repository: CallRepository;
  /** The hub's record of chats (who is a member, whose chat it is). */
  chats: { find(chatId: string): Promise<ChatRecord | undefined> };
  video: VideoProvider;
  notifier: Notifier;
  /** Tells the members' open pages that the call changed (the live `call` event). */
  publish(call: Call, userIds: readonly string[]): Promise<void>;
  /**
   * Marks read the in-app notifications with these keys (`call:<id>:ring`) of these users, and tells
   * their pages: a ring that was answered, declined or missed is no longer news.
   */
  markRead(key: string, userIds: readonly string[]): Promise<void>;
  clock: Clock;
  newId: () => string;
  logger: CallLogger;
  /** `HUB_RING_TIMEOUT_S`. */
  ringTimeoutSeconds: number;
}

interface MissedContext {
  chatName: string | null;
  callerName: string;
  /** Who is in the call's chat now: only they can miss a call (null: the chat is gone). */
  chatMemberIds: ReadonlySet<string> | null;
}

interface RingTimeoutPayload {
  callId: string;
}

interface RemovePeersPayload {
  callId: string;
  userIds: string[];
}

/** Above this many members, a call's live event leaves out those still ringing (`Call.ringingUnlisted`). */
export const LIVE_MEMBER_LIST_LIMIT = 50;

/**
 * The call as its live event carries it: a big call without the members still ringing, which each of them
 * knows to be (the event goes only to members), so every stream gets a small event instead of the whole
 * list. Small calls, and calls nobody is rung in, go as they are.
 */
export function liveCall(call: Call): Call {
  if (call.members.length <= LIVE_MEMBER_LIST_LIMIT) return call;
  const listed = call.members.filter((member) => member.state !== 'ringing');
  const unlisted = call.members.length - listed.length;
  return unlisted === 0 ? call : { ...call, members: listed, ringingUnlisted: unlisted };
}

/** Who may be in a call's room: its members who are still in its chat (rule 9). */
const entitled = (call: CallRecord, chatMemberIds: readonly string[], userId: string) =>
  chatMemberIds.includes(userId) && call.members.some((member) => member.userId === userId);

const ringTimeoutKey = (callId: string) => `call:${callId}:ring-timeout`;
const ringKey = (callId: string) => `call:${callId}:ring`;
const linkTo = (callId: string) => `#call/${callId}`;

/**
 * Instant calls (DESIGN.md rules 4, 5, 8). A teacher who is a member of a chat starts a call: a video room
 * is made for it, every other member is rung (the live `call` event and an urgent `call.ringing`
 * notification on every channel, its push TTL the ring window) and a durable job closes the ring window,
 * marking those who neither joined nor declined `missed` and sending them `call.missed` under the ring's
 * collapse key, so the missed call replaces the ring on their devices. The call and its room stay open
 * when everybody leaves; only a teacher ends them, for everyone, and the room is locked.
 *
 * Rule 9 reaches into live calls: a member who is no longer in the call's chat (the LMS removed her
 * enrollment) is marked `left`, taken out of the room at once (a durable job retries the provider), told
 * with the others through the live `call` event, and never sent `call.missed`; she can neither see nor join
 * the call again.
 *
 * Order of operations: the video provider is called outside any transaction (a room is made before the
 * call is recorded and ended again if recording fails; a room is ended before the end is recorded, so a
 * provider failure changes nothing), and each change commits with its notifications and jobs (outbox).
 */
export class CallService {
  readonly #deps: CallServiceDeps;

  constructor(deps: CallServiceDeps) {
    this.#deps = deps;
  }

  /** The job kinds this service runs. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [CALL_RING_TIMEOUT_JOB]: {
        run: (job: Job) => this.#ringTimeout((job.payload as RingTimeoutPayload).callId),
      },
      [CALL_REMOVE_PEERS_JOB]: { run: (job: Job) => this.#removePeers(job.payload as RemovePeersPayload) },
    };
  }

  /** Whether a video room belongs to a call that has not ended. */
  isRoomOpen(roomId: string): Promise<boolean> {
    return this.#deps.repository.isRoomOpen(roomId);
  }

  // ---- reading ------------------------------------------------------------------------------------

  /** `GET /v1/calls/:id`. */
  async get(principal: Principal, callId: string): Promise<Call> {
    return this.#present(await this.#memberCall(principal, callId));
  }

  /** `GET /v1/live`: the calls the caller is a member of that have not ended, newest first. */
  async live(principal: Principal): Promise<Call[]> {
    const calls = await this.#deps.repository.openForMember(principal.id);
    const stillMember = await Promise.all(calls.map((call) => this.#inChat(principal, call)));
    return this.#presentAll(calls.filter((_, index) => stillMember[index]));
  }

  // ---- changing -----------------------------------------------------------------------------------

  /**
   * `POST /v1/chats/:id/calls`: a teacher member starts a call in the chat, or gets the one already open
   * there (`created: false`).
   */
  async start(principal: Principal, chatId: string): Promise<{ call: Call; created: boolean }> {
    const { repository, video, clock } = this.#deps;
    const chat = await this.#deps.chats.find(chatId);
    if (!chat?.memberIds.includes(principal.id))
      throw new ApiError('NOT_FOUND', `There is no chat ${chatId}.`);
    if (principal.role !== 'teacher') {
      throw new ApiError('FORBIDDEN', 'Only a teacher can start a call; join the call your teacher starts.');
    }
    const open = await repository.openInChat(chat.id);
    if (open) return { call: await this.#present(open), created: false };
    const rung = chat.memberIds.filter((id) => id !== principal.id);
    if (rung.length === 0) throw new ApiError('CONFLICT', 'There is nobody else in this chat to call.');

    const id = this.#deps.newId();
    const { roomId } = await video.createRoom({
      name: `call-${id}`,
      description: `Teacher Hub call in ${chat.name ?? 'a direct chat'}`,
    });
    const now = clock.now();
    const record: CallRecord = {
      id,
      chatId: chat.id,
      status: 'ringing',
      engine: video.engine,
      roomId,
      startedBy: principal.id,
      startedAt: now,
      ringExpiresAt: new Date(now.getTime() + this.#deps.ringTimeoutSeconds * 1000),
      endedAt: null,
      endedBy: null,
      members: [
        { userId: principal.id, state: 'joined' },
        ...[...rung].sort().map((userId) => ({ userId, state: 'ringing' as const })),
      ],
    };

    let written: StoredNotification[] | null;
    try {
      written = await repository.transaction(async (tx) => {
        if (!(await tx.insert(record))) return null;
        await tx.jobs.schedule({
          key: ringTimeoutKey(id),
          kind: CALL_RING_TIMEOUT_JOB,
          runAt: record.ringExpiresAt,
          payload: { callId: id } satisfies RingTimeoutPayload,
        });
        return this.#deps.notifier.enqueue(tx.outbox, {
          kind: 'call.ringing',
          recipients: rung,
          title: `${principal.name} is calling`,
          body: chat.name ? `${chat.name}: join the call` : 'Join the call',
          data: { chatId: chat.id, callId: id, link: linkTo(id) },
          key: ringKey(id),
          urgentTtlSeconds: this.#deps.ringTimeoutSeconds,
        });
      });
    } catch (error) {
      await this.#endRoomQuietly(roomId, 'a call that was not saved');
      throw error;
    }
    if (written === null) {
      // Another start won the race for this chat: the caller gets that call; this room is not needed.
      await this.#endRoomQuietly(roomId, 'a second call in a chat that has one');
      const winner = await repository.openInChat(chat.id);
      if (!winner) throw new ApiError('CONFLICT', 'The chat’s call changed meanwhile; try again.');
      return { call: await this.#present(winner), created: false };
    }
    await this.#deps.notifier.announce(written);
    return { call: await this.#publish(record), created: true };
  }

  /** `POST /v1/calls/:id/join`: a member joins (accepting the ring, or again after leaving) until it ends. */
  async join(principal: Principal, callId: string): Promise<{ call: Call; video: VideoGrant }> {
    // The membership checks read one row each (`chatSeat`), not the chat with all its members.
    const call = await this.#deps.repository.find(callId);
    if (
      !call?.members.some((member) => member.userId === principal.id) ||
      !(await this.#deps.repository.chatSeat(call.chatId, principal.id))
    ) {
      throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
    }
    if (call.status === 'ended') throw new ApiError('CONFLICT', 'This call has ended.');
    // A member already in an active call (a reload, a second tab, a new token) changes nothing: no
    // transaction and no lock on the call row, which every such join would otherwise queue on.
    const alreadyIn =
      call.status === 'active' &&
      call.members.some((member) => member.userId === principal.id && member.state === 'joined');
    const changed = alreadyIn
      ? null
      : await this.#change(callId, async (tx, locked) => {
          if (locked.status === 'ended') throw new ApiError('CONFLICT', 'This call has ended.');
          const moved = await tx.moveMembers(
            callId,
            ['ringing', 'declined', 'missed', 'left'],
            'joined',
            this.#now(),
            [principal.id],
          );
          return moved.length > 0;
        });
    const video = await this.#deps.video.grant({
      roomId: call.roomId,
      userId: principal.id,
      name: principal.name,
      role: principal.role,
    });
    // The LMS may have removed her while this join ran, and her removal from the room may have gone before
    // the grant let her back in (the mesh readmits on a grant): she is removed again and gets no grant.
    const seat = await this.#deps.repository.chatSeat(call.chatId, principal.id);
    if (!seat) {
      await this.#removeFormerMembers(call);
      throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
    }
    return { call: changed ?? (await this.#present(call, seat.chatName)), video };
  }

  /**
   * `POST /v1/calls/:id/token`: a new grant for a member who is in the call (`joined`), such as the SDK asks
   * for before its grant expires. Nothing about the call changes, and it reads one row (`callSeat`), where
   * a join reads and answers the whole call. Someone who is not in the call joins instead.
   */
  async token(principal: Principal, callId: string): Promise<VideoGrant> {
    const seat = await this.#deps.repository.callSeat(callId, principal.id);
    if (!seat) throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
    if (seat.status === 'ended') throw new ApiError('CONFLICT', 'This call has ended.');
    if (seat.state !== 'joined') {
      throw new ApiError('CONFLICT', 'You are not in this call: join it (POST /v1/calls/:id/join) instead.');
    }
    const video = await this.#deps.video.grant({
      roomId: seat.roomId,
      userId: principal.id,
      name: principal.name,
      role: principal.role,
    });
    // As in `join`: a grant that readmits may have undone a removal that went after the check.
    if (this.#deps.video.readmitsOnGrant && !(await this.#deps.repository.callSeat(callId, principal.id))) {
      const call = await this.#deps.repository.find(callId);
      if (call) await this.#removeFormerMembers(call);
      throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
    }
    return video;
  }

  /** `POST /v1/calls/:id/decline`: a member who is being rung says no; the others' call goes on. */
  async decline(principal: Principal, callId: string): Promise<Call> {
    const call = await this.#memberCall(principal, callId);
    const member = call.members.find((entry) => entry.userId === principal.id);
    if (member?.state === 'declined') return this.#present(call);
    if (call.status === 'ended') throw new ApiError('CONFLICT', 'This call has ended.');
    const changed = await this.#change(callId, async (tx) => {
      const moved = await tx.moveMembers(callId, ['ringing'], 'declined', this.#now(), [principal.id]);
      if (moved.length === 0) {
        throw new ApiError('CONFLICT', 'Only a call that is ringing you can be declined; leave it instead.');
      }
      return true;
    });
    return changed ?? this.#present(call);
  }

  /** `POST /v1/calls/:id/leave`: a member who joined leaves; the call and its room stay open. */
  async leave(principal: Principal, callId: string): Promise<Call> {
    const call = await this.#memberCall(principal, callId);
    if (call.status === 'ended') return this.#present(call);
    const changed = await this.#change(callId, async (tx) => {
      const moved = await tx.moveMembers(callId, ['joined'], 'left', this.#now(), [principal.id]);
      return moved.length > 0;
    });
    return changed ?? this.#present(call);
  }

  /**
   * The video provider saw a member's last connection to a room close (a closed tab, a lost network):
   * they are `left`, as if they had pressed Leave. Unknown rooms and members are ignored.
   */
  async leftRoom(roomId: string, userId: string): Promise<void> {
    const call = await this.#deps.repository.findByRoom(roomId);
    if (!call || call.status === 'ended' || !call.members.some((member) => member.userId === userId)) return;
    await this.#change(call.id, async (tx) => {
      const moved = await tx.moveMembers(call.id, ['joined'], 'left', this.#now(), [userId]);
      return moved.length > 0;
    });
  }

  /**
   * Rule 9 inside live calls, after the LMS removed enrollments and chats and sessions took the students
   * out of the chats they lost: every open call of the users concerned loses the members who are no longer
   * in its chat (a removed teacher's calls lose her students). Returns how many members were removed.
   */
  async applyEnrollmentRemovals(removed: readonly DirectoryEnrollment[]): Promise<number> {
    const calls = new Map<string, CallRecord>();
    for (const userId of new Set(removed.map((enrollment) => enrollment.userId))) {
      for (const call of await this.#deps.repository.openForMember(userId)) calls.set(call.id, call);
    }
    let count = 0;
    for (const call of calls.values()) count += (await this.#removeFormerMembers(call)).length;
    return count;
  }

  /**
   * Rule 9 after a teacher took members out of a chat by hand: the chat's open call loses them as it does
   * after an enrollment removal. Idempotent (the chat's durable job may run it again). Returns how many
   * members were removed.
   */
  async applyChatRemoval(chatId: string): Promise<number> {
    const call = await this.#deps.repository.openInChat(chatId);
    return call ? (await this.#removeFormerMembers(call)).length : 0;
  }

  /**
   * The video provider saw a peer join a room (100ms's `peer.join.success` webhook): a 100ms auth token
   * lives 24 hours and cannot be revoked, so a member taken out by rule 9 could come back with it. Someone
   * the hub knows who is not entitled to the call (a member of it still in its chat) is taken out again
   * through the durable `call.remove-peers` job. `unknown`: not a room of an open call, or not a hub user
   * (nothing to do).
   */
  async peerJoined(roomId: string, userId: string): Promise<PeerAdmission> {
    const call = await this.#deps.repository.findByRoom(roomId);
    if (!call || call.status === 'ended') return 'unknown';
    const chat = await this.#deps.chats.find(call.chatId);
    if (chat && entitled(call, chat.memberIds, userId)) return 'entitled';
    if ((await this.#deps.repository.users([userId])).length === 0) return 'unknown';
    const now = this.#now();
    const payload: RemovePeersPayload = { callId: call.id, userIds: [userId] };
    const key = `call:${call.id}:remove:${now.getTime()}:${userId}`;
    await this.#deps.repository.transaction((tx) =>
      tx.jobs.schedule({ key, kind: CALL_REMOVE_PEERS_JOB, runAt: now, payload }),
    );
    await this.#removeAtOnce(payload, key);
    return 'removed';
  }

  /**
   * `POST /v1/calls/:id/end`: a teacher ends the call for everyone. The room is ended and locked first
   * (a provider failure changes nothing); those still rung get `call.missed`. Ending an ended call is no error.
   */
  async end(principal: Principal, callId: string): Promise<Call> {
    const call = await this.#memberCall(principal, callId);
    if (principal.role !== 'teacher') {
      throw new ApiError('FORBIDDEN', 'Only the teacher can end the call; you can leave it.');
    }
    if (call.status === 'ended') return this.#present(call);
    await this.#deps.video.endRoom(call.roomId, 'The teacher ended the call');
    const context = await this.#missedContext(call);
    let written: StoredNotification[] = [];
    const changed = await this.#change(
      callId,
      async (tx, locked) => {
        if (locked.status === 'ended') return false;
        const now = this.#now();
        await tx.setStatus(callId, 'ended', now, principal.id);
        await tx.moveMembers(callId, ['joined'], 'left', now);
        const missed = await this.#missRung(tx, locked, context, now);
        await tx.jobs.cancel(ringTimeoutKey(callId));
        written = await this.#notifyMissed(tx, locked, missed, context);
        return true;
      },
      this.#formerRung(call, context),
    );
    await this.#deps.notifier.announce(written);
    return changed ?? this.#present(call);
  }

  // ---- the ring window ----------------------------------------------------------------------------

  async #ringTimeout(callId: string): Promise<void> {
    // The chat (and with it the call) may be gone: then there is nobody left to ring.
    const call = await this.#deps.repository.find(callId);
    if (!call) return;
    const context = await this.#missedContext(call);
    let written: StoredNotification[] = [];
    await this.#change(
      callId,
      async (tx, locked) => {
        if (locked.status !== 'ringing') return false;
        const now = this.#now();
        const missed = await this.#missRung(tx, locked, context, now);
        await tx.setStatus(callId, 'active', now);
        written = await this.#notifyMissed(tx, locked, missed, context);
        return true;
      },
      this.#formerRung(call, context),
    );
    await this.#deps.notifier.announce(written);
  }

  /**
   * Those still rung miss the call, but for members no longer in its chat (rule 9; normally taken out when
   * they were removed): they are `left`, with no `call.missed`. Returns who missed it.
   */
  async #missRung(
    tx: CallTransaction,
    call: CallRecord,
    context: MissedContext,
    now: Date,
  ): Promise<string[]> {
    const former = this.#formerRung(call, context);
    await tx.moveMembers(call.id, ['ringing'], 'left', now, former);
    return tx.moveMembers(call.id, ['ringing'], 'missed', now);
  }

  /** Members rung by the call who are no longer in its chat: they hear that their ring stopped. */
  #formerRung(call: CallRecord, context: MissedContext): string[] {
    const { chatMemberIds } = context;
    if (!chatMemberIds) return [];
    return call.members
      .filter((member) => member.state === 'ringing' && !chatMemberIds.has(member.userId))
      .map((member) => member.userId);
  }

  /** What a missed-call notification names, read before its transaction (PGlite has one connection). */
  async #missedContext(call: CallRecord): Promise<MissedContext> {
    const chat = await this.#deps.chats.find(call.chatId);
    const [caller] = await this.#deps.repository.users([call.startedBy]);
    return {
      chatName: chat?.name ?? null,
      callerName: caller?.name ?? 'your teacher',
      chatMemberIds: chat ? new Set(chat.memberIds) : null,
    };
  }

  // ---- rule 9 -------------------------------------------------------------------------------------

  /**
   * Members of the call who are no longer in its chat are marked `left` (from `ringing` or `joined`; a ring
   * that stops is marked read), the call is published to the others and to those of them who were rung or in
   * it (so a ringing page stops), and they are taken out of the room, by a durable job that the change commits with and that runs at
   * once. Nothing happens to an ended call, or one whose chat is gone (the call went with it). Returns who
   * was removed.
   */
  async #removeFormerMembers(call: CallRecord): Promise<string[]> {
    const chat = await this.#deps.chats.find(call.chatId);
    if (!chat || call.status === 'ended') return [];
    const gone = call.members
      .map((member) => member.userId)
      .filter((userId) => !chat.memberIds.includes(userId))
      .sort();
    if (gone.length === 0) return [];
    // Those rung or in the call hear of their removal; those who had left it already are not told again.
    const present = call.members
      .filter((member) => gone.includes(member.userId) && ['ringing', 'joined'].includes(member.state))
      .map((member) => member.userId);
    const now = this.#now();
    const payload: RemovePeersPayload = { callId: call.id, userIds: gone };
    const key = `call:${call.id}:remove:${now.getTime()}:${gone.join(',')}`;
    const changed = await this.#change(
      call.id,
      async (tx, locked) => {
        if (locked.status === 'ended') return false;
        await tx.moveMembers(call.id, ['ringing', 'joined'], 'left', now, gone);
        await tx.jobs.schedule({ key, kind: CALL_REMOVE_PEERS_JOB, runAt: now, payload });
        return true;
      },
      present,
    );
    if (!changed) return [];
    await this.#removeAtOnce(payload, key);
    return gone;
  }

  /** Runs a committed remove-peers job at once and drops it; when the provider fails, the job retries. */
  async #removeAtOnce(payload: RemovePeersPayload, key: string): Promise<void> {
    try {
      await this.#removePeers(payload);
      await this.#deps.repository.transaction((tx) => tx.jobs.cancel(key));
    } catch (error) {
      this.#deps.logger.warn('rule 9: the video provider did not take the removal yet; its job retries', {
        error,
        callId: payload.callId,
      });
    }
  }

  /** The remove-peers job: those of `userIds` not entitled to the call leave its room, if it is open. */
  async #removePeers({ callId, userIds }: RemovePeersPayload): Promise<void> {
    const call = await this.#deps.repository.find(callId);
    if (!call || call.status === 'ended') return;
    const chat = await this.#deps.chats.find(call.chatId);
    for (const userId of userIds) {
      // Let back in since (enrolled again and added to the chat): she stays.
      if (chat && entitled(call, chat.memberIds, userId)) continue;
      await this.#deps.video.removePeer({ roomId: call.roomId, userId, reason: REMOVED_FROM_CALL_REASON });
    }
  }

  async #notifyMissed(
    tx: CallTransaction,
    call: CallRecord,
    userIds: string[],
    context: MissedContext,
  ): Promise<StoredNotification[]> {
    if (userIds.length === 0) return [];
    return this.#deps.notifier.enqueue(tx.outbox, {
      kind: 'call.missed',
      recipients: userIds,
      title: `Missed call from ${context.callerName}`,
      body: context.chatName
        ? `In ${context.chatName}. The call may still be going: open it to join.`
        : 'Open the chat to call back.',
      data: { chatId: call.chatId, callId: call.id, link: linkTo(call.id) },
      key: `call:${call.id}:missed`,
      // Replaces the ring on the devices that showed it.
      collapseKey: ringKey(call.id),
    });
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /**
   * Runs `work` on the locked call; when it reports a change, the call is re-read, its status settled
   * (`ringing` → `active` once nobody is rung) and published (also to `alsoTell`, members it removes).
   * Returns the published call, or null.
   */
  async #change(
    callId: string,
    work: (tx: CallTransaction, locked: CallRecord) => Promise<boolean>,
    alsoTell: readonly string[] = [],
  ): Promise<Call | null> {
    let rungBefore: string[] = [];
    const after = await this.#deps.repository.transaction(async (tx) => {
      const locked = await tx.lock(callId);
      if (!locked) throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
      rungBefore = locked.members
        .filter((member) => member.state === 'ringing')
        .map((member) => member.userId);
      if (!(await work(tx, locked))) return null;
      let current = await tx.lock(callId);
      if (current?.status === 'ringing' && !current.members.some((member) => member.state === 'ringing')) {
        await tx.setStatus(callId, 'active', this.#now());
        await tx.jobs.cancel(ringTimeoutKey(callId));
        current = await tx.lock(callId);
      }
      return current ?? null;
    });
    if (!after) return null;
    const stillRung = new Set(
      after.members.filter((member) => member.state === 'ringing').map((m) => m.userId),
    );
    const answered = rungBefore.filter((userId) => !stillRung.has(userId));
    if (answered.length > 0) {
      try {
        await this.#deps.markRead(ringKey(callId), answered);
      } catch (error) {
        this.#deps.logger.warn('could not mark answered rings read', { error, callId });
      }
    }
    return this.#publish(after, alsoTell);
  }

  /**
   * Tells the members still in the call's chat (and `alsoTell`) how the call is now. A member removed from
   * the chat hears of the change that removed her, and of nothing after it.
   */
  async #publish(record: CallRecord, alsoTell: readonly string[] = []): Promise<Call> {
    const call = await this.#present(record);
    const chat = await this.#deps.chats.find(record.chatId);
    const members = record.members
      .map((member) => member.userId)
      .filter((userId) => !chat || chat.memberIds.includes(userId));
    try {
      const compact = liveCall(call);
      if (compact === call) await this.#deps.publish(call, [...new Set([...members, ...alsoTell])]);
      else {
        // Those told who are not members any more are not among the unlisted ringing: they get the list.
        const listed = new Set(members);
        const others = [...new Set(alsoTell)].filter((userId) => !listed.has(userId));
        await this.#deps.publish(compact, members);
        if (others.length > 0) await this.#deps.publish(call, others);
      }
    } catch (error) {
      // The change is committed; pages catch up from `GET /v1/live` when their stream reconnects.
      this.#deps.logger.warn('could not publish a call change', { error, callId: record.id });
    }
    return call;
  }

  async #memberCall(principal: Principal, callId: string): Promise<CallRecord> {
    const call = await this.#deps.repository.find(callId);
    if (
      !call?.members.some((member) => member.userId === principal.id) ||
      !(await this.#inChat(principal, call))
    ) {
      throw new ApiError('NOT_FOUND', `There is no call ${callId}.`);
    }
    return call;
  }

  /**
   * Whether the caller is still a member of the call's chat. A call's members are the chat's members when
   * it started; a student removed from the chat since (rule 9: the LMS removed her enrollment) loses the
   * call with the chat, at once, even while it rings.
   */
  async #inChat(principal: Principal, call: CallRecord): Promise<boolean> {
    const chat = await this.#deps.chats.find(call.chatId);
    return chat?.memberIds.includes(principal.id) ?? false;
  }

  async #endRoomQuietly(roomId: string, what: string): Promise<void> {
    try {
      await this.#deps.video.endRoom(roomId, `Teacher Hub: ${what}`);
    } catch (error) {
      this.#deps.logger.warn(`could not end the room of ${what}`, { error, roomId });
    }
  }

  #now(): Date {
    return this.#deps.clock.now();
  }

  /** `chatName`: the call's chat's name when the caller has just read it (the chat is not read again). */
  async #present(record: CallRecord, chatName?: string | null): Promise<Call> {
    const known = chatName === undefined ? [] : [{ id: record.chatId, name: chatName }];
    const [call] = await this.#presentAll([record], known);
    return call as Call;
  }

  async #presentAll(
    records: readonly CallRecord[],
    known: readonly Pick<ChatRecord, 'id' | 'name'>[] = [],
  ): Promise<Call[]> {
    // Members read with their directory record need no second read.
    const unread = records.flatMap((record) => record.members.filter((member) => !member.user));
    const userIds = [...new Set(unread.map((member) => member.userId))];
    const users = new Map<string, CallUser>(
      (userIds.length > 0 ? await this.#deps.repository.users(userIds) : []).map((user) => [user.id, user]),
    );
    const chats = new Map<string, Pick<ChatRecord, 'id' | 'name'> | undefined>(
      known.map((chat) => [chat.id, chat]),
    );
    for (const chatId of new Set(records.map((record) => record.chatId))) {
      if (!chats.has(chatId)) chats.set(chatId, await this.#deps.chats.find(chatId));
    }
    return records.map((record) => ({
      id: record.id,
      chatId: record.chatId,
      chatName: chats.get(record.chatId)?.name ?? null,
      status: record.status,
      ringExpiresAt: record.ringExpiresAt.toISOString(),
      startedBy: record.startedBy,
      startedAt: record.startedAt.toISOString(),
      endedAt: record.endedAt?.toISOString() ?? null,
      members: record.members.map((member) => {
        const user = member.user ?? users.get(member.userId);
        return {
          userId: member.userId,
          name: user?.name ?? member.userId,
          role: user?.role ?? (member.userId === record.startedBy ? 'teacher' : 'student'),
          state: member.state satisfies CallMemberState,
        };
      }),
    }));
  }
}
