import { isHubError } from '@teacher-hub/core';
import type { HubApiError } from '@teacher-hub/core';

export interface ErrorDescription {
  detail: string;
  /** The hub's request id, for a support ticket. */
  requestId?: string | undefined;
}

export interface DescribeErrorOptions {
  /** Replaces the hub's own message for a 403, where the element knows better what was refused. */
  forbidden?: string;
  /** Shows the message of errors that are not the hub's (browser APIs explain themselves); else a generic line. */
  showOtherMessages?: boolean;
}

/** Puts a failure into words a teacher or student can act on. */
export function describeError(error: unknown, options: DescribeErrorOptions = {}): ErrorDescription {
  if (!isHubError(error)) {
    const message = options.showOtherMessages && error instanceof Error ? error.message : '';
    return { detail: message || 'Something went wrong. Please try again.' };
  }
  switch (error.kind) {
    case 'network':
      return { detail: 'The hub server could not be reached. Check your connection and try again.' };
    case 'token':
      return { detail: 'You could not be signed in to the hub. Reload the page or sign in again.' };
    case 'api': {
      const apiError = error as HubApiError;
      const detail =
        apiError.status === 401
          ? 'The hub did not accept your sign-in. Reload the page or sign in again.'
          : apiError.status === 403 && options.forbidden
            ? options.forbidden
            : apiError.message;
      return { detail, requestId: apiError.requestId };
    }
  }
  return { detail: 'Something went wrong. Please try again.' };
}
