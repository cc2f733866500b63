import type { Call } from '@teacher-hub/protocol';

/** Up to two initials of a name, for the camera-off avatar. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words.slice(0, 1);
  return letters.map((word) => [...word][0]!.toUpperCase()).join('');
}

/** A stable hue per person, so an avatar keeps its color on every page. */
export function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** The teacher who started the call, by name. */
export function callerName(call: Call): string {
  return call.members.find((member) => member.userId === call.startedBy)?.name ?? 'Your teacher';
}

/**
 * The chat to name beside the caller, or `null`. A direct chat's `chatName` is the other person's name as
 * the caller sees it, i.e. the callee's own name, which would read oddly on the callee's ring: a two-person
 * call whose chat is named after its other member is taken to be a direct chat.
 */
export function ringChatName(call: Call): string | null {
  if (!call.chatName) return null;
  const others = call.members.filter((member) => member.userId !== call.startedBy);
  if (others.length === 1 && others[0]!.name === call.chatName) return null;
  return call.chatName;
}

/** Whole seconds left until `isoTime`, never negative. */
export function secondsUntil(isoTime: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(isoTime) - now) / 1000));
}
