import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { requestHeader, requestIds } from './request-header.ts';

/** Sends a request with these raw header lines (repeats kept), and reads the JSON answer. */
async function rawRequest(
  origin: string,
  path: string,
  headers: Array<[string, string]>,
): Promise<{ headers: http.IncomingHttpHeaders; body: unknown }> {
  const { port } = new URL(origin);
  // Raw header lines as an array: Node sends them as given (no Host of its own, so one is added here).
  const lines = [['Host', `127.0.0.1:${port}`], ...headers].flat();
  const request = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: lines });
  request.end();
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return { headers: response.headers, body: JSON.parse(text) };
}

describe('requestHeader and requestIds', () => {
  const app = new Hono<{ Variables: { requestId: string } }>();
  app.use(requestIds());
  app.get('/echo', (c) =>
    c.json({
      requestId: c.get('requestId'),
      authorization: requestHeader(c, 'Authorization') ?? null,
      accept: requestHeader(c, 'accept') ?? null,
      missing: requestHeader(c, 'X-Not-Sent') ?? null,
      // What hono's own reader gives, for comparison.
      viaHono: {
        authorization: c.req.header('Authorization') ?? null,
        accept: c.req.header('Accept') ?? null,
      },
    }),
  );
  let server: http.Server;
  let origin: string;

  before(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads headers over a socket as c.req.header does, repeats joined, in any letter case', async () => {
    const { body } = await rawRequest(origin, '/echo', [
      ['Authorization', 'Bearer abc.def.ghi'],
      ['Accept', 'text/plain'],
      ['accept', 'application/json'],
    ]);
    const answer = body as Record<string, unknown> & { viaHono: Record<string, unknown> };
    assert.equal(answer['authorization'], 'Bearer abc.def.ghi');
    assert.equal(answer['accept'], 'text/plain, application/json');
    assert.equal(answer['missing'], null);
    assert.deepEqual(answer.viaHono, { authorization: answer['authorization'], accept: answer['accept'] });
  });

  it('keeps a well-formed X-Request-Id and echoes it; replaces a malformed or too long one', async () => {
    const kept = await rawRequest(origin, '/echo', [['X-Request-Id', 'lms-req_42=']]);
    assert.equal((kept.body as { requestId: string }).requestId, 'lms-req_42=');
    assert.equal(kept.headers['x-request-id'], 'lms-req_42=');
    for (const bad of ['has space', 'semi;colon', 'x'.repeat(256)]) {
      const replaced = await rawRequest(origin, '/echo', [['X-Request-Id', bad]]);
      const id = (replaced.body as { requestId: string }).requestId;
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(replaced.headers['x-request-id'], id);
    }
    const fresh = await rawRequest(origin, '/echo', []);
    assert.match((fresh.body as { requestId: string }).requestId, /^[0-9a-f-]{36}$/);
  });

  it('reads through c.req in process (app.request)', async () => {
    const response = await app.request('/echo', {
      headers: { Authorization: 'Bearer in.process.token', 'X-Request-Id': 'abc' },
    });
    const body = (await response.json()) as { requestId: string; authorization: string };
    assert.equal(body.authorization, 'Bearer in.process.token');
    assert.equal(body.requestId, 'abc');
    assert.equal(response.headers.get('X-Request-Id'), 'abc');
  });
});
