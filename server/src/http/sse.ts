import { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';

/**
 * Where a Server-Sent Events stream writes. `write` says, as a Node stream does, whether the client's buffer
 * has room for more: when it answers `false`, wait for `drained()` before writing again, so a slow client
 * holds at most one buffer of bytes on the server.
 */
export interface SseWriter {
  write(chunk: string | Uint8Array): boolean;
  /** Resolves when the client's buffer has room again, or the stream has closed. */
  drained(): Promise<void>;
  readonly closed: boolean;
  /** Called once, when the client goes away or `close()` ends the stream. */
  onClose(listener: () => void): void;
  close(): void;
}

/** What @hono/node-server passes as `c.env`; absent for in-process requests (`app.request()`). */
interface NodeBindings {
  outgoing?: unknown;
}

/** The header by which @hono/node-server leaves a response alone that the handler has written itself. */
const ALREADY_SENT = 'x-hono-already-sent';

/**
 * Answers with an SSE stream and calls `start` with its writer. On @hono/node-server (HTTP/1) the stream
 * is written straight to Node's response; hono's `streamSSE` (a TransformStream read into a ReadableStream
 * that the adapter pumps into the response) cost about 140 µs of CPU per event per stream, which a fan-out
 * to 1,000 clients pays 1,000 times. Elsewhere (`app.request()`, HTTP/2, other runtimes) `streamSSE` it is.
 * The headers are the same either way: those of `streamSSE`, the route's and the middleware's.
 */
export function sseResponse(c: Context, start: (writer: SseWriter) => void): Response {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (!(outgoing instanceof ServerResponse)) {
    return streamSSE(c, (stream) => {
      const writer = new WebStreamSseWriter(stream);
      start(writer);
      return writer.ended;
    });
  }
  // As `streamSSE` sets them, over what the route set.
  c.header('Transfer-Encoding', 'chunked');
  c.header('Content-Type', 'text/event-stream');
  c.header('Cache-Control', 'no-cache');
  c.header('Connection', 'keep-alive');
  c.header(ALREADY_SENT, 'true');
  const response = c.body(null, 200);
  // Middleware may still add headers after the handler returns (CORS appends `Vary`): the head is written
  // once the app has answered, from the response it answered with, as the adapter would have written it.
  setImmediate(() => {
    const answered = c.res;
    // An error handler replaced the answer (the adapter sent that one), or the client has already gone.
    if (!answered.headers.has(ALREADY_SENT) || outgoing.destroyed || outgoing.headersSent) return;
    outgoing.writeHead(answered.status, outgoingHeaders(answered.headers));
    outgoing.flushHeaders();
    const writer = new NodeSseWriter(outgoing);
    try {
      start(writer);
    } catch (error) {
      // As `streamSSE` does with an error of its callback: logged, and the stream ends.
      console.error(error);
      writer.close();
    }
  });
  return response;
}

/** A response's headers as @hono/node-server hands them to `writeHead` (so the bytes are the same). */
function outgoingHeaders(headers: Headers): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  const cookies: string[] = [];
  for (const [name, value] of headers) {
    if (name === ALREADY_SENT) continue;
    if (name === 'set-cookie') cookies.push(value);
    else record[name] = value;
  }
  if (cookies.length > 0) record['set-cookie'] = cookies;
  return record;
}

abstract class ClosingWriter {
  #closed = false;
  #listeners: Array<() => void> = [];

  get closed(): boolean {
    return this.#closed;
  }

  onClose(listener: () => void): void {
    if (this.#closed) queueMicrotask(listener);
    else this.#listeners.push(listener);
  }

  protected finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}

/** Writes to Node's response; the client going away (its socket closing) closes the stream. */
export class NodeSseWriter extends ClosingWriter implements SseWriter {
  #draining: Promise<void> | undefined;

  constructor(private readonly outgoing: ServerResponse) {
    super();
    outgoing.once('close', () => this.finish());
    // A write to a socket that failed ends in 'close' as well; without a listener 'error' would throw.
    outgoing.on('error', () => this.finish());
    if (outgoing.destroyed) this.finish();
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return false;
    return this.outgoing.write(chunk);
  }

  drained(): Promise<void> {
    if (this.closed || !this.outgoing.writableNeedDrain) return Promise.resolve();
    this.#draining ??= new Promise<void>((resolve) => {
      const done = () => {
        this.outgoing.off('drain', done);
        this.outgoing.off('close', done);
        this.#draining = undefined;
        resolve();
      };
      this.outgoing.on('drain', done);
      this.outgoing.on('close', done);
    });
    return this.#draining;
  }

  close(): void {
    if (this.closed) return;
    this.outgoing.end();
    this.finish();
  }
}

/** Writes through hono's `streamSSE` (in-process requests, tests, HTTP/2). */
class WebStreamSseWriter extends ClosingWriter implements SseWriter {
  #written: Promise<unknown> = Promise.resolve();
  #end: () => void = () => {};
  /** Settles when the stream is to end (`streamSSE` then closes it). */
  readonly ended = new Promise<void>((resolve) => {
    this.#end = resolve;
  });

  constructor(private readonly stream: SSEStreamingApi) {
    super();
    stream.onAbort(() => this.close());
  }

  /** Each write waits for the one before; the answer is always "wait for `drained()`". */
  write(chunk: string | Uint8Array): boolean {
    if (!this.closed) this.#written = this.stream.write(chunk);
    return false;
  }

  drained(): Promise<void> {
    return this.#written.then(() => undefined);
  }

  close(): void {
    this.#end();
    this.finish();
  }
}
