import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ErrorBody, Roster } from '@teacher-hub/protocol';
import { HubApiError, HubNetworkError, HubTokenError } from './errors.ts';
import { HubClient } from './hub-client.ts';
import { closedPortUrl, sendJson, startLocalHttpServer } from './testing/local-http-server.ts';
import type { LocalHttpServer } from './testing/local-http-server.ts';

const ROSTER: Roster = {
  courses: [
    { id: 'algebra-1', name: 'Algebra I', students: [{ id: 's-01', name: 'Amara Okafor' }] },
    { id: 'biology-1', name: 'Biology', students: [{ id: 's-04', name: 'Diego Ramírez' }] },
  ],
};

function errorBody(code: string, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } as ErrorBody['error'] };
}

/**
 * A stand-in for the hub's HTTP surface, over real HTTP: it accepts the bearer tokens in `validTokens`,
 * answers 401 in the contract's error body otherwise, and lets a test script odd answers.
 */
describe('HubClient against an HTTP peer', () => {
  let hub: LocalHttpServer;
  const validTokens = new Set<string>();
  let rosterDelayMs = 0;
  let rosterFailures = 0;

  before(async () => {
    hub = await startLocalHttpServer(async (request, response) => {
      const token = request.headers.authorization?.replace(/^Bearer /, '');
      if (!token || !validTokens.has(token)) {
        return sendJson(response, 401, errorBody('UNAUTHENTICATED', 'Invalid token.', 'req-401'));
      }
      const path = request.path.replace(/^\/prefix/, '');
      if (path === '/v1/me')
        return sendJson(response, 200, { user: { id: 't-ada', name: 'Ada', role: 'teacher' } });
      if (path === '/v1/roster') {
        await new Promise((resolve) => setTimeout(resolve, rosterDelayMs));
        if (rosterFailures > 0) {
          rosterFailures -= 1;
          return sendJson(response, 503, errorBody('UNAVAILABLE', 'Try again.', 'req-503'));
        }
        return sendJson(response, 200, ROSTER);
      }
      if (path === '/v1/invalid') {
        return sendJson(response, 400, {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Invalid body.',
            requestId: 'req-400',
            details: [{ path: 'name', message: 'Required' }],
          },
        });
      }
      if (path === '/v1/proxy-error') {
        response.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req-502' });
        return void response.end('<html>Bad gateway</html>');
      }
      if (path.startsWith('/v1/echo')) return sendJson(response, 200, { path, body: request.body });
      if (path === '/v1/nothing') return void response.writeHead(204).end();
      sendJson(response, 404, errorBody('NOT_FOUND', 'No such route.', 'req-404'));
    });
  });
  after(() => hub.close());
  beforeEach(() => {
    hub.requests.length = 0;
    validTokens.clear();
    rosterDelayMs = 0;
    rosterFailures = 0;
  });

  describe('a 401 from the hub', () => {
    it('refreshes the token once and retries the call with the fresh one', async () => {
      validTokens.add('fresh');
      const issued = ['expired', 'fresh'];
      const client = new HubClient({
        server: hub.url,
        tokenProvider: async () => issued.shift() ?? 'unexpected',
      });

      const me = await client.api.me();

      assert.equal(me.user.id, 't-ada');
      assert.deepEqual(
        hub.requests.map((request) => request.headers.authorization),
        ['Bearer expired', 'Bearer fresh'],
      );
    });

    it('surfaces the second 401 as a HubApiError instead of retrying again', async () => {
      let provided = 0;
      const client = new HubClient({ server: hub.url, tokenProvider: async () => `bad-${++provided}` });

      await assert.rejects(client.api.me(), (error) => {
        assert.ok(error instanceof HubApiError);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'UNAUTHENTICATED');
        assert.equal(error.requestId, 'req-401');
        return true;
      });
      assert.equal(provided, 2);
      assert.equal(hub.requests.length, 2);

      validTokens.add('bad-3');
      await client.api.me();
      assert.equal(provided, 3, 'the next call fetches a fresh token instead of resending the refused one');
      assert.equal(hub.requests.length, 3);
    });

    it('is not retried with a fixed token, which cannot be refreshed', async () => {
      const client = new HubClient({ server: hub.url, token: 'stale' });
      await assert.rejects(client.api.me(), HubApiError);
      assert.equal(hub.requests.length, 1);
    });

    it('starts from a given token and refreshes through the token URL', async () => {
      const lms = await startLocalHttpServer((_request, response) =>
        sendJson(response, 200, { token: 'from-lms' }),
      );
      try {
        validTokens.add('from-lms');
        const client = new HubClient({ server: hub.url, token: 'inline', tokenUrl: `${lms.url}/hub-token` });
        await client.api.me();
        assert.equal(lms.requests.length, 1);
        assert.deepEqual(
          hub.requests.map((request) => request.headers.authorization),
          ['Bearer inline', 'Bearer from-lms'],
        );
      } finally {
        await lms.close();
      }
    });

    it('leads to one refresh when several calls are refused at once', async () => {
      validTokens.add('fresh');
      let provided = 0;
      const client = new HubClient({
        server: hub.url,
        tokenProvider: async () => (++provided === 1 ? 'expired' : 'fresh'),
      });
      await Promise.all([client.api.me(), client.api.me(), client.api.me()]);
      assert.equal(provided, 2);
    });
  });

  describe('errors', () => {
    it('carries status, code, message, requestId and details from the contract error body', async () => {
      validTokens.add('ok');
      const client = new HubClient({ server: hub.url, token: 'ok' });
      await assert.rejects(client.api.request('POST', '/v1/invalid', {}), (error) => {
        assert.ok(error instanceof HubApiError);
        assert.equal(error.kind, 'api');
        assert.equal(error.status, 400);
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.equal(error.message, 'Invalid body.');
        assert.equal(error.requestId, 'req-400');
        assert.deepEqual(error.details, [{ path: 'name', message: 'Required' }]);
        assert.equal(error.endpoint, 'POST /v1/invalid');
        return true;
      });
    });

    it('derives the code from the status when the body is not the contract one', async () => {
      validTokens.add('ok');
      const client = new HubClient({ server: hub.url, token: 'ok' });
      await assert.rejects(client.api.request('GET', '/v1/proxy-error'), (error) => {
        assert.ok(error instanceof HubApiError);
        assert.equal(error.status, 502);
        assert.equal(error.code, 'INTERNAL');
        assert.equal(error.requestId, 'req-502');
        return true;
      });
    });

    it('reports an unreachable hub as a HubNetworkError', async () => {
      const client = new HubClient({ server: await closedPortUrl(), token: 'ok' });
      await assert.rejects(
        client.api.me(),
        (error) => error instanceof HubNetworkError && error.kind === 'network',
      );
    });

    it('reports a missing token source as a HubTokenError before calling the hub', async () => {
      const client = new HubClient({ server: hub.url });
      await assert.rejects(client.api.me(), HubTokenError);
      assert.equal(hub.requests.length, 0);
    });

    it('passes an abort through as the AbortError it is', async () => {
      validTokens.add('ok');
      rosterDelayMs = 200;
      const client = new HubClient({ server: hub.url, token: 'ok' });
      const controller = new AbortController();
      const call = client.api.roster({ signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(call, (error) => (error as Error).name === 'AbortError');
    });
  });

  describe('requests', () => {
    it('joins a server URL with a path prefix and trailing slash, a query and a JSON body', async () => {
      validTokens.add('ok');
      const client = new HubClient({ server: `${hub.url}/prefix/`, token: 'ok' });
      const echo = await client.api.request<{ path: string; body: string }>(
        'POST',
        '/v1/echo',
        { name: 'Group' },
        { query: { limit: 10, before: undefined, q: 'a b' } },
      );
      assert.equal(echo.path, '/v1/echo?limit=10&q=a+b');
      assert.equal(echo.body, '{"name":"Group"}');
      assert.equal(hub.requests[0]?.headers['content-type'], 'application/json');
    });

    it('resolves a 204 to undefined', async () => {
      validTokens.add('ok');
      const client = new HubClient({ server: hub.url, token: 'ok' });
      assert.equal(await client.api.request('DELETE', '/v1/nothing'), undefined);
    });
  });

  describe('client.roster', () => {
    it('lets concurrent loads share one GET /v1/roster and keeps the result', async () => {
      validTokens.add('ok');
      rosterDelayMs = 30;
      const client = new HubClient({ server: hub.url, token: 'ok' });
      const statuses: string[] = [];
      client.roster.store.subscribe(
        (state) => state.status,
        (status) => statuses.push(status),
      );

      const [a, b, c] = await Promise.all([client.roster.load(), client.roster.load(), client.roster.load()]);
      await client.roster.load();

      assert.deepEqual(a, ROSTER);
      assert.equal(a, b);
      assert.equal(b, c);
      assert.equal(hub.requests.length, 1);
      assert.deepEqual(statuses, ['loading', 'ready']);
      assert.deepEqual(client.roster.state, { status: 'ready', data: ROSTER, error: undefined });
    });

    it('records an error, then loads again on the next load()', async () => {
      validTokens.add('ok');
      rosterFailures = 1;
      const client = new HubClient({ server: hub.url, token: 'ok' });

      await assert.rejects(client.roster.load(), HubApiError);
      assert.equal(client.roster.state.status, 'error');
      assert.equal((client.roster.state.error as HubApiError).code, 'UNAVAILABLE');

      assert.deepEqual(await client.roster.load(), ROSTER);
      assert.equal(client.roster.state.status, 'ready');
      assert.equal(client.roster.state.error, undefined);
    });

    it('fetches again on reload() and keeps the old data while it runs', async () => {
      validTokens.add('ok');
      const client = new HubClient({ server: hub.url, token: 'ok' });
      await client.roster.load();
      const reloading = client.roster.reload();
      assert.equal(client.roster.state.status, 'loading');
      assert.deepEqual(client.roster.state.data, ROSTER);
      await reloading;
      assert.equal(hub.requests.length, 2);
    });
  });
});
