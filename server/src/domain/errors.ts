import { ERROR_STATUS, type ErrorCode, type ErrorDetail } from '@teacher-hub/protocol';

/**
 * The one error class of the hub (STYLE.md 11). Domain services and routes throw it; the app's single
 * `onError` turns it into the contract's error body with the status that goes with the code.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}
