import { type ErrorBody, type ErrorCode, type ErrorDetail } from '@teacher-hub/protocol';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { PublicEnv } from './types.ts';

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: ErrorDetail[],
): ErrorBody {
  return { error: { code, message, requestId, ...(details && details.length > 0 ? { details } : {}) } };
}

function respond(c: Context<PublicEnv>, error: ApiError): Response {
  const requestId = c.get('requestId') ?? 'none';
  if (error.code === 'UNAUTHENTICATED') c.header('WWW-Authenticate', 'Bearer realm="teacher-hub"');
  return c.json(
    errorBody(error.code, error.message, requestId, error.details),
    error.status as ContentfulStatusCode,
  );
}

/** The status of an HTTPException (thrown by Hono's own middleware) as one of the contract's codes. */
const CODE_FOR_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/**
 * A write that references a user whose row is gone (PostgreSQL 23503 on `users`): the LMS removed them,
 * they still hold a valid token, and this instance had not heard of it yet. `requireUser` forgets them so
 * the next request re-creates their row; the request itself is answered 409, never 500.
 */
export function isMissingUserReference(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return code === '23503' && typeof detail === 'string' && detail.includes('in table "users"');
}

/**
 * The app's one `onError` (STYLE.md 11): an `ApiError` becomes the contract's body and status; Hono's own
 * HTTP errors (malformed JSON, …) are mapped onto the contract's codes; anything else is a bug: logged with
 * the request id, answered 500 INTERNAL without details.
 */
export function handleError(logger: Logger): ErrorHandler<PublicEnv> {
  return (error, c) => {
    if (error instanceof ApiError) return respond(c, error);
    if (isMissingUserReference(error)) {
      return respond(
        c,
        new ApiError('CONFLICT', 'Your account changed in the LMS while this request ran; send it again.'),
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      const code =
        CODE_FOR_STATUS[error.status] ?? (error.status === 405 ? 'NOT_FOUND' : 'VALIDATION_FAILED');
      const message = error.message || `The request was refused (${error.status}).`;
      return respond(c, new ApiError(code, message));
    }
    logger.error('unexpected error', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error,
    });
    return respond(
      c,
      new ApiError('INTERNAL', 'Something went wrong on the hub. Quote the request id when reporting it.'),
    );
  };
}

export const handleNotFound: NotFoundHandler<PublicEnv> = (c) =>
  respond(c, new ApiError('NOT_FOUND', `There is no ${c.req.method} ${c.req.path}.`));
