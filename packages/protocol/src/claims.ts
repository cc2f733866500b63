import type { Role } from './directory.ts';

/** The claims of a hub token, as the host LMS signs them. */
export interface HubTokenClaims {
  sub: string;
  name: string;
  role: Role;
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
  nbf?: number;
}
