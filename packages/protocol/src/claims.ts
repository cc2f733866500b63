import { z } from 'zod';
import { idSchema, ROLES, type Role } from './directory.ts';

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

/**
 * The identity claims the hub requires of every hub token, beyond the registered ones (`iss`, `aud`,
 * `exp`) that the verifier checks itself. Other claims are allowed and ignored.
 */
export const hubTokenIdentitySchema = z.object({
  sub: idSchema,
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
});
export type HubTokenIdentity = z.infer<typeof hubTokenIdentitySchema>;
