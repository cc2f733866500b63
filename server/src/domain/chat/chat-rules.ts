import type { Role } from '@teacher-hub/protocol';
import { ApiError } from '../errors.ts';
import type { ChatRecord } from './chat.ts';

/*
 * Who may talk to whom (DESIGN.md rules 1–3), as plain decisions over what the directory says. The
 * service looks the facts up; these functions say yes or throw the contract's error.
 */

export interface Party {
  id: string;
  role: Role;
}

/**
 * `POST /v1/chats/direct`: a teacher with a student enrolled in one of their courses, or a student with a
 * teacher of one of their courses (rules 1 and 3). Never student↔student (rule 3), and never
 * teacher↔teacher: the rules only ever let teachers talk to their students, so the hub does not either.
 * Someone the directory does not know is answered like any stranger: NOT_ENROLLED.
 *
 * `enrolled`: whether the teacher of the pair teaches the student of the pair in at least one course.
 */
export function decideDirect(
  caller: Party,
  targetId: string,
  target: Party | undefined,
  enrolled: boolean,
): { teacherId: string; studentId: string } {
  if (targetId === caller.id) {
    throw new ApiError('VALIDATION_FAILED', 'A direct chat needs someone other than yourself.', [
      { path: 'userId', message: 'is your own id' },
    ]);
  }
  if (target && caller.role === target.role) {
    throw new ApiError(
      'FORBIDDEN',
      caller.role === 'student'
        ? 'Students can message their teachers, not other students.'
        : 'Teachers chat with their students; direct chats between teachers are not part of Teacher Hub.',
    );
  }
  if (!target || !enrolled) {
    throw new ApiError(
      'NOT_ENROLLED',
      caller.role === 'teacher'
        ? `"${targetId}" is not a student in any of your courses.`
        : `"${targetId}" does not teach any of your courses.`,
    );
  }
  return caller.role === 'teacher'
    ? { teacherId: caller.id, studentId: target.id }
    : { teacherId: target.id, studentId: caller.id };
}

/** Rule 2: only teachers create group chats. */
export function assertMayCreateGroup(caller: Party): void {
  if (caller.role !== 'teacher') {
    throw new ApiError('FORBIDDEN', 'Only teachers create group chats.');
  }
}

/**
 * Rule 1 for a group: every user must be a student enrolled in one of the teacher's courses. Anyone else
 * (another teacher's student, a teacher, an id the directory does not know) is refused the same way, and
 * the whole request with them: NOT_ENROLLED naming each one. Ids in `except` (the caller, members
 * already in the chat) pass; details point into `userIds` as the request sent it.
 */
export function assertAllEnrolled(
  field: string,
  userIds: readonly string[],
  enrolled: ReadonlySet<string>,
  except: ReadonlySet<string> = new Set(),
): void {
  const details = userIds.flatMap((userId, index) =>
    enrolled.has(userId) || except.has(userId)
      ? []
      : [{ path: `${field}.${index}`, message: `"${userId}" is not a student in any of your courses` }],
  );
  if (details.length > 0) {
    throw new ApiError(
      'NOT_ENROLLED',
      details.length === 1
        ? `${details[0]?.message ?? ''}; nothing was changed.`
        : `${details.length} of these users are not students in any of your courses; nothing was changed.`,
      details,
    );
  }
}

/**
 * Renaming a chat, changing its members and deleting it (rule 2): the chat must be one the caller is in
 * (else it does not exist for them), a group, and theirs.
 */
export function assertOwner(chat: ChatRecord | undefined, caller: Party, action: string): ChatRecord {
  if (!chat || !chat.memberIds.includes(caller.id)) {
    throw new ApiError('NOT_FOUND', 'There is no such chat.');
  }
  if (chat.kind !== 'group') {
    throw new ApiError(
      'FORBIDDEN',
      chat.kind === 'direct'
        ? `A direct chat cannot be changed: you cannot ${action} it.`
        : `A session's chat follows its session: you cannot ${action} it here.`,
    );
  }
  if (chat.ownerId !== caller.id || caller.role !== 'teacher') {
    throw new ApiError('FORBIDDEN', `Only the teacher who created this chat can ${action} it.`);
  }
  return chat;
}
