/**
 * Test support for the emulator's suites: an embedded PGlite database behind Kysely's PostgresDialect,
 * the emulator mounted under `/stream` on a real HTTP server (WebSocket upgrades included), and helpers
 * to mint tokens and build real `stream-chat` clients against it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { StreamChat } from 'stream-chat';
import { createStreamEmulator, type StreamEmulator, type StreamEmulatorOptions } from './index.ts';

export const API_KEY = 'emulator-test-key';
export const API_SECRET = 'emulator-test-secret-with-enough-entropy';

/**
 * A one-connection pool over PGlite. PGlite runs a single backend, so a Kysely transaction must own it
 * exclusively: `connect()` waits for the previous holder's `release()`.
 */
export function createPglitePool(pglite: PGlite): PostgresPool {
  let queue: Promise<void> = Promise.resolve();
  return {
    connect() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const acquired = queue.then(() => undefined);
      queue = queue.then(() => held);
      return acquired.then(() => {
        let released = false;
        const client = {
          async query(text: string, parameters: ReadonlyArray<unknown>) {
            const result = await pglite.query(text, parameters as unknown[]);
            const command = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SELECT';
            return {
              command,
              rowCount: result.affectedRows ?? result.rows.length,
              rows: result.rows,
            };
          },
          release() {
            if (released) return;
            released = true;
            release();
          },
        };
        return client as unknown as PostgresPoolClient;
      });
    },
    async end() {
      // The PGlite instance belongs to the test; it is closed there.
    },
  };
}

export async function createTestDatabase(): Promise<{ pglite: PGlite; db: Kysely<unknown> }> {
  const pglite = await PGlite.create();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: createPglitePool(pglite) }) });
  return { pglite, db };
}

export interface RunningEmulator {
  emulator: StreamEmulator;
  server: Server;
  /** `http://127.0.0.1:port/stream`, what `stream-chat` gets as `baseURL`. */
  baseURL: string;
  origin: string;
  stop(): Promise<void>;
}

/** Mounts the emulator under `/stream` on a fresh HTTP server, the way the hub mounts it. */
export async function startEmulator(
  db: Kysely<unknown>,
  overrides: Partial<StreamEmulatorOptions> = {},
): Promise<RunningEmulator> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = createStreamEmulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    db,
    publicBaseUrl: `${origin}/stream`,
    ...overrides,
  });
  const app = new Hono();
  app.route('/stream', emulator.app);
  server.on('request', getRequestListener(app.fetch));
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === '/stream/connect') emulator.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  return {
    emulator,
    server,
    origin,
    baseURL: `${origin}/stream`,
    async stop() {
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const secretKey = new TextEncoder().encode(API_SECRET);

/** A client token like the hub mints: HS256, `user_id`, `iat`, `exp`. */
export async function userToken(
  userId: string,
  options: { expiresInSeconds?: number; issuedAt?: number; secret?: string } = {},
): Promise<string> {
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const key = options.secret ? new TextEncoder().encode(options.secret) : secretKey;
  return new SignJWT({ user_id: userId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expiresInSeconds ?? 3600))
    .sign(key);
}

/** The server-side client the hub uses: API key + secret, no WebSocket. */
export function serverClient(baseURL: string, secret = API_SECRET): StreamChat {
  return new StreamChat(API_KEY, secret, { baseURL, timeout: 10_000 });
}

/** A connected end-user client (Node, `allowServerSideConnect`). */
export async function connectUser(
  baseURL: string,
  user: { id: string; name?: string },
  tokenProvider?: () => Promise<string>,
  handshakeTimeoutMs = 2000,
): Promise<StreamChat> {
  const client = new StreamChat(API_KEY, { allowServerSideConnect: true, baseURL, timeout: 10_000 });
  // stream-chat races the handshake against a 15 s timer it never clears, which would keep the test
  // process alive that long after the last connect; locally a handshake takes milliseconds.
  client.defaultWSTimeout = handshakeTimeoutMs;
  await client.connectUser(user, tokenProvider ?? (() => userToken(user.id)));
  return client;
}

/** Resolves with the next event of `type` the client receives (optionally matching `where`). */
export function nextEvent<T extends { type: string }>(
  client: StreamChat,
  type: string,
  where: (event: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = client.on(type, (event) => {
      if (!where(event as unknown as T)) return;
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve(event as unknown as T);
    });
  });
}
