/**
 * Connections to web push services: HTTP/2 when the origin offers it by ALPN (FCM's web push endpoint, Mozilla
 * autopush and Apple do), one session per origin with the requests multiplexed on it; HTTP/1.1 keep-alive
 * through an `https.Agent` otherwise. One TLS handshake per origin instead of one per socket, and no
 * HTTP/1.1 request building per message, is most of what a fan-out spends besides the encryption.
 */
import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';

export interface PushServiceResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Either an HTTP/2 session or "this origin speaks HTTP/1.1 only". */
type OriginTransport = { kind: 'h2'; session: ClientHttp2Session } | { kind: 'http1' };

export class PushServiceConnections {
  readonly #agent: https.Agent;
  readonly #transports = new Map<string, Promise<OriginTransport>>();
  /** The transports that are open, by origin: a message to one of them is sent without waiting a turn. */
  readonly #open = new Map<string, OriginTransport>();
  #closed = false;

  /** TLS settings (`ca`, client certificates) are taken from `agent`, which also carries HTTP/1.1 requests. */
  constructor(agent: https.Agent) {
    this.#agent = agent;
  }

  /**
   * POSTs `body` to `endpoint` with `headers` (lower-case names, as HTTP/2 wants them); rejects on network
   * errors and on `timeoutMs` of silence (code `ETIMEDOUT`).
   */
  post(
    endpoint: URL,
    headers: Record<string, string | number>,
    body: Buffer | null,
    timeoutMs: number,
  ): Promise<PushServiceResponse> {
    if (this.#closed) {
      return Promise.reject(
        Object.assign(new Error('web push provider is closed'), { code: 'ECONNABORTED' }),
      );
    }
    const open = this.#open.get(endpoint.origin);
    if (open?.kind === 'http1') return postOverHttp1(this.#agent, endpoint, headers, body, timeoutMs);
    if (open && !open.session.closed && !open.session.destroyed) {
      return postOverHttp2(open.session, endpoint, headers, body, timeoutMs);
    }
    return this.#postOnceOpen(endpoint, headers, body, timeoutMs);
  }

  async #postOnceOpen(
    endpoint: URL,
    headers: Record<string, string | number>,
    body: Buffer | null,
    timeoutMs: number,
  ): Promise<PushServiceResponse> {
    let transport = await this.#transportFor(endpoint, timeoutMs);
    if (transport.kind === 'h2' && (transport.session.closed || transport.session.destroyed)) {
      // Ended between its 'close' and our forgetting it: open a new one.
      this.#forget(endpoint.origin, transport);
      transport = await this.#transportFor(endpoint, timeoutMs);
    }
    return transport.kind === 'h2'
      ? postOverHttp2(transport.session, endpoint, headers, body, timeoutMs)
      : postOverHttp1(this.#agent, endpoint, headers, body, timeoutMs);
  }

  /** Ends every HTTP/2 session (requests in flight finish first); the caller destroys its agent. */
  close(): void {
    this.#closed = true;
    for (const transport of this.#transports.values()) {
      void transport.then(
        (current) => {
          if (current.kind === 'h2') current.session.close();
        },
        () => undefined,
      );
    }
    this.#transports.clear();
    this.#open.clear();
  }

  /**
   * Forgets `transport` for `origin` if it is still the one in use there: the next message opens another.
   * Every transport handed out is in `#open` by then (it is put there before any `await` on it resumes).
   */
  #forget(origin: string, transport: OriginTransport): void {
    if (this.#open.get(origin) !== transport) return;
    this.#open.delete(origin);
    this.#transports.delete(origin);
  }

  #transportFor(endpoint: URL, timeoutMs: number): Promise<OriginTransport> {
    const origin = endpoint.origin;
    const existing = this.#transports.get(origin);
    if (existing) return existing;
    const opening = this.#connect(endpoint, timeoutMs);
    this.#transports.set(origin, opening);
    // Registered before any caller's `await`, so a transport is in `#open` before it is used.
    opening.then(
      (transport) => {
        if (!this.#closed && this.#transports.get(origin) === opening) this.#open.set(origin, transport);
      },
      // A failed handshake is not remembered: the next message tries again (and is reported as a retry).
      () => {
        if (this.#transports.get(origin) === opening) this.#transports.delete(origin);
      },
    );
    return opening;
  }

  /** One TLS connection offering h2 and http/1.1: h2 keeps it as the session, http/1.1 hands over to the agent. */
  #connect(endpoint: URL, timeoutMs: number): Promise<OriginTransport> {
    const origin = endpoint.origin;
    const { ca, cert, key, rejectUnauthorized } = this.#agent.options;
    const port = Number(endpoint.port || 443);
    const host = endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    return new Promise<OriginTransport>((resolve, reject) => {
      const socket = tls.connect({
        host,
        port,
        // SNI carries host names only (RFC 6066 §3).
        ...(isIP(host) ? {} : { servername: host }),
        ALPNProtocols: ['h2', 'http/1.1'],
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}),
      });
      socket.once('error', reject);
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })),
      );
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        socket.removeListener('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve({ kind: 'http1' });
          return;
        }
        const session = http2.connect(origin, { createConnection: () => socket });
        const transport: OriginTransport = { kind: 'h2', session };
        const forget = () => this.#forget(origin, transport);
        // After GOAWAY or a broken connection the next message opens a new session; streams in flight fail.
        session.on('goaway', forget);
        session.on('close', forget);
        session.on('error', forget);
        // An idle session must not keep the process alive.
        session.unref();
        resolve(transport);
      });
    });
  }
}

function postOverHttp2(
  session: ClientHttp2Session,
  endpoint: URL,
  headers: Record<string, string | number>,
  body: Buffer | null,
  timeoutMs: number,
): Promise<PushServiceResponse> {
  return new Promise<PushServiceResponse>((resolve, reject) => {
    const requestHeaders: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': endpoint.pathname + endpoint.search,
      ...headers,
    };
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(requestHeaders);
    } catch (error) {
      reject(error as Error);
      return;
    }
    holdOpen(session, +1);
    let status = 0;
    let responseHeaders: PushServiceResponse['headers'] = {};
    // Push services answer 201 with no body; only refusals have one worth reading.
    const responseBody: Buffer[] = [];
    stream.setTimeout(timeoutMs, () => {
      reject(Object.assign(new Error('push service request timed out'), { code: 'ETIMEDOUT' }));
      stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on('response', (incoming) => {
      status = Number(incoming[':status']);
      responseHeaders = incoming;
    });
    stream.on('data', (chunk: Buffer) => {
      responseBody.push(chunk);
    });
    stream.on('error', reject);
    // 'close' follows 'end' and every failure; whichever settles the promise first wins.
    stream.on('close', () => {
      holdOpen(session, -1);
      if (status > 0) {
        const text = responseBody.length > 0 ? Buffer.concat(responseBody).toString('utf8') : '';
        resolve({ status, headers: responseHeaders, body: text });
      } else {
        const error = new Error(`push service stream closed without an answer (code ${stream.rstCode})`);
        reject(Object.assign(error, { code: 'ERR_HTTP2_STREAM_ERROR' }));
      }
    });
    stream.end(body ?? undefined);
  });
}

const streamsInFlight = new WeakMap<ClientHttp2Session, number>();

/** A session keeps the process alive only while it has requests in flight, as an agent's idle sockets do not. */
function holdOpen(session: ClientHttp2Session, change: 1 | -1): void {
  const before = streamsInFlight.get(session) ?? 0;
  const count = before + change;
  streamsInFlight.set(session, count);
  if (session.destroyed) return;
  if (before === 0 && count > 0) session.ref();
  else if (count === 0) session.unref();
}

function postOverHttp1(
  agent: https.Agent,
  endpoint: URL,
  headers: Record<string, string | number>,
  body: Buffer | null,
  timeoutMs: number,
): Promise<PushServiceResponse> {
  return new Promise<PushServiceResponse>((resolve, reject) => {
    const request = https.request(
      endpoint,
      { method: 'POST', headers, agent, timeout: timeoutMs },
      (response) => {
        let responseBody = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          responseBody += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: responseBody }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('push service request timed out'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}
