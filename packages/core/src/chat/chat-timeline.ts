import type { ChatMessage, ChatReadState } from './chat-types.ts';

/** Consecutive messages of one author within this long share one header. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineItem =
  | { kind: 'day'; key: string; day: string }
  | { kind: 'message'; key: string; message: ChatMessage; first: boolean; last: boolean };

/** One formatter per time zone: making one costs far more than formatting with it. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant, `YYYY-MM-DD`, in `timeZone` (the local one when not given). */
export function dayKey(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (timeZone === undefined) {
    // The local day, as the Date's own fields give it, without Intl.
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The message list as views draw it: a day separator before the first message of each day, and each
 * message marked as the first / last of a run by the same author (within `GROUP_WINDOW_MS`, same day).
 */
export function buildTimeline(messages: readonly ChatMessage[], timeZone?: string): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous: ChatMessage | undefined;
  let previousDay: string | undefined;
  let lastMessageItem: Extract<TimelineItem, { kind: 'message' }> | undefined;
  for (const message of messages) {
    const day = dayKey(message.createdAt, timeZone);
    const newDay = day !== previousDay;
    if (newDay) items.push({ kind: 'day', key: `day-${day}`, day });
    const continues =
      !newDay &&
      previous !== undefined &&
      previous.userId === message.userId &&
      !previous.deleted &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_WINDOW_MS;
    if (!continues && lastMessageItem) lastMessageItem.last = true;
    const item = { kind: 'message' as const, key: message.id, message, first: !continues, last: false };
    items.push(item);
    lastMessageItem = item;
    previous = message;
    previousDay = day;
  }
  if (lastMessageItem) lastMessageItem.last = true;
  return items;
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const LINK_PATTERN = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/**
 * Splits message text into plain runs and links. Only `http:`, `https:` and `mailto:` become links (the
 * URL parser must agree); everything else, `javascript:` included, stays text. Views render both kinds
 * through escaping templates, never as HTML.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    let candidate = match[0];
    const trailing = TRAILING_PUNCTUATION.exec(candidate)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
    if (trailing) candidate = candidate.slice(0, -trailing.length);
    const href = safeHref(candidate);
    if (!href) continue;
    const start = match.index;
    if (start > at) parts.push({ kind: 'text', text: text.slice(at, start) });
    parts.push({ kind: 'link', text: candidate, href });
    at = start + candidate.length;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  return parts;
}

/** The URL when it parses and uses `http:`, `https:` or `mailto:`; otherwise `undefined`. */
export function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return url.href;
  } catch {
    // Not a URL.
  }
  return undefined;
}

/**
 * Who has read `message` (its author and `me` left out), by their read states: everyone whose last read
 * is at or after the message's time.
 */
export function seenBy(
  message: ChatMessage | undefined,
  reads: readonly ChatReadState[],
  me: string,
): ChatReadState[] {
  if (!message) return [];
  const at = Date.parse(message.createdAt);
  return reads.filter(
    (read) => read.userId !== me && read.userId !== message.userId && Date.parse(read.lastReadAt) >= at,
  );
}

/** "Ada is typing…", "Ada and Bo are typing…", "3 people are typing…", or '' when nobody is. */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** A one-line preview of a message for the chat list. */
export function previewText(message: ChatMessage | undefined): string {
  if (!message) return '';
  if (message.deleted) return 'Message deleted';
  const text = message.text.replace(/\s+/g, ' ').trim();
  if (text) return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  const files = message.attachments.length;
  if (files === 0) return '';
  return message.attachments.every((attachment) => attachment.kind === 'image')
    ? files === 1
      ? 'Photo'
      : `${files} photos`
    : files === 1
      ? 'File'
      : `${files} files`;
}

/** Default upload limit, as the emulator's (GetStream allows 100 MB). */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Why a file cannot be sent, in words, or `undefined` when it can. */
export function uploadProblem(
  file: { name: string; size: number },
  maxBytes = MAX_UPLOAD_BYTES,
): string | undefined {
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > maxBytes) {
    return `“${file.name}” is ${formatBytes(file.size)}; files can be at most ${formatBytes(maxBytes)}.`;
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
