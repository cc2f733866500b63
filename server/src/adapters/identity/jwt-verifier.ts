import { createSecretKey } from 'node:crypto';
import { hubTokenIdentitySchema } from '@teacher-hub/protocol';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Principal, TokenVerifier } from '../../domain/identity.ts';

/** How much clock skew between the LMS and the hub is forgiven on `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;

export type VerificationKey =
  /** A shared secret; the algorithm is pinned to HS256. */
  | { kind: 'secret'; secret: string }
  /** The host's public keys, fetched (and cached) from its JWKS URL; only the pinned algorithms pass. */
  | { kind: 'jwks'; url: URL; algorithms: readonly string[] };

export interface JwtVerifierOptions {
  key: VerificationKey;
  issuer: string;
  audience: string;
  clock: Clock;
}

/**
 * Verifies hub tokens with jose: signature with the pinned algorithm (so `alg: none` and algorithm
 * confusion fail), `iss`, `aud`, `exp` (required) and `nbf`, then the identity claims `sub`, `name`, `role`.
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const { key, issuer, audience, clock } = options;
  const algorithms = key.kind === 'secret' ? ['HS256'] : [...key.algorithms];
  let verifyJwt: (token: string, checks: JWTVerifyOptions) => Promise<{ payload: unknown }>;
  if (key.kind === 'secret') {
    // A KeyObject made once: handed raw bytes, jose would import the key again on every verify.
    const secret = createSecretKey(Buffer.from(key.secret, 'utf8'));
    verifyJwt = (token, checks) => jwtVerify(token, secret, checks);
  } else {
    const keySet = createRemoteJWKSet(key.url);
    verifyJwt = (token, checks) => jwtVerify(token, keySet, checks);
  }

  return {
    async verify(token: string): Promise<Principal> {
      let payload: unknown;
      try {
        const checks: JWTVerifyOptions = {
          algorithms,
          issuer,
          audience,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: clock.now(),
        };
        payload = (await verifyJwt(token, checks)).payload;
      } catch (error) {
        throw translate(error, key.kind);
      }
      const identity = hubTokenIdentitySchema.safeParse(payload);
      if (!identity.success) {
        const claims = [...new Set(identity.error.issues.map((issue) => String(issue.path[0])))];
        throw new ApiError(
          'UNAUTHENTICATED',
          `The token's ${claims.join(', ')} claim is missing or invalid.`,
        );
      }
      return { id: identity.data.sub, name: identity.data.name, role: identity.data.role };
    },
  };
}

/** Turns jose's failures into the contract's errors: the caller's token is at fault (401) unless the key set is unreachable (503). */
function translate(error: unknown, keyKind: VerificationKey['kind']): ApiError {
  if (error instanceof errors.JWTExpired) return new ApiError('UNAUTHENTICATED', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      return new ApiError('UNAUTHENTICATED', `The token has no ${error.claim} claim.`);
    return error.claim === 'nbf'
      ? new ApiError('UNAUTHENTICATED', 'The token is not valid yet (nbf).')
      : new ApiError('UNAUTHENTICATED', `The token's ${error.claim} claim is not accepted.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new ApiError('UNAUTHENTICATED', 'The token is signed with an algorithm this hub does not accept.');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new ApiError('UNAUTHENTICATED', 'The token is signed with a key this hub does not know.');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new ApiError('UNAUTHENTICATED', 'The token signature is not valid.');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new ApiError('UNAUTHENTICATED', 'The token is malformed.');
  }
  if (keyKind === 'jwks' && !(error instanceof errors.JWKInvalid)) {
    // The key set could not be fetched or read (timeout, network, non-200, bad JSON): not the caller's fault.
    return new ApiError('UNAVAILABLE', 'The token could not be verified: the key set is unavailable.');
  }
  return new ApiError('UNAUTHENTICATED', 'The token could not be verified.');
}
