export { HubClient } from './hub-client.ts';
export type { HubClientOptions } from './hub-client.ts';
export { HubApi, HTTP_METHODS } from './api.ts';
export type {
  HttpMethod,
  MarkReadResponse,
  NotificationPageQuery,
  RequestOptions,
  TestNotificationResponse,
} from './api.ts';
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
export type { LoadStatus, ResourceOptions, ResourceState } from './resource.ts';
export { MemoryHubCache, toPlainData } from './cache/hub-cache.ts';
export type { HubCache } from './cache/hub-cache.ts';
export { HUB_CACHE_DATABASE, IdbHubCache } from './cache/idb-cache.ts';
export { CACHE_MAX_AGE_MS, CACHE_NAMES, CACHE_SCHEMA_VERSION, ClientCache } from './cache/client-cache.ts';
export type { CacheEnvelope, CacheName, CacheSlot, ClientCacheOptions } from './cache/client-cache.ts';
export { rosterPeople } from './roster.ts';
export type { Me, Person, Roster, RosterCourse } from '@teacher-hub/protocol';
export {
  LIVE_STATUSES,
  LIVE_STREAM_EVENTS,
  LiveStream,
  reconnectDelay,
} from './notifications/live-stream.ts';
export type {
  BackoffOptions,
  EventSourceFactory,
  LiveEventMap,
  LiveEventType,
  LiveListener,
  LiveReadyEvent,
  LiveState,
  LiveStatus,
  NotificationReadEvent,
} from './notifications/live-stream.ts';
export { NotificationsService } from './notifications/notifications-service.ts';
export type {
  NotificationsServiceOptions,
  NotificationsState,
} from './notifications/notifications-service.ts';
export { LazyWebPush } from './notifications/lazy-push.ts';
export {
  PUSH_STATES,
  PUSH_UNSUPPORTED_REASONS,
  PushServiceTimeoutError,
} from './notifications/push-types.ts';
export type {
  PushOptions,
  PushState,
  PushStoreState,
  PushUnsupportedReason,
} from './notifications/push-types.ts';
// `WebPushService` itself loads on first use: `await client.notifications.push.load()`.
export type { WebPushService } from './notifications/web-push.ts';
export { deepLink } from './notifications/push-payload.ts';
export type { NavigateMessage } from './notifications/push-payload.ts';
export type {
  HubNotification,
  NotificationData,
  NotificationKind,
  NotificationList,
  Priority,
} from '@teacher-hub/protocol';
export { ChatClosedError, ChatService } from './chat/chat-service.ts';
export type { ChatState, StreamChatLoader } from './chat/chat-service.ts';
export type { Conversation, ConversationState, ThreadState } from './chat/conversation.ts';
export type {
  ChatAttachment,
  ChatKind,
  ChatListItem,
  ChatMessage,
  ChatReaction,
  ChatReadState,
  ChatTokenResponse,
  ChatUpload,
  HubChat,
} from './chat/chat-types.ts';
// The chat helpers (timeline, linkify, limits) are at `@teacher-hub/core/chat`.
export { LazyCalls } from './lazy-calls.ts';
// `CallsService` and its helpers load on first use (`await client.calls.load()`); the first chunk has none.
export type {
  CallEngineFactory,
  CallsService,
  CallsServiceOptions,
  SessionRoomAccess,
} from './calls/calls-service.ts';
export type {
  CallEngine,
  CallEngineError,
  CallEngineState,
  CallMedia,
  CallSelf,
} from './calls/call-engine.ts';
export type {
  ActiveCall,
  CallConnection,
  CallError,
  CallErrorCode,
  CallParticipant,
  CallSession,
  CallsApi,
  CallsState,
} from './calls/call-types.ts';
export type {
  Call,
  CallMember,
  CallMemberState,
  CallStatus,
  JoinCallResponse,
  LiveNow,
  VideoEngine,
  VideoGrant,
} from '@teacher-hub/protocol';
export { SessionsService, isOccurrence } from './sessions/sessions-service.ts';
export { occurrenceKey } from './sessions/session-types.ts';
export type { SessionsApi, SessionsState } from './sessions/session-types.ts';
export type {
  AttendanceEntry,
  AttendanceStatus,
  CancelSessionRequest,
  CreateSessionRequest,
  Occurrence,
  OccurrenceException,
  OccurrenceStatus,
  Recurrence,
  Session,
  SessionType,
  UpdateSessionRequest,
  Weekday,
} from '@teacher-hub/protocol';
