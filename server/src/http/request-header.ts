import type { Context, MiddlewareHandler } from 'hono';

/** What @hono/node-server passes as `c.env` for a request it serves; absent for `app.request()`. */
interface NodeBindings {
  incoming?: { httpVersionMajor?: number; rawHeaders?: string[] };
}

/**
 * A request header as `c.req.header(name)` gives it (a repeated header's values joined by ", ", as fetch's
 * `Headers` does), read from Node's raw header lines when @hono/node-server served the request over
 * HTTP/1.1. `c.req.header()` makes @hono/node-server build a whole WHATWG `Headers` from the raw ones first
 * (about 30 µs a request here, most of a token request's middleware cost); the middleware before the
 * route reads only a few headers. Other requests (HTTP/2, `app.request()`) are read through `c.req`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  const raw = incoming?.httpVersionMajor === 1 ? incoming.rawHeaders : undefined;
  if (!raw) return c.req.header(name);
  // The raw lines, as @hono/node-server reads them into `Headers`: name, value, name, value…
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (let index = 0; index < raw.length - 1; index += 2) {
    if ((raw[index] as string).toLowerCase() !== wanted) continue;
    const line = raw[index + 1] as string;
    value = value === undefined ? line : `${value}, ${line}`;
  }
  return value;
}

const REQUEST_ID_HEADER = 'X-Request-Id';
const MAX_REQUEST_ID_LENGTH = 255;

/**
 * Hono's `requestId()` (the same rules: the client's `X-Request-Id` when it is 1–255 characters of
 * `[A-Za-z0-9_=-]`, else a new UUID; set as `requestId` and echoed in the response), reading the header
 * with `requestHeader`.
 */
export function requestIds(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    let id = requestHeader(c, REQUEST_ID_HEADER);
    if (!id || id.length > MAX_REQUEST_ID_LENGTH || /[^\w\-=]/.test(id)) id = crypto.randomUUID();
    c.set('requestId', id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
  };
}
