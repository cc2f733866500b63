import type { Principal } from '../domain/identity.ts';

/** What every request carries: its id (echoed as `X-Request-Id` and in every error body). */
export interface PublicEnv {
  Variables: { requestId: string };
}

/** A request that passed `requireUser`: it also carries the caller. */
export interface UserEnv {
  Variables: { requestId: string; principal: Principal };
}
