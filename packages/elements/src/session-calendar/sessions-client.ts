import { decodeTokenClaims } from '@teacher-hub/core';
import type { HubClient, SessionsApi } from '@teacher-hub/core';

export { occurrenceKey } from '@teacher-hub/core';
export type { SessionsApi, SessionsState } from '@teacher-hub/core';

/** The client's sessions service (`client.sessions`), or `undefined` without a client. */
export function sessionsOf(client: HubClient | undefined): SessionsApi | undefined {
  return client?.sessions;
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
