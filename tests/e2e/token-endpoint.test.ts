import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort } from '../../server/src/testing/hub-process.ts';
import { ARTEFACTS, launchChromium } from './support/browser.ts';
import { startHub, type RunningHub } from './support/hub-server.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/token-endpoint/server.mjs', import.meta.url));

/**
 * Production identity with the least the configuration allows: a shared HS256 secret (which is what
 * switches the hub to production), the issuer and audience every token must carry (required then), and an
 * admin key (required then; used below to sync the LMS's directory). Everything else keeps its built-in
 * default (embedded PostgreSQL, the chat emulator, the mesh), as env.ts allows in production.
 */
const IDENTITY = {
  HUB_JWT_SECRET: 'the-lms-and-the-hub-share-this-secret-0123456789',
  HUB_JWT_ISSUER: 'https://lms.example.edu',
  HUB_JWT_AUDIENCE: 'teacher-hub',
};
const ADMIN_KEY = 'admin-key-for-the-token-endpoint-test';

interface ExampleLms {
  url: string;
  stop: () => Promise<void>;
}

/** Starts `examples/token-endpoint/server.mjs` as a reader would: `node server.mjs` with its environment. */
async function startExample(env: Record<string, string>, port?: number): Promise<ExampleLms> {
  port ??= await freePort();
  const child: ChildProcess = spawn(process.execPath, [EXAMPLE], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the example exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the example did not start:\n${output}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  const exited = once(child, 'exit');
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Signs in to the example LMS (its demo form) and returns the session cookie. */
async function lmsSession(lms: ExampleLms, userId: string): Promise<string> {
  const response = await fetch(`${lms.url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ user: userId }),
    redirect: 'manual',
  });
  assert.equal(response.status, 303);
  const cookie = response.headers.get('Set-Cookie') ?? '';
  assert.match(cookie, /HttpOnly/);
  return cookie.split(';')[0]!;
}

async function hubTokenFrom(lms: ExampleLms, cookie: string): Promise<string> {
  const response = await fetch(`${lms.url}/lms/hub-token`, { headers: { Cookie: cookie } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function hubGet(hub: RunningHub, path: string, token: string) {
  const response = await fetch(`${hub.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function assertUnauthenticated(answer: { status: number; body: Record<string, unknown> }): void {
  assert.equal(answer.status, 401);
  const error = answer.body.error as { code: string; message: string; requestId: string };
  assert.equal(error.code, 'UNAUTHENTICATED');
  assert.equal(typeof error.message, 'string');
  assert.ok(error.requestId);
}

describe('examples/token-endpoint: a host LMS mints hub tokens for a hub in production mode', () => {
  let hub: RunningHub;
  let lms: ExampleLms;
  let browser: Browser | undefined;
  before(async () => {
    const lmsPort = await freePort();
    hub = await startHub({
      ...IDENTITY,
      HUB_ADMIN_KEY: ADMIN_KEY,
      HUB_ALLOWED_ORIGINS: `http://127.0.0.1:${lmsPort}`,
    });
    lms = await startExample({ ...IDENTITY, HUB_URL: hub.url }, lmsPort);
  });
  after(async () => {
    await browser?.close();
    await lms?.stop();
    await hub?.stop();
  });

  it('runs the hub in production: no dev token route', async () => {
    const health = (await (await fetch(`${hub.url}/health`)).json()) as { mode: string };
    assert.equal(health.mode, 'production');
    const devToken = await fetch(`${hub.url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 's-01' }),
    });
    assert.equal(devToken.status, 404);
  });

  it('gives no token to a visitor who is not signed in to the LMS, nor to a cross-site request', async () => {
    const anonymous = await fetch(`${lms.url}/lms/hub-token`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('Cache-Control'), 'no-store');
    assert.equal(((await anonymous.json()) as { token?: string }).token, undefined);

    const cookie = await lmsSession(lms, 's-01');
    const crossSite = await fetch(`${lms.url}/lms/hub-token`, {
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
    });
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
  });

  it('mints a short-lived HS256 token with the claims the hub checks, and the hub knows the user by it', async () => {
    const cookie = await lmsSession(lms, 's-01');
    const response = await fetch(`${lms.url}/lms/hub-token`, { headers: { Cookie: cookie } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Cache-Control'), 'no-store');
    assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
    const { token } = (await response.json()) as { token: string };

    const [header, claims] = token.split('.').map((part, index) => (index < 2 ? decode(part) : {}));
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(claims!).toSorted(), ['aud', 'exp', 'iat', 'iss', 'name', 'role', 'sub']);
    assert.equal(claims!.iss, IDENTITY.HUB_JWT_ISSUER);
    assert.equal(claims!.aud, IDENTITY.HUB_JWT_AUDIENCE);
    assert.equal(Number(claims!.exp) - Number(claims!.iat), 600);
    assert.ok(Math.abs(Number(claims!.iat) - Date.now() / 1000) < 30);

    const me = await hubGet(hub, '/v1/me', token);
    assert.equal(me.status, 200);
    const { id, name, role } = (me.body as { user: Record<string, unknown> }).user;
    assert.deepEqual({ id, name, role }, { id: 's-01', name: 'Amara Okafor', role: 'student' });

    const teacher = await hubGet(hub, '/v1/me', await hubTokenFrom(lms, await lmsSession(lms, 't-ada')));
    assert.equal(teacher.status, 200);
    const ada = (teacher.body as { user: Record<string, unknown> }).user;
    assert.deepEqual([ada.id, ada.name, ada.role], ['t-ada', 'Ada Lovelace', 'teacher']);
  });

  it('after the LMS syncs its directory, the roster answers for the token’s user', async () => {
    const sync = await fetch(`${hub.url}/v1/admin/directory`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        users: [
          { id: 't-ada', name: 'Ada Lovelace', email: 't-ada@example.edu', role: 'teacher' },
          { id: 's-01', name: 'Amara Okafor', email: 's-01@example.edu', role: 'student' },
        ],
        courses: [{ id: 'algebra-1', name: 'Algebra I' }],
        enrollments: [
          { courseId: 'algebra-1', userId: 't-ada', role: 'teacher' },
          { courseId: 'algebra-1', userId: 's-01', role: 'student' },
        ],
      }),
    });
    assert.equal(sync.status, 200);
    await sync.body?.cancel();
    const roster = await hubGet(hub, '/v1/roster', await hubTokenFrom(lms, await lmsSession(lms, 's-01')));
    assert.equal(roster.status, 200);
    assert.deepEqual(roster.body, {
      courses: [{ id: 'algebra-1', name: 'Algebra I', students: [{ id: 't-ada', name: 'Ada Lovelace' }] }],
    });
  });

  it('refuses a tampered token and one signed with another secret: 401 in the contract’s error body', async () => {
    const token = await hubTokenFrom(lms, await lmsSession(lms, 's-01'));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const promoted = Buffer.from(
      JSON.stringify({ ...decode(payload), role: 'teacher', sub: 't-ada' }),
    ).toString('base64url');
    assertUnauthenticated(await hubGet(hub, '/v1/me', `${header}.${promoted}.${signature}`));

    const misconfigured = await startExample({
      ...IDENTITY,
      HUB_JWT_SECRET: 'not-the-secret-the-hub-was-given-0123456789',
      HUB_URL: hub.url,
    });
    try {
      const forged = await hubTokenFrom(misconfigured, await lmsSession(misconfigured, 's-01'));
      assertUnauthenticated(await hubGet(hub, '/v1/me', forged));
    } finally {
      await misconfigured.stop();
    }

    const otherAudience = await startExample({
      ...IDENTITY,
      HUB_JWT_AUDIENCE: 'another-app',
      HUB_URL: hub.url,
    });
    try {
      const token = await hubTokenFrom(otherAudience, await lmsSession(otherAudience, 's-01'));
      assertUnauthenticated(await hubGet(hub, '/v1/me', token));
    } finally {
      await otherAudience.stop();
    }
  });

  it('signs the elements on the LMS page in through token-url: a credentialed fetch to the LMS, then the hub', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    const tokenAnswers: number[] = [];
    const hubAnswers: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== '/lms/hub-token') {
        problems.push(`${response.status()} ${response.url()}`);
      }
      if (url.pathname === '/lms/hub-token') tokenAnswers.push(response.status());
      if (url.origin === hub.url && url.pathname.startsWith('/v1/')) {
        hubAnswers.push(`${response.status()} ${url.pathname}`);
      }
    });
    await page.goto(lms.url);
    await page.getByRole('combobox').selectOption('s-01');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('upcoming-sessions').getByRole('heading', { name: 'Upcoming sessions' }).waitFor();
    await page
      .locator('notification-center')
      .getByRole('button', { name: /Notifications/ })
      .click();
    await page.locator('notification-center [part="panel"]').getByRole('heading').waitFor();

    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({
      path: resolve(ARTEFACTS, 'token-endpoint-lms-page.png'),
      animations: 'disabled',
    });
    assert.ok(tokenAnswers.length > 0 && tokenAnswers.every((status) => status === 200), `${tokenAnswers}`);
    assert.ok(hubAnswers.length > 0, 'the elements called the hub');
    assert.deepEqual(
      hubAnswers.filter((answer) => !answer.startsWith('2')),
      [],
      'every hub call was accepted',
    );
    assert.deepEqual(problems, []);
  });
});
