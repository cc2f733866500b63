/**
 * What browsers are told: every HTML page the hub serves carries a Content-Security-Policy that allows no
 * inline script, `nosniff` and a Referrer-Policy; CORS answers only `HUB_ALLOWED_ORIGINS`, preflights
 * included, and an allowed page can read the hub's errors (401, 429) as well as its answers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../testing/http.ts';
import { createTestApp, PRODUCTION_ENV, type TestApp } from '../testing/test-app.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const DEMO_PAGES = readdirSync(EXAMPLES).filter((name) => name.endsWith('.html'));

/** The directives of a policy, by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  );
}

function assertPageHeaders(response: Response, page: string) {
  assert.equal(response.status, 200, page);
  assert.match(response.headers.get('Content-Type') ?? '', /^text\/html/, page);
  const policy = directives(response.headers.get('Content-Security-Policy') ?? '');
  assert.deepEqual(policy.get('script-src'), ["'self'"], `${page}: only the hub's own script files`);
  assert.deepEqual(policy.get('object-src'), ["'none'"], page);
  assert.ok(policy.get('default-src')?.includes("'self'"), page);
  assert.ok(policy.get('connect-src')?.includes('ws:'), `${page}: the chat and call sockets`);
  assert.ok(policy.get('media-src')?.includes('blob:'), `${page}: call media`);
  assert.ok(policy.has('frame-ancestors'), page);
  assert.ok(policy.has('base-uri'), page);
  assert.equal(response.headers.get('X-Content-Type-Options'), 'nosniff', page);
  assert.equal(response.headers.get('Referrer-Policy'), 'no-referrer', page);
}

describe('pages the hub serves (dev mode)', () => {
  let hub: TestApp;
  before(async () => {
    hub = await createTestApp();
  });
  after(() => hub.close());

  it('finds the demo pages to check', () => {
    assert.ok(DEMO_PAGES.length >= 4, DEMO_PAGES.join(', '));
  });

  for (const page of ['/', ...DEMO_PAGES.map((name) => `/${name}`)]) {
    it(`serves ${page} with a CSP without inline script, nosniff and no-referrer`, async () => {
      const response = await hub.app.request(page);
      assertPageHeaders(response, page);
      await response.body?.cancel();
    });
  }

  it('serves the dev mailbox with the same headers', async () => {
    const response = await hub.app.request('/dev/mailbox');
    assertPageHeaders(response, '/dev/mailbox');
    await response.body?.cancel();
  });

  it('keeps the demo pages working under that policy: no inline script, no inline event handlers', () => {
    for (const name of DEMO_PAGES) {
      const text = readFileSync(`${EXAMPLES}${name}`, 'utf8');
      for (const tag of text.match(/<script\b[^>]*>/gi) ?? []) {
        assert.match(tag, /\bsrc="\/(sdk|assets)\/[^"]+\.js"/, `${name}: ${tag} loads a file`);
        assert.match(tag, /type="module"/, `${name}: ${tag}`);
      }
      assert.doesNotMatch(text, /\son[a-z]+\s*=/i, `${name} has no inline event handler`);
      assert.doesNotMatch(text, /javascript:/i, `${name} has no javascript: URL`);
    }
  });
});

describe('CORS: only HUB_ALLOWED_ORIGINS', () => {
  let hub: TestApp;
  const ALLOWED = 'https://lms.example.edu';
  before(async () => {
    hub = await createTestApp({ env: { HUB_ALLOWED_ORIGINS: ALLOWED, HUB_RATE_LIMIT_TOKEN: '1/0' } });
  });
  after(() => hub.close());

  const preflight = (origin: string, path = '/v1/chats') =>
    hub.app.request(path, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });

  it('refuses the preflight of a foreign or look-alike origin: no Allow-Origin, no Allow-Credentials', async () => {
    for (const origin of [
      'https://evil.example',
      'https://lms.example.edu.evil.example',
      'http://lms.example.edu',
      'https://lms.example.edu:8443',
      'null',
    ]) {
      const response = await preflight(origin);
      assert.equal(response.headers.get('Access-Control-Allow-Origin'), null, origin);
      assert.equal(response.headers.get('Access-Control-Allow-Credentials'), null, origin);
      await response.body?.cancel();
    }
  });

  it('gives a foreign origin no Allow-Origin on /v1/* answers, so its page cannot read them', async () => {
    const response = await hub.requestAs('s-01', '/v1/me', { headers: { Origin: 'https://evil.example' } });
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), null);
    await response.body?.cancel();
  });

  it('answers the allowed origin’s preflight with credentials, and varies on Origin', async () => {
    const response = await preflight(ALLOWED);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), ALLOWED);
    assert.equal(response.headers.get('Access-Control-Allow-Credentials'), 'true');
    assert.match(response.headers.get('Access-Control-Allow-Headers') ?? '', /authorization/i);
    assert.match(response.headers.get('Vary') ?? '', /Origin/);
  });

  it('lets the allowed origin read answers and errors alike (401, 429 with Retry-After)', async () => {
    const me = await hub.requestAs('s-01', '/v1/me', { headers: { Origin: ALLOWED } });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('Access-Control-Allow-Origin'), ALLOWED);
    await me.body?.cancel();

    const unauthenticated = await hub.app.request('/v1/me', { headers: { Origin: ALLOWED } });
    assert.equal(unauthenticated.headers.get('Access-Control-Allow-Origin'), ALLOWED);
    await assertError(unauthenticated, 401, 'UNAUTHENTICATED');

    const token = () =>
      hub.requestAs('s-01', '/v1/chat/token', { method: 'POST', headers: { Origin: ALLOWED } });
    assert.equal((await token()).status, 200);
    const limited = await token();
    assert.equal(limited.headers.get('Access-Control-Allow-Origin'), ALLOWED);
    assert.ok(Number(limited.headers.get('Retry-After')) > 0);
    await assertError(limited, 429, 'RATE_LIMITED');
  });

  it('in production, allows no origin but the configured ones and serves no HTML pages', async () => {
    const production = await createTestApp({ env: { ...PRODUCTION_ENV, HUB_ALLOWED_ORIGINS: ALLOWED } });
    try {
      const foreign = await production.app.request('/v1/chats', {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(foreign.headers.get('Access-Control-Allow-Origin'), null);
      await foreign.body?.cancel();
      for (const page of ['/', '/teacher.html', '/dev/mailbox']) {
        await assertError(await production.app.request(page), 404, 'NOT_FOUND');
      }
    } finally {
      await production.close();
    }
  });
});
