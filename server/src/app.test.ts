import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Health } from '@teacher-hub/protocol';
import { serveHub } from './serve.ts';
import { assertError, json, jsonBody } from './testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from './testing/test-app.ts';

/** A stand-in for `dist/sdk` and `examples/`, so these tests do not depend on a build. */
function staticFixture() {
  const root = mkdtempSync(join(tmpdir(), 'hub-static-'));
  const sdk = join(root, 'sdk');
  const examples = join(root, 'examples');
  mkdirSync(join(sdk, 'chunks'), { recursive: true });
  mkdirSync(examples);
  writeFileSync(join(sdk, 'teacher-hub.js'), 'import("./chunks/chat-AbCd1234.js");\n');
  writeFileSync(join(sdk, 'chunks', 'chat-AbCd1234.js'), 'export const chat = 1;\n');
  writeFileSync(join(examples, 'index.html'), '<!doctype html><title>Demo LMS</title>\n');
  writeFileSync(join(examples, 'teacher.html'), '<!doctype html><title>Teacher</title>\n');
  return { roots: { sdk, examples }, remove: () => rmSync(root, { recursive: true, force: true }) };
}

describe('the hub app in dev mode', () => {
  let hub: TestApp;
  const fixture = staticFixture();
  before(async () => {
    hub = await createTestApp({ env: { HUB_MAX_BODY_BYTES: '2048' }, app: { staticRoots: fixture.roots } });
  });
  after(async () => {
    await hub.close();
    fixture.remove();
  });

  describe('GET /health', () => {
    it('reports dev mode, PGlite, the chat emulator, the local video mesh, web push with generated keys, the dev mailbox, and nothing it does not have', async () => {
      const health = await json<Health>(await hub.app.request('/health'));
      assert.deepEqual(health, {
        ok: true,
        mode: 'dev',
        providers: { db: 'pglite', chat: 'emulator', video: 'mesh', push: ['webpush'], email: 'mailbox' },
      });
    });
  });

  describe('request ids', () => {
    it('gives every response an X-Request-Id, and echoes a well-formed one the caller sent', async () => {
      const generated = await hub.app.request('/health');
      assert.match(generated.headers.get('X-Request-Id') ?? '', /^[0-9a-f-]{36}$/);
      const echoed = await hub.app.request('/health', { headers: { 'X-Request-Id': 'lms-req-42' } });
      assert.equal(echoed.headers.get('X-Request-Id'), 'lms-req-42');
      const refused = await hub.app.request('/health', { headers: { 'X-Request-Id': 'bad id <script>' } });
      assert.notEqual(refused.headers.get('X-Request-Id'), 'bad id <script>');
    });

    it('puts the same id in the error body', async () => {
      const response = await hub.app.request('/v1/me', { headers: { 'X-Request-Id': 'trace-me' } });
      const body = await assertError(response, 401, 'UNAUTHENTICATED');
      assert.equal(body.error.requestId, 'trace-me');
    });
  });

  describe('errors', () => {
    it('answers an unknown route with 404 and the contract body', async () => {
      const body = await assertError(await hub.app.request('/v1/nothing-here'), 404, 'NOT_FOUND');
      assert.match(body.error.message, /GET \/v1\/nothing-here/);
      await assertError(await hub.app.request('/health', { method: 'DELETE' }), 404, 'NOT_FOUND');
    });

    it('answers 413 for a body over HUB_MAX_BODY_BYTES, announced or streamed', async () => {
      const big = JSON.stringify({ userId: 't-ada', padding: 'x'.repeat(4096) });
      await assertError(
        await hub.app.request('/v1/dev/token', {
          method: 'POST',
          ...jsonBody(big, { headers: { 'Content-Length': String(big.length) } }),
        }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      });
      const streamed = await hub.app.request('/v1/dev/token', {
        method: 'POST',
        body: stream,
        headers: { 'Content-Type': 'application/json' },
        duplex: 'half',
      } as RequestInit);
      await assertError(streamed, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 over a real socket too, whether the body is announced or chunked, and lets bodiless POSTs through', async () => {
      const served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
      try {
        const big = JSON.stringify({ userId: 't-ada', padding: 'x'.repeat(4096) });
        const send = (headers: Record<string, string>, chunks: string[]) =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const request = httpRequest(
              `${served.loopbackOrigin}/v1/dev/token`,
              { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } },
              (response) => {
                let body = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => (body += chunk));
                response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
              },
            );
            request.on('error', reject);
            for (const chunk of chunks) request.write(chunk);
            request.end();
          });
        const announced = await send({ 'Content-Length': String(big.length) }, [big]);
        assert.equal(announced.status, 413);
        assert.match(announced.body, /PAYLOAD_TOO_LARGE/);
        const chunked = await send({ 'Transfer-Encoding': 'chunked' }, [big.slice(0, 2000), big.slice(2000)]);
        assert.equal(chunked.status, 413);
        assert.match(chunked.body, /PAYLOAD_TOO_LARGE/);
        const small = JSON.stringify({ userId: 't-ada' });
        const fits = await send({ 'Content-Length': String(small.length) }, [small]);
        assert.equal(fits.status, 200, fits.body);
        // No body at all: the route's own validation answers, not the limit.
        const empty = await send({}, []);
        assert.equal(empty.status, 400, empty.body);
      } finally {
        served.server.close();
      }
    });

    it('answers 400, never 5xx, for malformed or hostile JSON', async () => {
      for (const body of [
        '{',
        '{"userId": "t-ada"',
        'null',
        '"t-ada"',
        '[[[[[[[[[[]]]]]]]]]]',
        '{"__proto__": {}}',
      ]) {
        const response = await hub.app.request('/v1/dev/token', { method: 'POST', ...jsonBody(body) });
        await assertError(response, 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('CORS', () => {
    it('lets an allowed origin (localhost on any port in dev) call with credentials', async () => {
      const response = await hub.app.request('/v1/me', { headers: { Origin: 'http://localhost:5173' } });
      assert.equal(response.headers.get('Access-Control-Allow-Origin'), 'http://localhost:5173');
      assert.equal(response.headers.get('Access-Control-Allow-Credentials'), 'true');
      assert.match(response.headers.get('Access-Control-Expose-Headers') ?? '', /X-Request-Id/);
      await response.body?.cancel();
    });

    it('answers a preflight for an allowed origin with the methods and headers it may use', async () => {
      const response = await hub.app.request('/v1/admin/directory', {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://127.0.0.1:8000',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('Access-Control-Allow-Origin'), 'http://127.0.0.1:8000');
      assert.match(response.headers.get('Access-Control-Allow-Methods') ?? '', /PUT/);
      assert.match(response.headers.get('Access-Control-Allow-Headers') ?? '', /Authorization/i);
    });

    it('gives a refused origin no CORS headers, so the browser blocks the response', async () => {
      for (const origin of ['https://evil.example', 'http://localhost.evil.example:80', 'null']) {
        const response = await hub.app.request('/health', { headers: { Origin: origin } });
        assert.equal(response.headers.get('Access-Control-Allow-Origin'), null, origin);
        await response.body?.cancel();
      }
    });
  });

  describe('static files', () => {
    it('serves the SDK entry as JavaScript that browsers revalidate', async () => {
      const response = await hub.app.request('/sdk/teacher-hub.js');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('Content-Type') ?? '', /^text\/javascript/);
      assert.equal(response.headers.get('Cache-Control'), 'no-cache');
      assert.match(await response.text(), /chunks\/chat-AbCd1234\.js/);
    });

    it('serves hashed chunks as immutable', async () => {
      const response = await hub.app.request('/sdk/chunks/chat-AbCd1234.js');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('Cache-Control'), 'public, max-age=31536000, immutable');
      await response.body?.cancel();
    });

    it('serves the demo LMS at / with a Content-Security-Policy', async () => {
      const response = await hub.app.request('/');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('Content-Type') ?? '', /^text\/html/);
      const csp = response.headers.get('Content-Security-Policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /connect-src 'self' ws: wss:/);
      // The emulator's URLs are under HUB_PUBLIC_URL: a page opened as 127.0.0.1 may still reach localhost.
      assert.match(csp, /connect-src [^;]*http:\/\/localhost:8787/);
      assert.match(csp, /img-src [^;]*http:\/\/localhost:8787/);
      assert.match(await response.text(), /Demo LMS/);
      assert.equal((await hub.app.request('/teacher.html')).status, 200);
    });

    it("serves Bootstrap's CSS from node_modules for the demo's second host page (no CDN)", async () => {
      const response = await hub.app.request('/vendor/bootstrap.min.css');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('Content-Type') ?? '', /^text\/css/);
      assert.equal(response.headers.get('X-Content-Type-Options'), 'nosniff');
      assert.match(await response.text(), /Bootstrap {2}v5\./);
      await assertError(await hub.app.request('/vendor/bootstrap.js'), 404, 'NOT_FOUND');
      await assertError(await hub.app.request('/vendor/..%2Fpackage.json'), 404, 'NOT_FOUND');
    });

    it('answers a missing file or a path escape with the 404 body', async () => {
      await assertError(await hub.app.request('/sdk/nope.js'), 404, 'NOT_FOUND');
      await assertError(await hub.app.request('/sdk/../../etc/passwd'), 404, 'NOT_FOUND');
      await assertError(await hub.app.request('/sdk/%2e%2e/%2e%2e/etc/passwd'), 404, 'NOT_FOUND');
    });
  });

  // Last, because it breaks this hub's database on purpose.
  describe('unexpected failures', () => {
    it('answer 500 INTERNAL with the request id, logged but not shown; /health answers 503', async () => {
      const token = await hub.tokenFor('t-ada');
      await hub.services.database.db.schema.dropTable('enrollments').cascade().execute();
      const response = await hub.app.request('/v1/roster', {
        headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'broken-1' },
      });
      const body = await assertError(response, 500, 'INTERNAL');
      assert.doesNotMatch(body.error.message, /enrollments/, 'no internals in the answer');
      assert.ok(
        hub.logLines.some((line) => line.includes('requestId=broken-1') && line.includes('enrollments')),
      );
      await hub.services.database.close();
      const health = await hub.app.request('/health');
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as Health).ok, false);
    });
  });
});

describe('the hub app in production', () => {
  let hub: TestApp;
  const fixture = staticFixture();
  before(async () => {
    hub = await createTestApp({
      env: { ...PRODUCTION_ENV, HUB_ALLOWED_ORIGINS: 'https://lms.example.edu' },
      app: { staticRoots: fixture.roots },
    });
  });
  after(async () => {
    await hub.close();
    fixture.remove();
  });

  it('serves the SDK but no demo at /', async () => {
    assert.equal((await hub.app.request('/sdk/teacher-hub.js')).status, 200);
    await assertError(await hub.app.request('/'), 404, 'NOT_FOUND');
    await assertError(await hub.app.request('/teacher.html'), 404, 'NOT_FOUND');
    await assertError(await hub.app.request('/vendor/bootstrap.min.css'), 404, 'NOT_FOUND');
  });

  it('allows only the configured origins', async () => {
    const allowed = await hub.app.request('/health', { headers: { Origin: 'https://lms.example.edu' } });
    assert.equal(allowed.headers.get('Access-Control-Allow-Origin'), 'https://lms.example.edu');
    const localhost = await hub.app.request('/health', { headers: { Origin: 'http://localhost:3000' } });
    assert.equal(localhost.headers.get('Access-Control-Allow-Origin'), null);
  });

  it('reports production mode on /health', async () => {
    const health = await json<Health>(await hub.app.request('/health'));
    assert.equal(health.mode, 'production');
  });
});
