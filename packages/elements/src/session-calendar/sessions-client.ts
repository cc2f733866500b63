import { decodeTokenClaims } from '@teacher-hub/core';
import type { HubClient } from '@teacher-hub/core';
// `client.sessions` and its types are being added to `@teacher-hub/core`; until its index exports them,
// the types come from the contract file itself (types only: nothing from here reaches the bundle).
import type { SessionsApi, SessionsState } from '../../../core/src/sessions/session-types.ts';

export type { SessionsApi, SessionsState };

/** The client's sessions service (`client.sessions`), or `undefined` without a client or before it exists. */
export function sessionsOf(client: HubClient | undefined): SessionsApi | undefined {
  return (client as { sessions?: SessionsApi } | undefined)?.sessions;
}

/** Who is signed in, as the calendar needs it: the id (owners get the teacher's actions) and the role. */
export interface SignedInUser {
  id: string;
  role: 'teacher' | 'student';
}

/** The signed-in user: from the hub token's claims, else `GET /v1/me`. */
export async function signedInUser(client: HubClient): Promise<SignedInUser> {
  const claims = decodeTokenClaims(await client.tokens.getToken());
  if (claims?.sub && (claims.role === 'teacher' || claims.role === 'student')) {
    return { id: claims.sub, role: claims.role };
  }
  const { user } = await client.api.me();
  return { id: user.id, role: user.role };
}

/** The store key of an occurrence (as `occurrenceKey` in core). */
export const occurrenceKey = (occurrence: { sessionId: string; occurrenceStart: string }): string =>
  `${occurrence.sessionId}|${occurrence.occurrenceStart}`;
