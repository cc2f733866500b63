export { HubClient } from './hub-client.ts';
export type { HubClientOptions } from './hub-client.ts';
export { HubApi, HTTP_METHODS } from './api.ts';
export type { HttpMethod, RequestOptions } from './api.ts';
export { TokenManager, decodeTokenClaims, parseTokenBody } from './token-manager.ts';
export type { FetchLike, TokenManagerOptions, TokenProvider } from './token-manager.ts';
export {
  HUB_ERROR_KINDS,
  HubApiError,
  HubError,
  HubNetworkError,
  HubTokenError,
  isAbortError,
  isHubError,
} from './errors.ts';
export type { HubErrorKind } from './errors.ts';
export { createStore, shallowEqual } from './store.ts';
export type { Equals, Listener, Selector, StateUpdate, Store } from './store.ts';
export { LOAD_STATUSES, Resource } from './resource.ts';
export type { LoadStatus, ResourceState } from './resource.ts';
export { rosterPeople } from './roster.ts';
export type { Me, Person, Roster, RosterCourse } from '@teacher-hub/protocol';
