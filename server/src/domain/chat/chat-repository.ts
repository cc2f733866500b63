import type { Role } from '@teacher-hub/protocol';
import type { JobScheduler } from '../jobs.ts';
import type { Outbox } from '../notifications/notifier.ts';
import type { ChatKind, ChatRecord } from './chat.ts';

export interface ChatUserRecord {
  id: string;
  name: string;
  role: Role;
}

export interface NewChat {
  id: string;
  kind: ChatKind;
  channelType: string;
  name: string | null;
  ownerId: string | null;
  teacherId: string;
}

/** Messages waiting to be notified to one member of one chat. */
export interface ChatDigest {
  chatId: string;
  userId: string;
  generation: number;
  messageCount: number;
  /** In order of their first message in this digest. */
  senderIds: string[];
  lastSenderId: string | null;
  lastText: string | null;
  lastMessageAt: Date | null;
  lastNotifiedAt: Date | null;
}

/** A member that rule 9 takes out: their teacher no longer teaches them in any course. */
export interface Revocation {
  chatId: string;
  userId: string;
}

/** The writes of one transaction; notifications and jobs written through it commit with the change. */
export interface ChatTransaction {
  readonly outbox: Outbox;
  readonly jobs: JobScheduler;
  /** Returns false when a chat with this id exists (a direct chat opened concurrently). */
  insertChat(chat: NewChat, at: Date): Promise<boolean>;
  /** Adds members; returns those who were not members yet. */
  addMembers(chatId: string, userIds: readonly string[], at: Date): Promise<string[]>;
  /** Removes members; returns those who were members. */
  removeMembers(chatId: string, userIds: readonly string[]): Promise<string[]>;
  rename(chatId: string, name: string, at: Date): Promise<void>;
  deleteChat(chatId: string): Promise<boolean>;
  /** Records a webhook delivery id; false when it was seen before (a retry). */
  markWebhookSeen(id: string, at: Date): Promise<boolean>;
  /** Counts a message into the member's digest and returns the digest as it now is. */
  addToDigest(
    chatId: string,
    userId: string,
    message: { senderId: string | null; text: string; at: Date },
  ): Promise<ChatDigest>;
  /**
   * Takes the digest of `generation` (locking it): returns it and starts the next generation empty.
   * Undefined when that generation was taken already.
   */
  takeDigest(
    chatId: string,
    userId: string,
    generation: number,
    notifiedAt: Date | null,
  ): Promise<ChatDigest | undefined>;
}

/** The chats' storage port; the Kysely adapter implements it on PGlite and PostgreSQL. */
export interface ChatRepository {
  find(chatId: string): Promise<ChatRecord | undefined>;
  /** The chats the user is a member of, newest first. */
  listForMember(userId: string): Promise<ChatRecord[]>;
  /** Those of `studentIds` enrolled as students in at least one course `teacherId` teaches (rule 1). */
  studentsOf(teacherId: string, studentIds: readonly string[]): Promise<Set<string>>;
  users(ids: readonly string[]): Promise<ChatUserRecord[]>;
  digest(chatId: string, userId: string): Promise<ChatDigest | undefined>;
  /**
   * Members of group and direct chats who are neither the chat's teacher nor enrolled as a student in one
   * of the teacher's courses, among chats with a member in `studentIds` or a teacher in `teacherIds`.
   */
  revocations(studentIds: readonly string[], teacherIds: readonly string[]): Promise<Revocation[]>;
  /** Forgets webhook delivery ids received before `before`. */
  pruneWebhookEvents(before: Date): Promise<number>;
  transaction<T>(work: (tx: ChatTransaction) => Promise<T>): Promise<T>;
}
