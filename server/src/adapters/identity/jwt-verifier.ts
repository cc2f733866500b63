import { hubTokenIdentitySchema } from '@teacher-hub/protocol';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Principal, TokenVerifier } from '../../domain/identity.ts';
import { hs256Key } from './hs256-key.ts';

/** How much clock skew between the LMS and the hub is forgiven on `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** Verified tokens remembered at most (the oldest is forgotten first). */
const VERIFIED_LIMIT = 10_000;
/**
 * A token verified with a published key is verified again after this long, so a key the host takes out of
 * its JWKS (a leaked key) is not trusted longer than jose's copy of the key set. A shared secret only
 * changes with a restart.
 */
const JWKS_REVERIFY_AFTER_S = 60;

interface Verified {
  principal: Principal;
  /** The `exp` claim, or sooner for JWKS (`JWKS_REVERIFY_AFTER_S`), in seconds. */
  trustUntil: number;
}

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
 *
 * A client sends the same token with every request until it expires, so a token that verified is
 * remembered by its exact text and trusted again until its `exp` (with the same clock tolerance) without
 * the signature work: any other text, a tampered one included, is verified in full.
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const { key, issuer, audience, clock } = options;
  const algorithms = key.kind === 'secret' ? ['HS256'] : [...key.algorithms];
  let verifyJwt: (token: string, checks: JWTVerifyOptions) => Promise<{ payload: unknown }>;
  if (key.kind === 'secret') {
    const secret = hs256Key(key.secret);
    verifyJwt = async (token, checks) => jwtVerify(token, await secret, checks);
  } else {
    const keySet = createRemoteJWKSet(key.url);
    verifyJwt = (token, checks) => jwtVerify(token, keySet, checks);
  }

  const verified = new Map<string, Verified>();
  const remember = (token: string, principal: Principal, payload: { exp?: number }) => {
    const exp = payload.exp ?? 0;
    const nowSeconds = clock.now().getTime() / 1000;
    const trustUntil = key.kind === 'secret' ? exp : Math.min(exp, nowSeconds + JWKS_REVERIFY_AFTER_S);
    if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, trustUntil });
  };

  return {
    async verify(token: string): Promise<Principal> {
      const known = verified.get(token);
      if (known) {
        // jose's rule for `exp`: refused once now - tolerance has reached it.
        if (clock.now().getTime() / 1000 - CLOCK_TOLERANCE_SECONDS < known.trustUntil) {
          return { ...known.principal };
        }
        verified.delete(token);
      }
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
      const principal: Principal = {
        id: identity.data.sub,
        name: identity.data.name,
        role: identity.data.role,
      };
      remember(token, principal, payload as { exp?: number });
      return { ...principal };
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
