import type { Call } from '@teacher-hub/protocol';
import type { CallError } from './calls-client.ts';

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

/** A call error in words: what happened, and what to do about it. */
export function explainCallError(error: CallError): { title: string; advice: string } {
  switch (error.code) {
    case 'permission-denied':
      return {
        title: 'The browser is not allowing your camera or microphone.',
        advice:
          'Click the camera or lock icon at the left of the address bar, set Camera and Microphone to ' +
          '"Allow" for this site, then turn them on again here.',
      };
    case 'device-not-found':
      return {
        title: 'No camera or microphone was found.',
        advice: 'Connect one (or check that it is switched on), then turn it on again here.',
      };
    case 'device-in-use':
      return {
        title: 'Your camera or microphone is being used by another application.',
        advice: 'Close the other app or browser tab that uses it, then turn it on again here.',
      };
    case 'screen-share-failed':
      return {
        title: 'Your screen could not be shared.',
        advice:
          'Choose a screen, window or tab in the browser’s dialog. On macOS, allow screen recording for ' +
          'the browser in System Settings › Privacy & Security.',
      };
    case 'network':
      return {
        title: 'The connection to the others was lost.',
        advice: 'Check your internet connection. Leaving and joining the call again often helps.',
      };
    case 'room-full':
      return {
        title: 'This call is full.',
        advice: 'Ask your teacher to make room, or try again later.',
      };
    case 'unavailable':
      return {
        title: 'The call service could not be reached.',
        advice: 'Try again in a moment.',
      };
    case 'unknown':
      return { title: 'Something went wrong with the call.', advice: error.message || 'Try again.' };
  }
}
