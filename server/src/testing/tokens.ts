import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface TestClaims extends JWTPayload {
  sub?: string;
  name?: string;
  role?: string;
}

/** Signs a hub token with HS256 as a host LMS would; every claim can be overridden or removed (`undefined`). */
export async function signWithSecret(
  secret: string,
  claims: TestClaims,
  header: { alg?: string; typ?: string } = {},
): Promise<string> {
  return new SignJWT(withoutUndefined(claims))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(new TextEncoder().encode(secret));
}

/** Standard claims for `sub`, valid for an hour from `now`; spread overrides over it. */
export function claimsFor(
  user: { id: string; name: string; role: string },
  options: { issuer: string; audience: string; now?: Date },
): TestClaims {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return {
    sub: user.id,
    name: user.name,
    role: user.role,
    iss: options.issuer,
    aud: options.audience,
    iat: now,
    exp: now + 3600,
  };
}

/** An unsigned token (`alg: none`), which no hub may accept. */
export function unsecuredToken(claims: TestClaims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(withoutUndefined(claims))}.`;
}

/** Flips one character of the signature. */
export function tamperSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  return `${header}.${payload}.${flipped}`;
}

/** Changes the payload (a different `sub`) but keeps the original signature. */
export function tamperPayload(token: string, changes: TestClaims): string {
  const [header, payload = '', signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as TestClaims;
  const forged = Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

function withoutUndefined(claims: TestClaims): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

export interface TestKeyPair {
  kid: string;
  alg: string;
  sign(claims: TestClaims): Promise<string>;
  publicJwk: JWK;
}

export async function createKeyPair(alg: 'RS256' | 'ES256', kid: string): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk,
    sign: (claims) =>
      new SignJWT(withoutUndefined(claims)).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey),
  };
}

/** A host LMS's key set, served over real HTTP from 127.0.0.1. */
export async function serveJwks(
  keys: TestKeyPair[],
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
