// A host LMS's backend, reduced to what Teacher Hub needs from it: it knows who is signed in (here a
// demo session cookie), and its token endpoint signs a short-lived hub token for that user. Plain Node:
// `node:http` and `node:crypto`, no dependencies. Run it beside a hub in production mode:
//
//   HUB_JWT_SECRET=… HUB_JWT_ISSUER=https://lms.example.edu HUB_JWT_AUDIENCE=teacher-hub \
//   HUB_URL=http://localhost:8787 PORT=3000 node examples/token-endpoint/server.mjs
//
// The hub must be started with the same HUB_JWT_SECRET, HUB_JWT_ISSUER and HUB_JWT_AUDIENCE, and with
// HUB_ALLOWED_ORIGINS=http://localhost:3000 so this page's elements may call it. See README.md here.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const config = {
  port: Number(process.env.PORT ?? 3000),
  secret: process.env.HUB_JWT_SECRET ?? '',
  issuer: process.env.HUB_JWT_ISSUER ?? '',
  audience: process.env.HUB_JWT_AUDIENCE ?? '',
  hubUrl: (process.env.HUB_URL ?? 'http://localhost:8787').replace(/\/+$/, ''),
  // Short: the elements fetch a new one before it expires, and a leaked one is soon worthless.
  lifetimeSeconds: Number(process.env.HUB_TOKEN_LIFETIME_S ?? 600),
};
const problems = [
  config.secret.length < 32 && 'HUB_JWT_SECRET (at least 32 characters, the same as the hub’s)',
  !config.issuer && 'HUB_JWT_ISSUER (the hub’s HUB_JWT_ISSUER)',
  !config.audience && 'HUB_JWT_AUDIENCE (the hub’s HUB_JWT_AUDIENCE)',
].filter(Boolean);
if (problems.length > 0) {
  console.error(`Set ${problems.join(', ')}.`);
  process.exit(1);
}

/** The LMS's own users; a real LMS has them in its database (and syncs them to the hub's directory). */
const USERS = new Map([
  ['t-ada', { name: 'Ada Lovelace', role: 'teacher' }],
  ['s-01', { name: 'Amara Okafor', role: 'student' }],
  ['s-02', { name: 'Ben Carter', role: 'student' }],
]);

/** Session id → user id. A real LMS already has sessions; the token endpoint only reads them. */
const sessions = new Map();
const SESSION_COOKIE = 'lms_session';

// ── The part that matters: minting a hub token ────────────────────────────────────────────────────────

const base64url = (value) => Buffer.from(value).toString('base64url');

/**
 * A hub token: a JWT signed HS256 with the secret the hub shares (`HUB_JWT_SECRET`). The hub pins the
 * algorithm and checks `iss`, `aud` and `exp` (30 s of clock skew allowed), then reads `sub` (the user's
 * LMS id: letters, digits, `_ . @ -`), `name` and `role` (`teacher` or `student`).
 */
function signHubToken(userId, user, now = Math.floor(Date.now() / 1000)) {
  const header = { alg: 'HS256', typ: 'JWT' };
  const claims = {
    sub: userId,
    name: user.name,
    role: user.role,
    iss: config.issuer,
    aud: config.audience,
    iat: now,
    exp: now + config.lifetimeSeconds,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', config.secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** `GET /lms/hub-token`: what the elements' `token-url` points at. */
function hubToken(request, response) {
  // The response is readable only by this origin's pages (no CORS headers), but there is no reason to
  // answer a request another site's page made with this user's cookie at all.
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    return json(response, 403, { error: 'Cross-site requests get no hub token.' });
  }
  const userId = sessions.get(cookies(request)[SESSION_COOKIE]);
  const user = userId && USERS.get(userId);
  if (!user) return json(response, 401, { error: 'Not signed in to the LMS.' });
  return json(response, 200, { token: signHubToken(userId, user) });
}

// ── The rest of the demo LMS: sign in and out, and one page that embeds the hub ──────────────────────

function json(response, status, body) {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    // A token must never be cached, by the browser or anything in between.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(JSON.stringify(body));
}

function cookies(request) {
  const found = {};
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) found[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return found;
}

async function formBody(request) {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 4096) break;
  }
  return new URLSearchParams(body);
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function page(response, userId) {
  const user = userId && USERS.get(userId);
  const hub = escapeHtml(config.hubUrl);
  const body = user
    ? `<header>
        <strong>Example LMS</strong>
        <!-- One script tag from the hub; every element gets its token from this LMS's own endpoint. -->
        <notification-center server="${hub}" token-url="/lms/hub-token"></notification-center>
        <span>${escapeHtml(user.name)} (${escapeHtml(user.role)})</span>
        <form method="post" action="/logout"><button>Sign out</button></form>
      </header>
      <main>
        <upcoming-sessions server="${hub}" token-url="/lms/hub-token"></upcoming-sessions>
      </main>
      <call-overlay server="${hub}" token-url="/lms/hub-token"></call-overlay>
      <script type="module" src="${hub}/sdk/teacher-hub.js"></script>`
    : `<main>
        <h1>Example LMS: sign in</h1>
        <form method="post" action="/login">
          <select name="user">${[...USERS]
            .map(([id, { name }]) => `<option value="${escapeHtml(id)}">${escapeHtml(name)} (${id})</option>`)
            .join('')}</select>
          <button>Sign in</button>
        </form>
      </main>`;
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Example LMS</title><link rel="icon" href="data:," />
    <style>:root { --hub-color-accent: #0f766e } body { font: 16px system-ui, sans-serif; margin: 0 } header { display: flex; gap: 1rem;
      align-items: center; padding: .5rem 1rem; background: #0f766e; color: #fff } main { padding: 1rem }
      header form { margin: 0 }</style>
  </head>
  <body>${body}</body>
</html>`);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://lms.invalid');
  try {
    if (request.method === 'GET' && url.pathname === '/lms/hub-token') return hubToken(request, response);
    if (request.method === 'POST' && url.pathname === '/login') {
      const userId = (await formBody(request)).get('user');
      if (!userId || !USERS.has(userId)) return json(response, 400, { error: 'Unknown user.' });
      const sessionId = randomBytes(24).toString('base64url');
      sessions.set(sessionId, userId);
      response.writeHead(303, {
        Location: '/',
        'Set-Cookie': `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`,
      });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === '/logout') {
      sessions.delete(cookies(request)[SESSION_COOKIE]);
      response.writeHead(303, { Location: '/', 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` });
      return response.end();
    }
    if (request.method === 'GET' && url.pathname === '/') {
      return page(response, sessions.get(cookies(request)[SESSION_COOKIE]));
    }
    return json(response, 404, { error: 'Not found.' });
  } catch (error) {
    console.error(error);
    return json(response, 500, { error: 'Something went wrong.' });
  }
});

server.listen(config.port, () => {
  console.log(`Example LMS on http://localhost:${server.address().port} (hub: ${config.hubUrl})`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
