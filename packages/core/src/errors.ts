import type { ErrorCode, ErrorDetail } from '@teacher-hub/protocol';

/** What went wrong, in one word, so callers can `switch` without `instanceof` across SDK copies. */
export const HUB_ERROR_KINDS = ['api', 'network', 'token'] as const;
export type HubErrorKind = (typeof HUB_ERROR_KINDS)[number];

/** Every error the client throws on purpose. Aborts (`AbortError`) are passed through untouched. */
export abstract class HubError extends Error {
  abstract readonly kind: HubErrorKind;
}

/**
 * The hub answered with an error status. Built from the contract's error body
 * (`{"error": {code, message, requestId, details?}}`); a body that is not one (a proxy's HTML page)
 * still yields an error with a code derived from the status.
 */
export class HubApiError extends HubError {
  readonly kind = 'api';
  override readonly name = 'HubApiError';
  readonly status: number;
  /** One of the contract's codes; anything else the hub may add later is passed through as is. */
  readonly code: ErrorCode | (string & {});
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[] | undefined;
  /** `METHOD /path` of the failed call, for logs. */
  readonly endpoint: string;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    endpoint: string;
    requestId?: string | undefined;
    details?: ErrorDetail[] | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.endpoint = init.endpoint;
    this.requestId = init.requestId;
    this.details = init.details;
  }
}

/** The request never got an HTTP answer: offline, DNS, refused connection, CORS rejection. */
export class HubNetworkError extends HubError {
  readonly kind = 'network';
  override readonly name = 'HubNetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No hub token could be had: no token source, the token URL refused, or the provider threw. */
export class HubTokenError extends HubError {
  readonly kind = 'token';
  override readonly name = 'HubTokenError';
  /** The token URL's HTTP status, when that is what failed. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

export function isHubError(value: unknown): value is HubError {
  return (
    value instanceof Error &&
    typeof (value as Partial<HubError>).kind === 'string' &&
    (HUB_ERROR_KINDS as readonly string[]).includes((value as HubError).kind)
  );
}

export function isAbortError(value: unknown): boolean {
  return (value as { name?: unknown } | null)?.name === 'AbortError';
}

/**
 * The code a bare status stands for, when the body is not the contract's. Kept here rather than read
 * from the protocol's `ERROR_STATUS` at run time: importing protocol values would pull zod into the SDK.
 */
const CODE_FOR_STATUS = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
} as const satisfies Record<number, ErrorCode>;

export function codeForStatus(status: number): ErrorCode {
  return (CODE_FOR_STATUS as Record<number, ErrorCode>)[status] ?? 'INTERNAL';
}

/** The protocol's own check; its `errors` entry holds no zod, so the SDK stays light. */
export { isErrorBody } from '@teacher-hub/protocol/errors';
