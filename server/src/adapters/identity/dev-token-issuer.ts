import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import type { Principal, TokenIssuer } from '../../domain/identity.ts';

/** The issuer and audience of dev-mode tokens (what `POST /v1/dev/token` signs and dev mode verifies). */
export const DEV_TOKEN_ISSUER = 'teacher-hub-dev';
export const DEV_TOKEN_AUDIENCE = 'teacher-hub';
export const DEV_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

/** A new random dev signing secret (stored once in the database, so tokens survive a restart). */
export function generateDevTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Signs dev-mode hub tokens, HS256 with the stored dev secret. */
export function createDevTokenIssuer(options: { secret: string; clock: Clock }): TokenIssuer {
  const key = new TextEncoder().encode(options.secret);
  return {
    async issue(principal: Principal) {
      const issuedAt = Math.floor(options.clock.now().getTime() / 1000);
      const expiresAt = issuedAt + DEV_TOKEN_LIFETIME_SECONDS;
      const token = await new SignJWT({ name: principal.name, role: principal.role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(principal.id)
        .setIssuer(DEV_TOKEN_ISSUER)
        .setAudience(DEV_TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },
  };
}
