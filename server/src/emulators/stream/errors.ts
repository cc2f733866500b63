/**
 * Stream's error responses: `{code, message, StatusCode, duration, more_info, details}`. `stream-chat` reads
 * `code` (40 makes it reload the token and retry), so the codes follow Stream's published table.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const ErrorCode = {
  internal: -1,
  accessKey: 2,
  authenticationFailed: 3,
  input: 4,
  doesNotExist: 16,
  notAllowed: 17,
  messageTooLong: 20,
  payloadTooBig: 22,
  tokenExpired: 40,
  tokenNotValidYet: 41,
  tokenUsedBeforeIssuedAt: 42,
  tokenSignatureInvalid: 43,
} as const;

export class StreamApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
    this.name = 'StreamApiError';
  }
}

const MORE_INFO = 'https://getstream.io/chat/docs/api_errors_response';

export function errorBody(error: StreamApiError, startedAt: number) {
  return {
    code: error.code,
    message: error.message,
    StatusCode: error.status,
    duration: duration(startedAt),
    more_info: MORE_INFO,
    details: [],
  };
}

export function duration(startedAt: number): string {
  return `${(performance.now() - startedAt).toFixed(2)}ms`;
}

/** `Operation failed with error: "detail"`, the wording Stream uses. */
function failed(operation: string, detail: string) {
  return `${operation} failed with error: "${detail}"`;
}

export const fail = {
  input: (operation: string, detail: string) =>
    new StreamApiError(ErrorCode.input, 400, failed(operation, detail)),
  notFound: (operation: string, detail: string) =>
    new StreamApiError(ErrorCode.doesNotExist, 404, failed(operation, detail)),
  notAllowed: (operation: string, detail: string) =>
    new StreamApiError(ErrorCode.notAllowed, 403, failed(operation, detail)),
  messageTooLong: (operation: string, detail: string) =>
    new StreamApiError(ErrorCode.messageTooLong, 400, failed(operation, detail)),
  tooBig: (operation: string, detail: string) =>
    new StreamApiError(ErrorCode.payloadTooBig, 413, failed(operation, detail)),
  auth: (code: number, detail: string) => new StreamApiError(code, 401, detail),
};
