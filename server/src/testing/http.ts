import assert from 'node:assert/strict';
import { isErrorBody, type ErrorBody, type ErrorCode } from '@teacher-hub/protocol';

/**
 * Asserts the contract's error: the status, `{"error": {code, message, requestId}}`, and a request id
 * that matches the `X-Request-Id` header. Returns the body for further checks.
 */
export async function assertError(response: Response, status: number, code: ErrorCode): Promise<ErrorBody> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status}: ${text}`);
  assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
  const body: unknown = JSON.parse(text);
  assert.ok(isErrorBody(body), `not the contract's error body: ${text}`);
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0, 'the error has a message');
  assert.ok(body.error.requestId.length > 0, 'the error has a request id');
  assert.equal(body.error.requestId, response.headers.get('X-Request-Id'));
  return body;
}

/** Asserts a 2xx JSON answer and returns its body. */
export async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export const jsonBody = (body: unknown, init: RequestInit = {}): RequestInit => ({
  ...init,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
});
