import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { openLoop } from './open-loop.ts';

/** A server that holds every answer due in [holdFrom, holdUntil) ms after it starts until holdUntil. */
async function holdingServer(holdFrom: number, holdUntil: number) {
  const started = performance.now();
  const paths: string[] = [];
  let connections = 0;
  const server = http.createServer((request, response) => {
    paths.push(request.url ?? '');
    const at = performance.now() - started;
    const status = request.url === '/fail' ? 500 : 200;
    const answer = () => response.writeHead(status).end('{}');
    if (at >= holdFrom && at < holdUntil) setTimeout(answer, holdUntil - at);
    else answer();
  });
  server.on('connection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('openLoop', () => {
  it('keeps sending on schedule while answers are held, and counts the wait from each scheduled time', async () => {
    const server = await holdingServer(300, 500);
    try {
      const result = await openLoop(
        server.url,
        [[{ method: 'POST', path: '/a' }], [{ method: 'POST', path: '/b' }]],
        { rate: 200, seconds: 1, connections: 8, connect: { method: 'GET', path: '/open' } },
      );
      assert.equal(result.failures, 0);
      // The pool was opened first, one request per connection, and no connection was added under the hold.
      assert.equal(server.paths.filter((path) => path === '/open').length, 8);
      assert.deepEqual(server.paths.slice(0, 8), Array(8).fill('/open'));
      assert.equal(server.connections(), 8, 'every request went over the eight pooled connections');
      assert.equal(result.latencies.flat().length, 200, 'every scheduled request answered once');
      // The groups take turns (the server may see them in another order: several connections).
      assert.equal(server.paths.filter((path) => path === '/a').length, 100);
      assert.equal(result.latencies[0]?.length, 100);
      assert.equal(result.latencies[1]?.length, 100);
      // The first request held (scheduled near 300 ms) waited about 200 ms; a closed loop would have sent
      // nothing more meanwhile and hidden the wait of the others that were due.
      assert.ok(result.max >= 150, `the longest wait (${result.max.toFixed(0)} ms) includes the hold`);
      // The twenty scheduled in the first half of the hold waited at least 100 ms each.
      const held = result.latencies.flat().filter((latency) => latency >= 100).length;
      assert.ok(held >= 15, `${held} requests were due during the hold and waited`);
      assert.ok(result.p50 < 100, `most did not wait (p50 ${result.p50.toFixed(1)} ms)`);
    } finally {
      await server.close();
    }
  });

  it('counts an answer that is not 2xx as a failure, not a latency', async () => {
    const server = await holdingServer(0, 0);
    try {
      const result = await openLoop(
        server.url,
        [[{ method: 'GET', path: '/ok' }], [{ method: 'GET', path: '/fail' }]],
        { rate: 100, seconds: 0.2, connections: 2 },
      );
      assert.equal(result.failures, 10);
      assert.equal(result.latencies[0]?.length, 10);
      assert.equal(result.latencies[1]?.length, 0);
      // The pool opened with the first group's first request.
      assert.equal(server.paths.filter((path) => path === '/ok').length, 10 + 2);
    } finally {
      await server.close();
    }
  });
});

describe('openLoop pool', () => {
  it('refuses to start when opening the pool is not answered 2xx', async () => {
    const server = await holdingServer(0, 0);
    try {
      await assert.rejects(
        openLoop(server.url, [[{ method: 'GET', path: '/ok' }]], {
          rate: 10,
          seconds: 0.1,
          connections: 2,
          connect: { method: 'GET', path: '/fail' },
        }),
        /opening the pool: GET \/fail did not answer 2xx/,
      );
      assert.ok(!server.paths.includes('/ok'), 'nothing was measured');
    } finally {
      await server.close();
    }
  });
});
