/**
 * The mesh's join token: an HS256 JWT the hub signs in `MeshVideoProvider.grant` and the relay checks when
 * the WebSocket opens (`?token=`). Claims: `sub` (user id), `name`, `role` (`teacher` | `student`), `room`,
 * `aud` (`teacher-hub:mesh`, so no other token signed with the same key opens a room), `iat`, `exp`.
 */
import { jwtVerify } from 'jose';
import { z } from 'zod';
import { ROLES, type Role } from '@teacher-hub/protocol';
import type { Clock } from '../../domain/clock.ts';
import { hs256Key } from '../identity/hs256-key.ts';
import { signHs256 } from '../identity/hs256-sign.ts';

/**
 * The default lifetime (`HUB_MESH_TOKEN_TTL_S`): long enough to open the socket and reconnect after a short
 * drop. The SDK asks `POST /v1/calls/:id/join` (or the session's join) for a fresh grant before it runs out,
 * so a longer lesson reconnects with a new one (and the hub re-checks that the call is open and the user a
 * member each time).
 */
export const MESH_TOKEN_TTL_S = 2 * 60 * 60;
export const MESH_TOKEN_AUDIENCE = 'teacher-hub:mesh';
/** HS256 keys shorter than the hash are weak (RFC 7518 3.2). */
export const MESH_SECRET_MIN_BYTES = 32;

export interface MeshTokenClaims {
  userId: string;
  name: string;
  role: Role;
  roomId: string;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().max(200),
  role: z.enum(ROLES),
  room: z.string().min(1).max(200),
});

/** Throws when the key is too short to sign mesh tokens with. */
export function assertMeshSecret(secret: Uint8Array): void {
  if (secret.byteLength < MESH_SECRET_MIN_BYTES) {
    throw new Error(`The mesh token secret must be at least ${MESH_SECRET_MIN_BYTES} bytes`);
  }
}

export async function signMeshToken(
  secret: Uint8Array,
  clock: Clock,
  claims: MeshTokenClaims,
  ttlSeconds: number = MESH_TOKEN_TTL_S,
): Promise<string> {
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  return signHs256(
    {
      name: claims.name,
      role: claims.role,
      room: claims.roomId,
      sub: claims.userId,
      aud: MESH_TOKEN_AUDIENCE,
      iat: nowSeconds,
      exp: nowSeconds + ttlSeconds,
    },
    secret,
  );
}

/** The token's claims; throws when it is not an unexpired HS256 mesh token signed with `secret`. */
export async function verifyMeshToken(
  token: string,
  secret: Uint8Array,
  clock: Clock,
): Promise<MeshTokenClaims> {
  const { payload } = await jwtVerify(token, await hs256Key(secret), {
    algorithms: ['HS256'],
    audience: MESH_TOKEN_AUDIENCE,
    currentDate: clock.now(),
    requiredClaims: ['sub', 'iat', 'exp'],
  });
  const claims = claimsSchema.parse(payload);
  return { userId: claims.sub, name: claims.name, role: claims.role, roomId: claims.room };
}
