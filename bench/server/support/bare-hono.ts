/**
 * The token route's baseline: a bare `@hono/node-server` app answering `POST /token` with a small JSON body,
 * no auth, no database, no signing. Run as its own process (like the hub) by `token-route.bench.ts`; prints
 * its port on stdout once listening.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().post('/token', (c) =>
  c.json({ token: 'baseline', expiresAt: Date.now() + 3_600_000 }),
);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await once(server, 'listening');
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
