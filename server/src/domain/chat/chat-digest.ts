import type { ChatDigest } from './chat-repository.ts';

/** How long a digest collects messages before it is notified (a burst becomes one notification). */
export const DIGEST_WINDOW_MS = 5_000;
/** The least time between two notifications of one chat to one member, while they do not read it. */
export const DIGEST_COOLDOWN_MS = 60_000;
/** The longest message excerpt a notification carries. */
export const EXCERPT_LENGTH = 160;

/**
 * When the digest of a member whose digest just got its first message runs: at the end of the window,
 * and not sooner than the cooldown after the last notification of that chat to them.
 */
export function digestDueAt(
  firstMessageAt: Date,
  lastNotifiedAt: Date | null,
  windowMs = DIGEST_WINDOW_MS,
  cooldownMs = DIGEST_COOLDOWN_MS,
): Date {
  const afterWindow = firstMessageAt.getTime() + windowMs;
  const afterCooldown = lastNotifiedAt ? lastNotifiedAt.getTime() + cooldownMs : 0;
  return new Date(Math.max(afterWindow, afterCooldown));
}

export function excerpt(text: string, length = EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const characters = [...flat];
  return characters.length <= length
    ? flat
    : `${characters
        .slice(0, length - 1)
        .join('')
        .trimEnd()}…`;
}

function senders(names: readonly string[]): string {
  if (names.length === 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names[0]} and ${names.length - 1} others`;
}

/**
 * The one notification of a digest: "3 new messages from Ada Lovelace in Algebra study group", with the
 * latest message (its sender's name first when several people wrote).
 */
export function digestText(
  digest: Pick<ChatDigest, 'messageCount' | 'senderIds' | 'lastSenderId' | 'lastText'>,
  nameOf: (userId: string) => string,
  chat: { kind: 'group' | 'direct' | 'session'; name: string | null },
): { title: string; body: string } {
  const count = digest.messageCount;
  const from = digest.senderIds.length > 0 ? ` from ${senders(digest.senderIds.map(nameOf))}` : '';
  const where = chat.kind === 'direct' || !chat.name ? '' : ` in ${chat.name}`;
  const title = `${count === 1 ? 'New message' : `${count} new messages`}${from}${where}`;
  const latest = digest.lastText?.trim() ? excerpt(digest.lastText) : 'Sent an attachment';
  const body =
    digest.senderIds.length > 1 && digest.lastSenderId ? `${nameOf(digest.lastSenderId)}: ${latest}` : latest;
  return { title, body };
}
