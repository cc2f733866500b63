import type { DirectoryEnrollment } from '@teacher-hub/protocol';
import type { Clock } from '../clock.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../identity.ts';
import { PermanentFailure, type JobHandler, type JobScheduler } from '../jobs.ts';
import type { Notifier, StoredNotification } from '../notifications/notifier.ts';
import { CHANNEL_TYPES, cidOf, directChatId, groupChatId, type Chat, type ChatRecord } from './chat.ts';
import { DIGEST_COOLDOWN_MS, DIGEST_WINDOW_MS, digestDueAt, digestText } from './chat-digest.ts';
import type { ChannelMember, ChannelRef, ChatProvider, ChatUser, ProviderEvent } from './chat-provider.ts';
import type { ChatRepository, ChatTransaction, ChatUserRecord } from './chat-repository.ts';
import { assertAllEnrolled, assertMayCreateGroup, assertOwner, decideDirect } from './chat-rules.ts';

/** Sends one member the digest of a chat's new messages (`chat-digest:<chat>:<user>:<generation>`). */
export const CHAT_DIGEST_JOB = 'chat.digest';
/** Takes members out of a GetStream channel after the hub removed them (rule 9), until it succeeds. */
export const CHAT_REMOVAL_JOB = 'chat.remove-members';
/**
 * Tells the `onMembersRemoved` listeners (live calls) that the owner took members out of a chat
 * (`chat:<id>:members-left:…`): committed with the removal, run at once, retried by the worker until they took it.
 */
export const CHAT_MEMBERS_LEFT_JOB = 'chat.members-left';
/**
 * Deletes the GetStream channel of a chat that was never recorded (`chat:<id>:unless-saved`): the process
 * died between creating the channel and committing the chat. The commit cancels it.
 */
export const CHAT_UNSAVED_JOB = 'chat.delete-unsaved';
/**
 * How long a creation may take from its channel to its commit before the channel counts as a crash's
 * leftover: one job lease, far beyond any request.
 */
export const UNSAVED_CHAT_GRACE_MS = 60_000;
const unsavedKey = (chatId: string) => `chat:${chatId}:unless-saved`;

/** How long webhook delivery ids are kept to recognise retries (Stream retries within minutes). */
const WEBHOOK_RETENTION_MS = 7 * 24 * 3_600_000;
const WEBHOOK_PRUNE_INTERVAL_MS = 3_600_000;

export interface ChatLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Hears that members left a chat by its owner's hand (`DELETE /v1/chats/:id/members/:userId`), after the
 * removal committed. Run by a durable job, so it may run again: it must be idempotent.
 */
export type MembersRemovedListener = (chatId: string, userIds: readonly string[]) => Promise<void>;

export interface ChatServiceDeps {
  repository: ChatRepository;
  provider: ChatProvider;
  notifier: Notifier;
  /** Jobs outside a transaction (cancelling a removal that went through at once). */
  jobs: JobScheduler;
  clock: Clock;
  newId: () => string;
  logger: ChatLogger;
  digestWindowMs?: number;
  digestCooldownMs?: number;
}

interface DigestPayload {
  chatId: string;
  userId: string;
  generation: number;
}

interface RemovalPayload {
  chatId: string;
  userIds: string[];
}

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];
const refOf = (chat: Pick<ChatRecord, 'channelType' | 'id'>): ChannelRef => ({
  type: chat.channelType,
  id: chat.id,
});
const linkTo = (chatId: string) => `#chat/${chatId}`;

/**
 * Chats: the rules (DESIGN.md 1–3, 9) checked against the hub's own record, then the change made in
 * GetStream (server-side) and recorded in the database.
 *
 * Order of operations, so that a failure never leaves half a chat: a creation or addition goes to GetStream
 * first and is committed to the database after it (with its `chat.added` notifications, in one
 * transaction); when that commit fails, the GetStream change is undone. A GetStream failure therefore
 * changes nothing anywhere (the caller gets 503). A removal by rule 9, which must not fail once the
 * directory changed, is committed first together with a durable job that makes GetStream follow (tried at
 * once, retried with backoff until it succeeds). No GetStream call is made inside a database transaction:
 * in dev mode the emulator shares the hub's database, and PGlite has a single connection.
 */
export class ChatService {
  readonly #repository: ChatRepository;
  readonly #provider: ChatProvider;
  readonly #notifier: Notifier;
  readonly #jobs: JobScheduler;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #logger: ChatLogger;
  readonly #digestWindowMs: number;
  readonly #digestCooldownMs: number;
  readonly #membersRemoved: MembersRemovedListener[] = [];
  #lastWebhookPrune = 0;

  constructor(deps: ChatServiceDeps) {
    this.#repository = deps.repository;
    this.#provider = deps.provider;
    this.#notifier = deps.notifier;
    this.#jobs = deps.jobs;
    this.#clock = deps.clock;
    this.#newId = deps.newId;
    this.#logger = deps.logger;
    this.#digestWindowMs = deps.digestWindowMs ?? DIGEST_WINDOW_MS;
    this.#digestCooldownMs = deps.digestCooldownMs ?? DIGEST_COOLDOWN_MS;
  }

  // ---- reading ------------------------------------------------------------------------------------

  /**
   * `GET /v1/chats`: the chats the caller is a member of, newest first. A direct chat whose student was
   * taken out by rule 9 is listed to nobody until the pair may talk again and one of them reopens it.
   */
  async list(principal: Principal): Promise<Chat[]> {
    const records = (await this.#repository.listForMember(principal.id)).filter(
      (chat) => chat.kind !== 'direct' || chat.memberIds.length === 2,
    );
    const counterparts = records
      .filter((chat) => chat.kind === 'direct')
      .flatMap((chat) => chat.memberIds.filter((id) => id !== principal.id));
    const names = await this.#names(counterparts);
    return records.map((chat) => this.#present(chat, principal.id, names));
  }

  // ---- changing -----------------------------------------------------------------------------------

  /** `POST /v1/chats`: a teacher's group with students of their courses; the teacher owns and moderates it. */
  async createGroup(principal: Principal, request: { name: string; memberIds: string[] }): Promise<Chat> {
    assertMayCreateGroup(principal);
    const memberIds = unique(request.memberIds).filter((id) => id !== principal.id);
    if (memberIds.length === 0) {
      throw new ApiError('VALIDATION_FAILED', 'A group chat needs at least one student besides you.', [
        { path: 'memberIds', message: 'names no one but you' },
      ]);
    }
    assertAllEnrolled(
      'memberIds',
      request.memberIds,
      await this.#repository.studentsOf(principal.id, memberIds),
      new Set([principal.id]),
    );
    const users = await this.#chatUsers(principal, memberIds);
    await this.#provider.upsertUsers(users);

    const id = groupChatId(this.#newId());
    const ref: ChannelRef = { type: CHANNEL_TYPES.group, id };
    await this.#guardUnsaved(ref);
    await this.#provider.createChannel(ref, {
      name: request.name,
      createdById: principal.id,
      members: [{ userId: principal.id, moderator: true }, ...memberIds.map((userId) => student(userId))],
    });
    const now = this.#clock.now();
    const written = await this.#commitOrUndo(
      async (tx) => {
        await tx.insertChat(
          {
            id,
            kind: 'group',
            channelType: ref.type,
            name: request.name,
            ownerId: principal.id,
            teacherId: principal.id,
          },
          now,
        );
        await tx.addMembers(id, [principal.id, ...memberIds], now);
        await tx.jobs.cancel(unsavedKey(id));
        return this.#notifyAdded(tx, { id, name: request.name }, nameIn(users, principal), memberIds, now);
      },
      'delete the channel of a group chat that was not saved',
      () => this.#provider.deleteChannel(ref),
    );
    await this.#notifier.announce(written);
    const chat = await this.#find(id);
    return this.#present(chat, principal.id, new Map());
  }

  /**
   * `POST /v1/chats/direct`: a teacher and one of their students (from either side). The same pair always
   * gets the same chat; reopening one that rule 9 closed puts the student back in it, history and all.
   */
  async openDirect(principal: Principal, userId: string): Promise<{ chat: Chat; created: boolean }> {
    const [target] = userId === principal.id ? [] : await this.#repository.users([userId]);
    let enrolled = false;
    if (target && target.role !== principal.role) {
      const [teacherId, studentId] =
        principal.role === 'teacher' ? [principal.id, target.id] : [target.id, principal.id];
      enrolled = (await this.#repository.studentsOf(teacherId, [studentId])).has(studentId);
    }
    const { teacherId, studentId } = decideDirect(principal, userId, target, enrolled);

    const id = directChatId(teacherId, studentId);
    const existing = await this.#repository.find(id);
    const names = new Map<string, string>();
    if (target) names.set(target.id, target.name);
    if (existing?.memberIds.includes(teacherId) && existing.memberIds.includes(studentId)) {
      return { chat: this.#present(existing, principal.id, names), created: false };
    }

    await this.#provider.upsertUsers(await this.#chatUsers(principal, [userId]));
    const ref: ChannelRef = { type: CHANNEL_TYPES.direct, id };
    const members = [{ userId: teacherId, moderator: true }, student(studentId)];
    await this.#provider.createChannel(ref, { name: null, createdById: principal.id, members });
    const now = this.#clock.now();
    const inserted = await this.#commitOrUndo(
      async (tx) => {
        const inserted = await tx.insertChat(
          { id, kind: 'direct', channelType: ref.type, name: null, ownerId: null, teacherId },
          now,
        );
        await tx.addMembers(id, [teacherId, studentId], now);
        return inserted;
      },
      'undo a direct chat that was not saved',
      async () => {
        // As the hub's record has it: no chat (delete the channel), or a chat someone is missing from.
        const recorded = await this.#repository.find(id);
        if (!recorded) return this.#provider.deleteChannel(ref);
        const missing = [teacherId, studentId].filter((member) => !recorded.memberIds.includes(member));
        if (missing.length > 0) await this.#provider.removeMembers(ref, missing);
      },
    );
    return { chat: this.#present(await this.#find(id), principal.id, names), created: inserted };
  }

  /** `PATCH /v1/chats/:id`. */
  async rename(principal: Principal, chatId: string, name: string): Promise<Chat> {
    const chat = assertOwner(await this.#repository.find(chatId), principal, 'rename');
    if (chat.name !== name) {
      await this.#provider.renameChannel(refOf(chat), name);
      await this.#commitOrUndo(
        (tx) => tx.rename(chat.id, name, this.#clock.now()),
        'restore the name of a chat whose new name was not saved',
        () => this.#provider.renameChannel(refOf(chat), chat.name ?? ''),
      );
    }
    return this.#present({ ...chat, name }, principal.id, new Map());
  }

  /** `POST /v1/chats/:id/members`: students of the owner's courses; those already in it are left alone. */
  async addMembers(principal: Principal, chatId: string, userIds: string[]): Promise<Chat> {
    const chat = assertOwner(await this.#repository.find(chatId), principal, 'change the members of');
    const fresh = unique(userIds).filter((id) => !chat.memberIds.includes(id));
    assertAllEnrolled(
      'userIds',
      userIds,
      await this.#repository.studentsOf(chat.teacherId, fresh),
      new Set(chat.memberIds),
    );
    if (fresh.length === 0) return this.#present(chat, principal.id, new Map());

    const users = await this.#chatUsers(principal, fresh);
    await this.#provider.upsertUsers(users);
    await this.#provider.addMembers(refOf(chat), fresh.map(student));
    const now = this.#clock.now();
    const written = await this.#commitOrUndo(
      async (tx) => {
        await tx.addMembers(chat.id, fresh, now);
        return this.#notifyAdded(tx, chat, nameIn(users, principal), fresh, now);
      },
      'remove members whose addition was not saved',
      () => this.#provider.removeMembers(refOf(chat), fresh),
    );
    await this.#notifier.announce(written);
    return this.#present(await this.#find(chat.id), principal.id, new Map());
  }

  /** `DELETE /v1/chats/:id/members/:userId`. The owner stays: a group without its teacher would be nobody's. */
  async removeMember(principal: Principal, chatId: string, userId: string): Promise<Chat> {
    const chat = assertOwner(await this.#repository.find(chatId), principal, 'change the members of');
    if (userId === chat.ownerId) {
      throw new ApiError('CONFLICT', 'The teacher who owns a chat cannot leave it; delete the chat instead.');
    }
    if (!chat.memberIds.includes(userId)) {
      throw new ApiError('NOT_FOUND', `"${userId}" is not a member of this chat.`);
    }
    await this.#provider.removeMembers(refOf(chat), [userId]);
    const now = this.#clock.now();
    const payload: RemovalPayload = { chatId: chat.id, userIds: [userId] };
    const key = `chat:${chat.id}:members-left:${now.getTime()}:${userId}`;
    await this.#commitOrUndo(
      async (tx) => {
        await tx.removeMembers(chat.id, [userId]);
        await tx.jobs.schedule({ key, kind: CHAT_MEMBERS_LEFT_JOB, runAt: now, payload });
      },
      'put back a member whose removal was not saved',
      () => this.#provider.addMembers(refOf(chat), [student(userId)]),
    );
    try {
      await this.#tellMembersRemoved(payload);
      await this.#jobs.cancel(key);
    } catch (error) {
      this.#logger.warn('a removal from a chat did not reach its live calls yet; its job retries', {
        chatId: chat.id,
        error,
      });
    }
    return this.#present(await this.#find(chat.id), principal.id, new Map());
  }

  /**
   * Registers a listener for members the owner removed from a chat (rule 9 reaches live calls through it:
   * the calls domain takes her out of the chat's call). Returns a function that unregisters it.
   */
  onMembersRemoved(listener: MembersRemovedListener): () => void {
    this.#membersRemoved.push(listener);
    return () => {
      const index = this.#membersRemoved.indexOf(listener);
      if (index >= 0) this.#membersRemoved.splice(index, 1);
    };
  }

  /**
   * `DELETE /v1/chats/:id`: the channel and its messages go first; should recording it fail, the chat is
   * still listed and deleting it again finishes the job (a channel that is gone already is no error).
   */
  async deleteChat(principal: Principal, chatId: string): Promise<void> {
    const chat = assertOwner(await this.#repository.find(chatId), principal, 'delete');
    await this.#provider.deleteChannel(refOf(chat));
    await this.#repository.transaction((tx) => tx.deleteChat(chat.id));
  }

  // ---- session chats (the session service keeps them in step with its sessions) -------------------

  /**
   * A scheduled session's chat (`hub-session`, rule 6): the teacher (moderator) and the invitees, named
   * after the session. GetStream first, then the hub's record; the channel is deleted again when recording
   * fails. The session service checked the rules.
   */
  async createSessionChat(request: {
    id: string;
    name: string;
    teacher: Principal;
    memberIds: readonly string[];
  }): Promise<void> {
    const { id, name, teacher } = request;
    const memberIds = unique(request.memberIds).filter((userId) => userId !== teacher.id);
    await this.#provider.upsertUsers(await this.#chatUsers(teacher, memberIds));
    const ref: ChannelRef = { type: CHANNEL_TYPES.session, id };
    await this.#guardUnsaved(ref);
    await this.#provider.createChannel(ref, {
      name,
      createdById: teacher.id,
      members: [{ userId: teacher.id, moderator: true }, ...memberIds.map((userId) => student(userId))],
    });
    const now = this.#clock.now();
    await this.#commitOrUndo(
      async (tx) => {
        await tx.insertChat(
          { id, kind: 'session', channelType: ref.type, name, ownerId: teacher.id, teacherId: teacher.id },
          now,
        );
        await tx.addMembers(id, [teacher.id, ...memberIds], now);
        await tx.jobs.cancel(unsavedKey(id));
      },
      'delete the channel of a session chat that was not saved',
      () => this.#provider.deleteChannel(ref),
    );
  }

  /**
   * Makes a session chat's members the teacher and `memberIds`: GetStream first, then the hub's record
   * (GetStream is put back when recording fails). A chat that is gone is no error.
   */
  async setSessionChatMembers(
    chatId: string,
    teacherId: string,
    memberIds: readonly string[],
  ): Promise<void> {
    const chat = await this.#repository.find(chatId);
    if (chat?.kind !== 'session') return;
    const wanted = unique([teacherId, ...memberIds]);
    const added = wanted.filter((id) => !chat.memberIds.includes(id));
    const removed = chat.memberIds.filter((id) => !wanted.includes(id));
    if (added.length === 0 && removed.length === 0) return;
    const ref = refOf(chat);
    if (added.length > 0) {
      const users = await this.#repository.users(added);
      await this.#provider.upsertUsers(users.map(({ id, name, role }) => ({ id, name, role })));
      await this.#provider.addMembers(ref, added.map(student));
    }
    await this.#provider.removeMembers(ref, removed);
    const now = this.#clock.now();
    await this.#commitOrUndo(
      async (tx) => {
        await tx.addMembers(chat.id, added, now);
        await tx.removeMembers(chat.id, removed);
      },
      'restore the members of a session chat whose change was not saved',
      async () => {
        await this.#provider.removeMembers(ref, added);
        await this.#provider.addMembers(ref, removed.map(student));
      },
    );
  }

  /** Renames a session chat after its session. */
  async renameSessionChat(chatId: string, name: string): Promise<void> {
    const chat = await this.#repository.find(chatId);
    if (chat?.kind !== 'session' || chat.name === name) return;
    await this.#provider.renameChannel(refOf(chat), name);
    await this.#repository.transaction((tx) => tx.rename(chat.id, name, this.#clock.now()));
  }

  /** Posts a system message in a chat in `senderId`'s name (it notifies nobody). */
  async postSystemMessage(chatId: string, senderId: string, text: string): Promise<void> {
    const chat = await this.#repository.find(chatId);
    if (!chat) return;
    await this.#provider.sendSystemMessage(refOf(chat), senderId, text);
  }

  /** Deletes a session chat (a session that was not saved); a chat that is gone is no error. */
  async deleteSessionChat(chatId: string): Promise<void> {
    const chat = await this.#repository.find(chatId);
    if (chat?.kind !== 'session') return;
    await this.#provider.deleteChannel(refOf(chat));
    await this.#repository.transaction((tx) => tx.deleteChat(chat.id));
  }

  /**
   * `POST /v1/chat/token`: the caller as a GetStream user (upserted first, unless GetStream has them as they
   * are), and a token for them. `user` is the directory's record of the caller, which the route has.
   */
  async clientToken(user: ChatUser): Promise<{ userId: string; token: string; expiresAt: Date }> {
    await this.#provider.upsertUsers([{ id: user.id, name: user.name, role: user.role }]);
    const { token, expiresAt } = await this.#provider.userToken(user.id);
    return { userId: this.#provider.providerUserId(user.id), token, expiresAt };
  }

  // ---- GetStream's webhook: new messages become notifications ---------------------------------------

  /**
   * A verified webhook event. `message.new` counts the message into the digest of every other member and
   * schedules the digest's job; retries of a delivery (same id) are recognised and do nothing.
   */
  async handleEvent(
    event: ProviderEvent,
    deliveryId: string | undefined,
  ): Promise<'handled' | 'duplicate' | 'ignored'> {
    if (event.type !== 'message.new') return 'ignored';
    const chat = await this.#repository.find(event.channel.id);
    if (!chat || chat.channelType !== event.channel.type) return 'ignored';
    const senderId =
      chat.memberIds.find((id) => this.#provider.providerUserId(id) === event.senderProviderId) ?? null;
    const recipients = event.quiet ? [] : chat.memberIds.filter((id) => id !== senderId);
    const now = this.#clock.now();
    const outcome = await this.#repository.transaction(async (tx) => {
      if (deliveryId !== undefined && !(await tx.markWebhookSeen(deliveryId, now))) return 'duplicate';
      for (const userId of recipients) {
        const digest = await tx.addToDigest(chat.id, userId, { senderId, text: event.text, at: now });
        // The same key for every message of this generation: the burst folds into one job.
        await tx.jobs.schedule({
          key: `chat-digest:${chat.id}:${userId}:${digest.generation}`,
          kind: CHAT_DIGEST_JOB,
          runAt: digestDueAt(now, digest.lastNotifiedAt, this.#digestWindowMs, this.#digestCooldownMs),
          payload: { chatId: chat.id, userId, generation: digest.generation } satisfies DigestPayload,
        });
      }
      return 'handled' as const;
    });
    await this.#pruneWebhookEvents(now);
    return outcome;
  }

  /**
   * The digest job: one `chat.message` notification for the messages of one generation, if the member
   * still has unread messages in the chat (someone watching the channel has read them already).
   */
  async sendDigest(payload: DigestPayload): Promise<void> {
    const { chatId, userId, generation } = payload;
    const digest = await this.#repository.digest(chatId, userId);
    if (!digest || digest.generation !== generation || digest.messageCount === 0) return;
    const chat = await this.#repository.find(chatId);
    const member = chat?.memberIds.includes(userId) ?? false;
    const unread = chat && member ? await this.#provider.unreadCount(userId, refOf(chat)) : 0;
    // Names before the transaction: a query outside it would wait for it on PGlite's one connection.
    const names = await this.#names([...(chat?.memberIds ?? []), ...digest.senderIds]);
    const now = this.#clock.now();
    const written = await this.#repository.transaction(async (tx) => {
      const taken = await tx.takeDigest(chatId, userId, generation, unread > 0 ? now : null);
      if (!taken || !chat || unread === 0) return [];
      const { title, body } = digestText(taken, (id) => names.get(id) ?? 'Someone', chat);
      return this.#notifier.enqueue(tx.outbox, {
        kind: 'chat.message',
        recipients: [userId],
        title,
        body,
        data: { chatId, link: linkTo(chatId) },
        key: `chat:${chatId}:${userId}:digest:${generation}`,
        // One entry per chat on a device: the next digest replaces this one.
        collapseKey: `chat:${chatId}`,
      });
    });
    await this.#notifier.announce(written);
  }

  // ---- rule 9 -------------------------------------------------------------------------------------

  /**
   * After a directory change removed enrollments: every student who is no longer in any course of a
   * chat's teacher leaves that chat (groups and direct chats; the teacher stays). Recorded first with a
   * durable job per chat, then GetStream is told at once; what fails there is retried by the job.
   * Idempotent: run again, it finds nothing left to remove.
   */
  async applyEnrollmentRemovals(removed: readonly DirectoryEnrollment[]): Promise<number> {
    const studentIds = unique(removed.filter((e) => e.role === 'student').map((e) => e.userId));
    const teacherIds = unique(removed.filter((e) => e.role === 'teacher').map((e) => e.userId));
    if (studentIds.length === 0 && teacherIds.length === 0) return 0;
    const revocations = await this.#repository.revocations(studentIds, teacherIds);
    if (revocations.length === 0) return 0;
    const byChat = new Map<string, string[]>();
    for (const { chatId, userId } of revocations) byChat.set(chatId, [...(byChat.get(chatId) ?? []), userId]);

    const now = this.#clock.now();
    const jobs = [...byChat].map(([chatId, userIds]) => ({
      key: `chat-removal:${chatId}:${now.getTime()}:${[...userIds].sort().join(',')}`,
      payload: { chatId, userIds } satisfies RemovalPayload,
    }));
    await this.#repository.transaction(async (tx) => {
      for (const job of jobs) {
        await tx.removeMembers(job.payload.chatId, job.payload.userIds);
        await tx.jobs.schedule({ key: job.key, kind: CHAT_REMOVAL_JOB, runAt: now, payload: job.payload });
      }
    });
    for (const job of jobs) {
      try {
        await this.#syncRemoval(job.payload);
        await this.#jobs.cancel(job.key);
      } catch (error) {
        this.#logger.warn('rule 9: GetStream did not take the removal yet; its job retries', {
          chatId: job.payload.chatId,
          error,
        });
      }
    }
    return revocations.length;
  }

  /** The durable jobs of chats, for the worker. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [CHAT_DIGEST_JOB]: { run: (job) => this.sendDigest(readDigestPayload(job.payload)) },
      [CHAT_REMOVAL_JOB]: { run: (job) => this.#syncRemoval(readRemovalPayload(job.payload)) },
      [CHAT_MEMBERS_LEFT_JOB]: { run: (job) => this.#tellMembersRemoved(readRemovalPayload(job.payload)) },
      [CHAT_UNSAVED_JOB]: { run: (job) => this.#deleteUnsaved(job.payload as ChannelRef) },
    };
  }

  /**
   * Before a channel is created: a durable job that deletes it again unless the chat is committed
   * meanwhile (the commit cancels the job), so a crash in between leaves no channel the hub does not know.
   */
  async #guardUnsaved(ref: ChannelRef): Promise<void> {
    await this.#jobs.schedule({
      key: unsavedKey(ref.id),
      kind: CHAT_UNSAVED_JOB,
      runAt: new Date(this.#clock.now().getTime() + UNSAVED_CHAT_GRACE_MS),
      payload: { type: ref.type, id: ref.id } satisfies ChannelRef,
    });
  }

  async #deleteUnsaved(ref: ChannelRef): Promise<void> {
    if (await this.#repository.find(ref.id)) return;
    await this.#provider.deleteChannel(ref);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** Makes GetStream match the hub: of `userIds`, those who are not members (any more) leave the channel. */
  async #syncRemoval({ chatId, userIds }: RemovalPayload): Promise<void> {
    const chat = await this.#repository.find(chatId);
    // A deleted chat's channel was deleted with it.
    if (!chat) return;
    const gone = userIds.filter((id) => !chat.memberIds.includes(id));
    if (gone.length > 0) await this.#provider.removeMembers(refOf(chat), gone);
  }

  /** Runs every `onMembersRemoved` listener; the first failure is thrown after all have run (the job retries). */
  async #tellMembersRemoved({ chatId, userIds }: RemovalPayload): Promise<void> {
    const failures: unknown[] = [];
    for (const listener of this.#membersRemoved) {
      try {
        await listener(chatId, userIds);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }

  /** Commits `work`; when the commit fails, undoes the GetStream change that went before it. */
  async #commitOrUndo<T>(
    work: (tx: ChatTransaction) => Promise<T>,
    undoing: string,
    undo: () => Promise<void>,
  ): Promise<T> {
    try {
      return await this.#repository.transaction(work);
    } catch (error) {
      try {
        await undo();
      } catch (undoError) {
        this.#logger.warn(`could not ${undoing}`, { error: undoError });
      }
      throw error;
    }
  }

  #notifyAdded(
    tx: ChatTransaction,
    chat: { id: string; name: string | null },
    teacherName: string,
    userIds: readonly string[],
    now: Date,
  ): Promise<StoredNotification[]> {
    return this.#notifier.enqueue(tx.outbox, {
      kind: 'chat.added',
      recipients: userIds,
      title: `${teacherName} added you to ${chat.name ?? 'a chat'}`,
      body: 'Open the chat to join the conversation.',
      data: { chatId: chat.id, link: linkTo(chat.id) },
      key: `chat:${chat.id}:added:${now.getTime()}`,
    });
  }

  async #pruneWebhookEvents(now: Date): Promise<void> {
    if (now.getTime() - this.#lastWebhookPrune < WEBHOOK_PRUNE_INTERVAL_MS) return;
    this.#lastWebhookPrune = now.getTime();
    await this.#repository.pruneWebhookEvents(new Date(now.getTime() - WEBHOOK_RETENTION_MS));
  }

  async #find(chatId: string): Promise<ChatRecord> {
    const chat = await this.#repository.find(chatId);
    if (!chat) throw new ApiError('NOT_FOUND', 'There is no such chat.');
    return chat;
  }

  async #names(userIds: readonly string[]): Promise<Map<string, string>> {
    const users = userIds.length > 0 ? await this.#repository.users(unique(userIds)) : [];
    return new Map(users.map((user) => [user.id, user.name]));
  }

  /** The caller and `userIds` as GetStream users, named as the directory names them. */
  async #chatUsers(principal: Principal, userIds: readonly string[]): Promise<ChatUser[]> {
    const records = await this.#repository.users(unique([principal.id, ...userIds]));
    const byId = new Map<string, ChatUserRecord>(records.map((record) => [record.id, record]));
    if (!byId.has(principal.id)) byId.set(principal.id, principal);
    return [...byId.values()].map(({ id, name, role }) => ({ id, name, role }));
  }

  #present(chat: ChatRecord, viewerId: string, names: ReadonlyMap<string, string>): Chat {
    const counterpart = chat.kind === 'direct' ? chat.memberIds.find((id) => id !== viewerId) : undefined;
    return {
      id: chat.id,
      cid: cidOf(chat),
      kind: chat.kind,
      name: counterpart ? (names.get(counterpart) ?? counterpart) : chat.name,
      ownerId: chat.ownerId,
      memberIds: chat.memberIds,
    };
  }
}

const student = (userId: string): ChannelMember => ({ userId, moderator: false });

function nameIn(users: readonly ChatUser[], principal: Principal): string {
  return users.find((user) => user.id === principal.id)?.name ?? principal.name;
}

function readDigestPayload(payload: unknown): DigestPayload {
  const { chatId, userId, generation } = (payload ?? {}) as Partial<DigestPayload>;
  if (typeof chatId !== 'string' || typeof userId !== 'string' || typeof generation !== 'number') {
    throw new PermanentFailure('a chat digest job needs chatId, userId and generation');
  }
  return { chatId, userId, generation };
}

function readRemovalPayload(payload: unknown): RemovalPayload {
  const { chatId, userIds } = (payload ?? {}) as Partial<RemovalPayload>;
  if (typeof chatId !== 'string' || !Array.isArray(userIds) || userIds.some((id) => typeof id !== 'string')) {
    throw new PermanentFailure('a chat removal job needs chatId and userIds');
  }
  return { chatId, userIds };
}
