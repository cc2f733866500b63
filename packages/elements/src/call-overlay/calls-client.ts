import type { HubClient } from '@teacher-hub/core';
import type { CallsApi } from '../../../core/src/calls/call-types.ts';

// The calls types come straight from core's source until `@teacher-hub/core` exports them; then these
// re-exports (and `callsOf`) become `import type { … } from '@teacher-hub/core'` and `client.calls`.
export type {
  ActiveCall,
  CallConnection,
  CallError,
  CallErrorCode,
  CallParticipant,
  CallsApi,
  CallsState,
} from '../../../core/src/calls/call-types.ts';

/** The client's calls service (`client.calls`), or `undefined` for a client without one. */
export function callsOf(client: HubClient | undefined): CallsApi | undefined {
  return (client as { calls?: CallsApi } | undefined)?.calls;
}
