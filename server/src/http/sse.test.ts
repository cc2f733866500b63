import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readSse } from '../testing/sse.ts';
import { sseResponse, type SseWriter } from './sse.ts';

/** A stream's writer as the route got it, for the test to drive. */
interface Opened {
  writer: SseWriter;
  closed: Promise<void>;
}

describe('sseResponse', () => {
  let server: http.Server;
  let origin: string;
  const opened: Array<(value: Opened) => void> = [];
  const nextStream = () => new Promise<Opened>((resolve) => opened.push(resolve));

  const app = new Hono();
  // Headers set before and after the handler, as the hub's request id and CORS middleware do.
  app.use(async (c, next) => {
    c.header('X-Request-Id', 'req-1');
    await next();
    c.header('Vary', 'Origin', { append: true });
  });
  app.get('/stream', (c) => {
    c.header('X-Accel-Buffering', 'no');
    return sseResponse(c, (writer) => {
      const closed = new Promise<void>((resolve) => writer.onClose(resolve));
      writer.write('event: ready\ndata: {}\n\n');
      opened.shift()?.({ writer, closed });
    });
  });

  before(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the headers hono’s streamSSE sends, with the route’s and the middleware’s', async () => {
    const inProcess = await app.request('/stream');
    const viaSocket = nextStream();
    const live = await fetch(`${origin}/stream`);
    const { writer, closed } = await viaSocket;
    try {
      const headers = (response: Response) =>
        [...response.headers].filter(([name]) => name !== 'date' && name !== 'transfer-encoding');
      assert.deepEqual(headers(live), headers(inProcess));
      assert.equal(live.headers.get('content-type'), 'text/event-stream');
      assert.equal(live.headers.get('cache-control'), 'no-cache');
      assert.equal(live.headers.get('connection'), 'keep-alive');
      assert.equal(live.headers.get('x-accel-buffering'), 'no');
      assert.equal(live.headers.get('x-request-id'), 'req-1');
      assert.equal(live.headers.get('vary'), 'Origin');
      assert.equal(live.headers.get('x-hono-already-sent'), null);
    } finally {
      writer.close();
      await closed;
      await inProcess.body?.cancel();
    }
  });

  it('sends what is written, in order, over a chunked HTTP/1.1 response', async () => {
    const opening = nextStream();
    const raw = await new Promise<http.IncomingMessage>((resolve) => http.get(`${origin}/stream`, resolve));
    const { writer, closed } = await opening;
    assert.equal(raw.headers['transfer-encoding'], 'chunked');
    const body = (async () => {
      let text = '';
      for await (const chunk of raw) text += String(chunk);
      return text;
    })();
    const expected = ['event: ready\ndata: {}\n\n'];
    for (let index = 0; index < 500; index += 1) {
      const message = `event: n\ndata: ${index}\nid: ${index}\n\n`;
      expected.push(message);
      if (!writer.write(index % 2 ? new TextEncoder().encode(message) : message)) await writer.drained();
    }
    writer.close();
    await closed;
    assert.equal(await body, expected.join(''));
  });

  it('closes the stream when the client goes away', async () => {
    const opening = nextStream();
    const abort = new AbortController();
    const response = await fetch(`${origin}/stream`, { signal: abort.signal });
    const { writer, closed } = await opening;
    const stream = readSse(response);
    await stream.next('ready');
    assert.equal(writer.closed, false);
    abort.abort();
    await closed;
    assert.equal(writer.closed, true);
    assert.equal(writer.write('event: late\ndata: {}\n\n'), false);
    await writer.drained();
  });

  it('holds writes while a slow client is not reading, and resumes when it reads', async () => {
    const opening = nextStream();
    const raw = await new Promise<http.IncomingMessage>((resolve) => http.get(`${origin}/stream`, resolve));
    raw.pause();
    const { writer, closed } = await opening;
    const chunk = 'data: ' + 'x'.repeat(64 * 1024 - 8) + '\n\n';
    let written = 0;
    // Our buffer empties into the kernel's while that has room; once both are full, `drained()` must wait
    // for the client, long before 64 MB, or a client that stops reading would grow the server's memory
    // without bound.
    let draining: Promise<void> | undefined;
    while (!draining) {
      assert.ok(written * chunk.length < 64 * 1024 * 1024, 'the stream never waited for the client');
      written += 1;
      if (writer.write(chunk)) continue;
      const waiting = writer.drained();
      const settled = await Promise.race([
        waiting.then(() => true),
        new Promise<false>((resolve) => setTimeout(resolve, 500, false)),
      ]);
      if (!settled) draining = waiting;
    }
    assert.equal(writer.write(chunk), false, 'write has room while the client is not reading');
    written += 1;
    let received = 0;
    raw.on('data', (data: Buffer) => {
      received += data.length;
    });
    raw.resume();
    await draining;
    assert.equal(writer.closed, false);
    writer.close();
    await closed;
    if (!raw.complete) await once(raw, 'end');
    assert.equal(received, Buffer.byteLength('event: ready\ndata: {}\n\n') + written * chunk.length);
  });

  it('falls back to hono’s web stream where there is no Node response (app.request)', async () => {
    const opening = nextStream();
    const response = await app.request('/stream');
    const { writer, closed } = await opening;
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const stream = readSse(response);
    await stream.next('ready');
    writer.write('event: one\ndata: 1\n\n');
    writer.write('event: two\ndata: 2\n\n');
    await writer.drained();
    assert.equal((await stream.next()).event, 'one');
    assert.equal((await stream.next()).event, 'two');
    await stream.close();
    await closed;
    assert.equal(writer.closed, true);
  });
});
