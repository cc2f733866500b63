import type { CallsApi, HubClient } from '@teacher-hub/core';

export type {
  ActiveCall,
  CallConnection,
  CallError,
  CallErrorCode,
  CallParticipant,
  CallsApi,
  CallsState,
} from '@teacher-hub/core';

/** The client's calls service (`client.calls`), or `undefined` without a client. */
export function callsOf(client: HubClient | undefined): CallsApi | undefined {
  return client?.calls;
}
