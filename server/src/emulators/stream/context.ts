/**
 * What every route of the emulator shares: the database, the clock, live connections, webhooks, and the
 * authentication of a request (API key + JWT signed with the API secret, as Stream does it).
 */
import type { Context } from 'hono';
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import { ErrorCode, fail, type StreamApiError } from './errors.ts';
import type { LiveConnections } from './live.ts';
import { actionName, isGranted, type Subject } from './permissions.ts';
import type { Viewer } from './present.ts';
import type { StreamDatabase } from './schema.ts';
import {
  asObject,
  getChannel,
  getChannelType,
  getMember,
  getUser,
  type AppSettings,
  type ChannelRow,
  type ChannelType,
  type Db,
  type JsonObject,
  type MemberRow,
  type UserRow,
} from './store.ts';
import type { WebhookSender } from './webhooks.ts';

export interface UploadLimits {
  /** Largest accepted upload, in bytes. */
  maxBytes: number;
  /** MIME types `/image` accepts. */
  allowedImageTypes: string[];
  /** MIME types `/file` accepts; `null` accepts any type (files are served as downloads). */
  allowedFileTypes: string[] | null;
}

export interface EmulatorContext {
  db: Kysely<StreamDatabase>;
  apiKey: string;
  apiSecret: string;
  secretKey: Uint8Array;
  now: () => Date;
  live: LiveConnections;
  webhooks: WebhookSender;
  settings: () => AppSettings;
  saveSettings: (settings: AppSettings) => Promise<void>;
  uploadLimits: UploadLimits;
  /** Where the emulator is reachable from browsers, mount prefix included: file URLs start with it. */
  publicBaseUrl: string;
}

/** A server-side call (token `{server: true}`), or a client-side call by one user. */
export type Caller = { kind: 'server' } | { kind: 'client'; userId: string };

export interface EmulatorEnv {
  Variables: {
    caller: Caller;
    startedAt: number;
  };
}

export type EmulatorHonoContext = Context<EmulatorEnv>;

// ------------------------------------------------------------------------------------------- tokens

export interface VerifiedToken {
  caller: Caller;
  payload: JWTPayload;
}

/** Checks a Stream JWT; the error codes are the ones `stream-chat` reacts to (40 → reload the token). */
export async function verifyToken(ctx: EmulatorContext, token: string | undefined): Promise<VerifiedToken> {
  if (!token) {
    throw fail.auth(ErrorCode.input, 'JWTAuth error: missing authentication token');
  }
  let payload: JWTPayload;
  if (ctx.settings().disable_auth_checks) {
    try {
      payload = decodeJwt(token);
    } catch {
      throw fail.auth(ErrorCode.tokenSignatureInvalid, 'JWTAuth error: token is malformed');
    }
  } else {
    try {
      ({ payload } = await jwtVerify(token, ctx.secretKey, {
        algorithms: ['HS256'],
        currentDate: ctx.now(),
      }));
    } catch (error) {
      throw tokenError(error);
    }
  }
  if (payload.server === true && payload.user_id === undefined) {
    return { caller: { kind: 'server' }, payload };
  }
  if (typeof payload.user_id !== 'string' || !payload.user_id) {
    throw fail.auth(
      ErrorCode.tokenSignatureInvalid,
      'JWTAuth error: token has neither user_id nor server claim',
    );
  }
  return { caller: { kind: 'client', userId: payload.user_id }, payload };
}

function tokenError(error: unknown): StreamApiError {
  if (error instanceof joseErrors.JWTExpired) {
    return fail.auth(ErrorCode.tokenExpired, 'JWTAuth error: token has expired');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return fail.auth(ErrorCode.tokenNotValidYet, 'JWTAuth error: token is not valid yet');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'iat') {
    return fail.auth(ErrorCode.tokenUsedBeforeIssuedAt, 'JWTAuth error: token used before issued at (iat)');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return fail.auth(
      ErrorCode.tokenSignatureInvalid,
      'JWTAuth error: signature is not valid. Make sure the token is created using the secret for API key',
    );
  }
  return fail.auth(
    ErrorCode.tokenSignatureInvalid,
    'JWTAuth error: token is malformed or not signed with HS256',
  );
}

/**
 * Refuses a client token issued before the app's or the user's `revoke_tokens_issued_before`. It answers
 * with code 40 so `stream-chat` fetches a fresh token from its provider, which is what revocation is for.
 */
export function checkRevocation(ctx: EmulatorContext, payload: JWTPayload, user: UserRow | undefined): void {
  const cutoffs = [ctx.settings().revoke_tokens_issued_before, user?.revoke_tokens_issued_before]
    .filter((value): value is string | Date => Boolean(value))
    .map((value) => new Date(value).getTime());
  if (cutoffs.length === 0) return;
  const cutoff = Math.max(...cutoffs);
  const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : -Infinity;
  if (issuedAt < cutoff) {
    throw fail.auth(ErrorCode.tokenExpired, 'JWTAuth error: token has expired (it was revoked)');
  }
}

export async function authenticateRequest(ctx: EmulatorContext, c: EmulatorHonoContext): Promise<Caller> {
  if (c.req.query('api_key') !== ctx.apiKey) {
    throw fail.auth(ErrorCode.accessKey, 'api_key not valid, make sure you pass the right API key');
  }
  const authType = c.req.header('stream-auth-type') ?? 'jwt';
  if (authType !== 'jwt') {
    throw fail.auth(
      ErrorCode.accessKey,
      `the emulator supports stream-auth-type "jwt" only, not "${authType}"`,
    );
  }
  const { caller, payload } = await verifyToken(ctx, c.req.header('authorization'));
  if (caller.kind === 'client') {
    checkRevocation(ctx, payload, await getUser(ctx.db, caller.userId));
  }
  return caller;
}

// ----------------------------------------------------------------------------------- request helpers

/** An unpaired surrogate (ill-formed UTF-16), which JSON.parse lets through from a `\ud800` escape. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * PostgreSQL stores no NUL character in text or jsonb, and jsonb no unpaired surrogate: refuse them up
 * front instead of failing later (a 500).
 */
export function containsNul(value: unknown): boolean {
  const unstorable = (text: string) => text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);
  if (typeof value === 'string') return unstorable(value);
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => unstorable(key) || containsNul(inner));
  }
  return false;
}

export async function readBody(c: EmulatorHonoContext, operation: string): Promise<JsonObject> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail.input(operation, 'the request body must be a JSON object');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail.input(operation, 'the request body must be a JSON object');
  }
  if (containsNul(parsed))
    throw fail.input(operation, 'NUL characters and unpaired surrogates are not allowed');
  return parsed as JsonObject;
}

/** GET endpoints carry their options JSON-encoded in `payload` (and sometimes as plain params). */
export function readPayload(c: EmulatorHonoContext, operation: string): JsonObject {
  const raw = c.req.query('payload');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw fail.input(operation, 'payload must be JSON');
  }
  if (containsNul(parsed))
    throw fail.input(operation, 'NUL characters and unpaired surrogates are not allowed');
  return asObject(parsed);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function userIdOf(value: unknown): string | undefined {
  if (isString(value)) return value;
  const id = asObject(value).id;
  return isString(id) ? id : undefined;
}

/**
 * Whose behalf a call acts on. Client calls always act as the token's user; server calls name the user in
 * the body (`user_id` or `user`), which Stream requires for anything attributed to someone.
 */
export function actingUserId(caller: Caller, ...candidates: unknown[]): string | undefined {
  if (caller.kind === 'client') return caller.userId;
  for (const candidate of candidates) {
    const id = userIdOf(candidate);
    if (id) return id;
  }
  return undefined;
}

export async function viewerOf(db: Db, userId: string | undefined): Promise<Viewer | null> {
  if (!userId) return null;
  const user = await getUser(db, userId);
  return { userId, role: user?.role ?? 'user' };
}

export interface LoadedChannel {
  channel: ChannelRow;
  type: ChannelType;
}

export async function loadChannelType(db: Db, name: string, operation: string): Promise<ChannelType> {
  const type = await getChannelType(db, name);
  if (!type) throw fail.notFound(operation, `channel type "${name}" does not exist`);
  return type;
}

export async function loadChannel(
  db: Db,
  typeName: string,
  id: string,
  operation: string,
): Promise<LoadedChannel> {
  const type = await loadChannelType(db, typeName, operation);
  const channel = await getChannel(db, `${typeName}:${id}`);
  if (!channel) throw fail.notFound(operation, `channel "${typeName}:${id}" does not exist`);
  return { channel, type };
}

/**
 * Checks a client caller against the channel type's grants (server calls pass unchecked). `owns` makes
 * the `-owner` variant of the permission count.
 */
export async function authorize(
  ctx: EmulatorContext,
  caller: Caller,
  loaded: LoadedChannel,
  permission: string,
  operation: string,
  options: { owns?: boolean; membership?: MemberRow | null } = {},
): Promise<void> {
  if (caller.kind === 'server' || ctx.settings().disable_permissions_checks) return;
  const membership =
    options.membership !== undefined
      ? options.membership
      : ((await getMember(ctx.db, loaded.channel.cid, caller.userId)) ?? null);
  const user = await getUser(ctx.db, caller.userId);
  const subject: Subject = {
    userId: caller.userId,
    userRole: user?.role ?? 'user',
    channelRole: membership?.channel_role ?? null,
  };
  if (!isGranted(loaded.type.grants, subject, permission, options.owns ?? false)) {
    throw deny(operation, subject, permission, loaded.type.name);
  }
}

export function deny(operation: string, subject: Subject, permission: string, scope: string): StreamApiError {
  return fail.notAllowed(
    operation,
    `User '${subject.userId}' with role '${subject.userRole}' is not allowed to perform action ${actionName(permission)} in scope '${scope}'`,
  );
}
