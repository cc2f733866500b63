import type { CallError, CallErrorCode } from './call-types.ts';

/** The device a media error is about, for its wording. */
export type MediaDeviceKind = 'microphone' | 'camera' | 'microphone and camera';

/** A `CallError` with the given code and words. */
export function callError(code: CallErrorCode, message: string): CallError {
  return { code, message };
}

/**
 * The hub took this user out of the room (mesh close code 4403, or a 100ms `remove-peers`) because she is
 * no longer entitled to it: the LMS removed her enrollment, or a teacher removed her from the chat.
 */
export function removedFromCallError(): CallError {
  return callError(
    'unavailable',
    'You were taken out of this call: you are no longer in this class or chat.',
  );
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Maps what `getUserMedia` rejects with to words for people: `NotAllowedError` (the user or the browser
 * refused) → `permission-denied`; `NotFoundError` / `OverconstrainedError` → `device-not-found`;
 * `NotReadableError` / `AbortError` (another application holds it) → `device-in-use`; anything else →
 * `unknown`.
 */
export function deviceError(error: unknown, device: MediaDeviceKind): CallError {
  const plural = device === 'microphone and camera';
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return callError(
        'permission-denied',
        `The browser was not allowed to use your ${device}. Allow ${plural ? 'them' : 'it'} in the site settings (the icon left of the address) and try again.`,
      );
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return callError(
        'device-not-found',
        `No ${device} was found. Connect ${plural ? 'them' : 'one'} and try again; the others can still see and hear what you do share.`,
      );
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return callError(
        'device-in-use',
        `Your ${device} ${plural ? 'are' : 'is'} in use by another application or tab. Close it there and try again.`,
      );
    default:
      return callError('unknown', `Your ${device} could not be started. Try again, or check the device.`);
  }
}

/**
 * Maps what `getDisplayMedia` rejects with: the user closing the picker or refusing is `NotAllowedError`
 * too, so every failure here is `screen-share-failed`, with words that fit the cause.
 */
export function screenShareError(error: unknown): CallError {
  const name = errorName(error);
  if (name === 'NotAllowedError') {
    return callError(
      'screen-share-failed',
      'Screen sharing was cancelled or not allowed. Choose a screen, window or tab to share, or allow screen sharing in the browser settings.',
    );
  }
  if (name === 'TypeError' || name === 'NotSupportedError') {
    return callError('screen-share-failed', 'This browser cannot share a screen.');
  }
  return callError('screen-share-failed', 'The screen could not be shared. Try again.');
}
