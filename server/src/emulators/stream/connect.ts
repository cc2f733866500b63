/**
 * The WebSocket endpoint (`/connect?json=…&api_key=…&authorization=…&stream-auth-type=jwt`). As on Stream,
 * the socket is always accepted; a refused connection gets one `{error}` message and a close with code
 * 1000, which is what `stream-chat` reads (code 40 there makes it reload the token and reconnect).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { checkRevocation, containsNul, verifyToken, type EmulatorContext } from './context.ts';
import { ErrorCode, fail, StreamApiError } from './errors.ts';
import { send, type Connection } from './live.ts';
import { presentUser } from './present.ts';
import {
  asObject,
  getUser,
  touchLastActive,
  unreadTotals,
  updateUser,
  upsertUser,
  userData,
  type JsonObject,
} from './store.ts';

async function openConnection(
  ctx: EmulatorContext,
  socket: WebSocket,
  request: IncomingMessage,
): Promise<Connection> {
  const url = new URL(request.url ?? '/', 'http://emulator.local');
  if (url.searchParams.get('api_key') !== ctx.apiKey) {
    throw fail.auth(ErrorCode.accessKey, 'api_key not valid, make sure you pass the right API key');
  }
  const authType = url.searchParams.get('stream-auth-type') ?? 'jwt';
  if (authType !== 'jwt') {
    throw fail.auth(
      ErrorCode.accessKey,
      `the emulator supports stream-auth-type "jwt" only, not "${authType}"`,
    );
  }
  let payload: JsonObject;
  try {
    payload = asObject(JSON.parse(url.searchParams.get('json') ?? ''));
  } catch {
    throw new StreamApiError(
      ErrorCode.input,
      400,
      'Connect failed with error: "json parameter is missing or not JSON"',
    );
  }
  if (containsNul(payload)) {
    throw new StreamApiError(
      ErrorCode.input,
      400,
      'Connect failed with error: "NUL characters and unpaired surrogates are not allowed"',
    );
  }
  const token = url.searchParams.get('authorization') ?? undefined;
  const verified = await verifyToken(ctx, token === 'undefined' ? undefined : token);
  if (verified.caller.kind !== 'client') {
    throw fail.auth(
      ErrorCode.tokenSignatureInvalid,
      'JWTAuth error: a server token cannot open a user connection',
    );
  }
  const userId = verified.caller.userId;
  const details = asObject(payload.user_details);
  const requested = typeof payload.user_id === 'string' ? payload.user_id : details.id;
  if (requested !== userId) {
    throw fail.auth(
      ErrorCode.tokenSignatureInvalid,
      `JWTAuth error: the token is for user "${userId}", not "${String(requested)}"`,
    );
  }
  const existing = await getUser(ctx.db, userId);
  checkRevocation(ctx, verified.payload, existing);

  // connectUser upserts the user: fields it sends replace the stored ones; the role stays the server's.
  const now = ctx.now();
  const sent = userData(details);
  const unchanged =
    existing &&
    Object.entries(sent).every(
      ([key, value]) => JSON.stringify(asObject(existing.data)[key]) === JSON.stringify(value),
    );
  const user = existing
    ? unchanged
      ? existing
      : await updateUser(ctx.db, userId, { data: { ...asObject(existing.data), ...sent } }, now)
    : await upsertUser(ctx.db, { id: userId, data: sent }, now);
  await touchLastActive(ctx.db, userId, now);
  const connection: Connection = { id: randomUUID(), userId, socket, watching: new Set() };
  ctx.live.add(connection);

  const totals = (await unreadTotals(ctx.db, [userId])).get(userId)!;
  const me = {
    ...presentUser(user!, true),
    ...totals,
    channel_mutes: [],
    mutes: [],
    devices: [],
    blocked_user_ids: [],
    invisible: false,
    privacy_settings: {},
    roles: [user!.role],
  };
  send(connection, {
    type: 'health.check',
    connection_id: connection.id,
    cid: '*',
    me,
    created_at: now.toISOString(),
  });
  return connection;
}

export function acceptConnection(
  ctx: EmulatorContext,
  socket: WebSocket,
  request: IncomingMessage,
  ready: Promise<void>,
  onClosed: (connection: Connection) => Promise<void>,
): void {
  let connection: Connection | undefined;
  let closed = false;
  socket.on('message', (data) => {
    if (!connection) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return;
    }
    // stream-chat pings with `[{type: 'health.check', client_id}]`.
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (messages.some((message) => asObject(message).type === 'health.check')) {
      send(connection, {
        type: 'health.check',
        connection_id: connection.id,
        cid: '*',
        created_at: ctx.now().toISOString(),
      });
    }
  });
  socket.on('close', () => {
    closed = true;
    if (connection) void onClosed(connection);
  });
  socket.on('error', () => socket.terminate());

  void (async () => {
    try {
      await ready;
      connection = await openConnection(ctx, socket, request);
      if (closed) await onClosed(connection);
    } catch (error) {
      const apiError =
        error instanceof StreamApiError
          ? error
          : new StreamApiError(ErrorCode.internal, 500, 'Connect failed with error: "internal error"');
      if (socket.readyState === socket.OPEN) {
        socket.send(
          JSON.stringify({
            error: {
              code: apiError.code,
              message: apiError.message,
              StatusCode: apiError.status,
              duration: '0.00ms',
              more_info: 'https://getstream.io/chat/docs/api_errors_response',
            },
          }),
        );
        socket.close(1000, apiError.message.slice(0, 120));
      }
    }
  })();
}
