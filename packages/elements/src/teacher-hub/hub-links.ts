/**
 * The hub's deep links, as `deepLink()` in `@teacher-hub/core` writes them for notifications and push:
 * `#chat/<id>`, `#session/<id>[/<occurrenceStart>]`, `#call/<id>` and `#notifications`.
 */
export type HubLink =
  | { kind: 'chat'; chatId: string }
  | { kind: 'session'; sessionId: string; occurrenceStart?: string | undefined }
  | { kind: 'call'; callId: string }
  | { kind: 'notifications' };

function decode(part: string | undefined): string | undefined {
  if (!part) return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The hub link in `hash` (with or without its `#`), or `undefined` when it is none of the hub's. */
export function parseHubLink(hash: string): HubLink | undefined {
  const [kind, first, second, ...rest] = hash.replace(/^#/, '').split('/');
  if (rest.length > 0) return undefined;
  if (kind === 'notifications' && first === undefined) return { kind: 'notifications' };
  const id = decode(first);
  if (!id) return undefined;
  if (kind === 'chat' && second === undefined) return { kind: 'chat', chatId: id };
  if (kind === 'call' && second === undefined) return { kind: 'call', callId: id };
  if (kind === 'session') {
    const occurrenceStart = decode(second);
    if (second !== undefined && !occurrenceStart) return undefined;
    return { kind: 'session', sessionId: id, occurrenceStart };
  }
  return undefined;
}

/** The link for a chat, the form `parseHubLink` reads. */
export const chatLink = (chatId: string): string => `#chat/${encodeURIComponent(chatId)}`;
