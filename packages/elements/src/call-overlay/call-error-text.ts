import type { CallError } from './calls-client.ts';

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
