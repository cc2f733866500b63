import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HubNetworkError, HubTokenError } from './errors.ts';
import { closedPortUrl, sendJson, startLocalHttpServer, unsignedToken } from './testing/local-http-server.ts';
import type { LocalHttpServer } from './testing/local-http-server.ts';
import { TokenManager, decodeTokenClaims, parseTokenBody } from './token-manager.ts';

/** A host LMS's token endpoint: `/json` answers `{token}`, `/text` the bare token, `/slow` after 50 ms. */
async function startTokenEndpoint(): Promise<LocalHttpServer & { issued: () => number }> {
  let issued = 0;
  const server = await startLocalHttpServer(async (request, response) => {
    if (request.path === '/refuse') return sendJson(response, 403, { error: 'not signed in' });
    if (request.path === '/empty') return void response.end('');
    issued += 1;
    const token = `token-${issued}`;
    if (request.path === '/slow') await new Promise((resolve) => setTimeout(resolve, 50));
    if (request.path === '/text') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      return void response.end(`${token}\n`);
    }
    sendJson(response, 200, { token });
  });
  return Object.assign(server, { issued: () => issued });
}

describe('TokenManager', () => {
  let lms: Awaited<ReturnType<typeof startTokenEndpoint>>;
  before(async () => {
    lms = await startTokenEndpoint();
  });
  after(() => lms.close());

  it('uses a fixed token as is and cannot refresh it', async () => {
    const tokens = new TokenManager({ token: 'fixed' });
    assert.equal(await tokens.getToken(), 'fixed');
    tokens.invalidate('fixed');
    assert.equal(await tokens.getToken(), 'fixed');
    assert.equal(tokens.canRefresh, false);
  });

  it('fetches the token URL with credentials and reads a JSON {token} body', async () => {
    const inits: (RequestInit | undefined)[] = [];
    const tokens = new TokenManager({
      tokenUrl: `${lms.url}/json`,
      fetch: (input, init) => {
        inits.push(init);
        return fetch(input, init);
      },
    });
    const token = await tokens.getToken();
    assert.match(token, /^token-\d+$/);
    assert.equal(inits[0]?.credentials, 'include');
    assert.equal(await tokens.getToken(), token, 'a token without exp is cached');
    assert.equal(inits.length, 1);
  });

  it('reads a plain-text token body', async () => {
    const tokens = new TokenManager({ tokenUrl: `${lms.url}/text` });
    assert.match(await tokens.getToken(), /^token-\d+$/);
  });

  it('shares one fetch between concurrent callers', async () => {
    const before = lms.issued();
    const tokens = new TokenManager({ tokenUrl: `${lms.url}/slow` });
    const results = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    assert.equal(lms.issued() - before, 1);
    assert.equal(new Set(results).size, 1);
  });

  it('fetches a new token a little before the cached one expires', async () => {
    let now = 1_000_000_000_000;
    const iat = now / 1000;
    let calls = 0;
    const tokens = new TokenManager({
      tokenProvider: async () => unsignedToken({ sub: 't-ada', iat, exp: iat + 600, n: ++calls }),
      refreshLeewaySeconds: 30,
      now: () => now,
    });
    const first = await tokens.getToken();
    now += 569_000;
    assert.equal(await tokens.getToken(), first, 'still 31 s to go');
    now += 2_000;
    const second = await tokens.getToken();
    assert.notEqual(second, first, 'within 30 s of exp');
    assert.equal(calls, 2);
  });

  it('plans the refresh from the token lifetime, so a skewed local clock does not refetch every time', async () => {
    const issuerNow = 1_700_000_000; // seconds; the local clock below runs two hours ahead
    let now = (issuerNow + 7200) * 1000;
    let calls = 0;
    const tokens = new TokenManager({
      tokenProvider: async () => unsignedToken({ iat: issuerNow, exp: issuerNow + 300, n: ++calls }),
      now: () => now,
    });
    await tokens.getToken();
    now += 60_000;
    await tokens.getToken();
    assert.equal(calls, 1);
  });

  it('forgets a refused token once, so concurrent 401s for it cause a single refresh', async () => {
    let calls = 0;
    const tokens = new TokenManager({ tokenProvider: async () => `token-${++calls}` });
    const refused = await tokens.getToken();
    tokens.invalidate(refused);
    const fresh = await tokens.getToken();
    tokens.invalidate(refused);
    assert.equal(await tokens.getToken(), fresh);
    assert.equal(calls, 2);
  });

  it('reports a token URL that refuses as a HubTokenError with its status', async () => {
    const tokens = new TokenManager({ tokenUrl: `${lms.url}/refuse` });
    await assert.rejects(tokens.getToken(), (error) => {
      assert.ok(error instanceof HubTokenError);
      assert.equal(error.kind, 'token');
      assert.equal(error.status, 403);
      return true;
    });
  });

  it('reports an empty token body as a HubTokenError', async () => {
    const tokens = new TokenManager({ tokenUrl: `${lms.url}/empty` });
    await assert.rejects(tokens.getToken(), HubTokenError);
  });

  it('reports an unreachable token URL as a HubNetworkError', async () => {
    const tokens = new TokenManager({ tokenUrl: `${await closedPortUrl()}/token` });
    await assert.rejects(
      tokens.getToken(),
      (error) => error instanceof HubNetworkError && error.kind === 'network',
    );
  });

  it('wraps a failing tokenProvider in a HubTokenError that keeps the cause', async () => {
    const cause = new Error('host session expired');
    const tokens = new TokenManager({
      tokenProvider: async () => {
        throw cause;
      },
    });
    await assert.rejects(
      tokens.getToken(),
      (error) => error instanceof HubTokenError && error.cause === cause,
    );
  });

  it('refuses to work without any token source', async () => {
    await assert.rejects(new TokenManager({}).getToken(), HubTokenError);
  });

  it('tries the next fetch again after a failed one', async () => {
    let calls = 0;
    const tokens = new TokenManager({
      tokenProvider: async () => {
        calls += 1;
        if (calls === 1) throw new Error('flaky');
        return 'ok';
      },
    });
    await assert.rejects(tokens.getToken());
    assert.equal(await tokens.getToken(), 'ok');
  });
});

describe('decodeTokenClaims', () => {
  it('reads the payload of a JWT, including non-ASCII names, without verifying it', () => {
    const claims = decodeTokenClaims(unsignedToken({ sub: 's-01', name: 'Zoë Ångström', exp: 42 }));
    assert.deepEqual(claims, { sub: 's-01', name: 'Zoë Ångström', exp: 42 });
  });

  it('returns undefined for something that is not a JWT', () => {
    assert.equal(decodeTokenClaims('opaque-token'), undefined);
    assert.equal(decodeTokenClaims('a.%%%.c'), undefined);
  });
});

describe('parseTokenBody', () => {
  it('accepts {token}, a JSON string and bare text', () => {
    assert.equal(parseTokenBody('{"token":"abc"}'), 'abc');
    assert.equal(parseTokenBody('"abc"'), 'abc');
    assert.equal(parseTokenBody(' abc\n'), 'abc');
  });

  it('rejects bodies without a usable token', () => {
    assert.equal(parseTokenBody(''), undefined);
    assert.equal(parseTokenBody('{"jwt":"abc"}'), undefined);
    assert.equal(parseTokenBody('{broken'), undefined);
    assert.equal(parseTokenBody('<html>sign in</html> please'), undefined);
  });
});
