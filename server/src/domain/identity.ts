import type { Role } from '@teacher-hub/protocol';

/** Who is calling: the verified claims of a hub token. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
}

/**
 * Verifies a hub token and returns its principal. Implementations throw `ApiError('UNAUTHENTICATED')` for
 * any token that is not valid (and `ApiError('UNAVAILABLE')` when the key set cannot be fetched).
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Signs hub tokens; only dev mode has one (the host LMS signs tokens in production). */
export interface TokenIssuer {
  issue(principal: Principal): Promise<{ token: string; expiresAt: Date }>;
}
