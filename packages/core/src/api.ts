import type {
  AttendanceResponse,
  CalendarFeedResponse,
  CallResponse,
  CallTokenResponse,
  CancelSessionRequest,
  CreateSessionRequest,
  JoinSessionResponse,
  OccurrenceList,
  OccurrenceResponse,
  SessionResponse,
  UpdateSessionRequest,
  DeviceRegistration,
  JoinCallResponse,
  LiveNow,
  DeviceResponse,
  HubNotification,
  MarkReadRequest,
  Me,
  NotificationList,
  NotificationPreferencesResponse,
  NotificationPreferencesUpdate,
  Platform,
  Roster,
} from '@teacher-hub/protocol';
import type { ChatTokenResponse, HubChat } from './chat/chat-types.ts';
import { HubApiError, HubNetworkError, codeForStatus, isAbortError, isErrorBody } from './errors.ts';
import type { FetchLike, TokenManager } from './token-manager.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `POST /v1/notifications/read`: the ids that changed (already-read and unknown ids are left out). */
export interface MarkReadResponse {
  read: string[];
  unreadCount: number;
}

/** `POST /v1/notifications/test`: the in-app notification it wrote, and the push devices it goes to. */
export interface TestNotificationResponse {
  notification: HubNotification;
  devices: { id: string; platform: Platform }[];
}

export interface NotificationPageQuery {
  /** 1–100; the hub's default is 30. */
  limit?: number | undefined;
  /** Only notifications created before this instant (ISO-8601). */
  before?: string | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The hub's HTTP API, typed with `@teacher-hub/protocol`. Every endpoint is one line over `request()`;
 * later resources (chats, sessions, notifications) are added the same way.
 */
export class HubApi {
  readonly #server: string;
  readonly #tokens: TokenManager;
  readonly #fetch: FetchLike;

  constructor(server: string, tokens: TokenManager, fetchFn: FetchLike) {
    // `https://lms.example/hub/` and `https://lms.example/hub` name the same hub.
    this.#server = server.replace(/\/+$/, '');
    this.#tokens = tokens;
    this.#fetch = fetchFn;
  }

  /** `GET /v1/me`: who the token belongs to. */
  me(options?: RequestOptions): Promise<Me> {
    return this.request<Me>('GET', '/v1/me', undefined, options);
  }

  /** `GET /v1/roster`: a teacher's courses and their students (a student's: their teachers). */
  roster(options?: RequestOptions): Promise<Roster> {
    return this.request<Roster>('GET', '/v1/roster', undefined, options);
  }

  /** `GET /v1/notifications`: the caller's notifications, newest first, and their unread count. */
  notifications(page: NotificationPageQuery = {}, options?: RequestOptions): Promise<NotificationList> {
    return this.request<NotificationList>('GET', '/v1/notifications', undefined, {
      ...options,
      query: { limit: page.limit, before: page.before },
    });
  }

  /** `POST /v1/notifications/read` with `{ids}` or `{all: true}`. */
  markNotificationsRead(body: MarkReadRequest, options?: RequestOptions): Promise<MarkReadResponse> {
    return this.request<MarkReadResponse>('POST', '/v1/notifications/read', body, options);
  }

  /** `POST /v1/notifications/test`: sends the caller a `test` notification on every channel they have. */
  sendTestNotification(options?: RequestOptions): Promise<TestNotificationResponse> {
    return this.request<TestNotificationResponse>('POST', '/v1/notifications/test', undefined, options);
  }

  /** `GET /v1/push/vapid-public-key`: the key web push subscriptions are made with (base64url). */
  vapidPublicKey(options?: RequestOptions): Promise<{ publicKey: string }> {
    return this.request<{ publicKey: string }>('GET', '/v1/push/vapid-public-key', undefined, options);
  }

  /** `POST /v1/devices`: registers a web push subscription or a mobile device token for the caller. */
  registerDevice(registration: DeviceRegistration, options?: RequestOptions): Promise<DeviceResponse> {
    return this.request<DeviceResponse>('POST', '/v1/devices', registration, options);
  }

  /** `DELETE /v1/devices/:id`. */
  async removeDevice(id: string, options?: RequestOptions): Promise<void> {
    await this.request<undefined>('DELETE', `/v1/devices/${encodeURIComponent(id)}`, undefined, options);
  }

  /** `GET /v1/notification-preferences`. */
  notificationPreferences(options?: RequestOptions): Promise<NotificationPreferencesResponse> {
    return this.request<NotificationPreferencesResponse>(
      'GET',
      '/v1/notification-preferences',
      undefined,
      options,
    );
  }

  /** `PUT /v1/notification-preferences`: switches per kind × channel; urgent kinds cannot be turned off. */
  updateNotificationPreferences(
    update: NotificationPreferencesUpdate,
    options?: RequestOptions,
  ): Promise<NotificationPreferencesResponse> {
    return this.request<NotificationPreferencesResponse>(
      'PUT',
      '/v1/notification-preferences',
      update,
      options,
    );
  }

  /** `POST /v1/chat/token`: a `stream-chat` token for the caller, and where to connect. */
  chatToken(options?: RequestOptions): Promise<ChatTokenResponse> {
    return this.request<ChatTokenResponse>('POST', '/v1/chat/token', undefined, options);
  }

  /** `GET /v1/chats`: the chats the caller is a member of. */
  chats(options?: RequestOptions): Promise<{ chats: HubChat[] }> {
    return this.request<{ chats: HubChat[] }>('GET', '/v1/chats', undefined, options);
  }

  /** `POST /v1/chats` (teacher): a group chat with `memberIds`. */
  createGroupChat(
    body: { name: string; memberIds: string[] },
    options?: RequestOptions,
  ): Promise<{ chat: HubChat }> {
    return this.request<{ chat: HubChat }>('POST', '/v1/chats', body, options);
  }

  /** `POST /v1/chats/direct`: the caller's one-on-one chat with `userId` (made on first use). */
  openDirectChat(userId: string, options?: RequestOptions): Promise<{ chat: HubChat }> {
    return this.request<{ chat: HubChat }>('POST', '/v1/chats/direct', { userId }, options);
  }

  /** `PATCH /v1/chats/:id` (owner). */
  renameChat(id: string, name: string, options?: RequestOptions): Promise<{ chat: HubChat }> {
    return this.request<{ chat: HubChat }>('PATCH', `/v1/chats/${encodeURIComponent(id)}`, { name }, options);
  }

  /** `POST /v1/chats/:id/members` (owner). */
  addChatMembers(id: string, userIds: string[], options?: RequestOptions): Promise<{ chat: HubChat }> {
    return this.request<{ chat: HubChat }>(
      'POST',
      `/v1/chats/${encodeURIComponent(id)}/members`,
      { userIds },
      options,
    );
  }

  /** `DELETE /v1/chats/:id/members/:userId` (owner). */
  removeChatMember(id: string, userId: string, options?: RequestOptions): Promise<{ chat: HubChat }> {
    return this.request<{ chat: HubChat }>(
      'DELETE',
      `/v1/chats/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      undefined,
      options,
    );
  }

  /** `DELETE /v1/chats/:id` (owner). */
  async deleteChat(id: string, options?: RequestOptions): Promise<void> {
    await this.request<undefined>('DELETE', `/v1/chats/${encodeURIComponent(id)}`, undefined, options);
  }

  // ── Calls ──────────────────────────────────────────────────────────────────────────────────────────

  /** `POST /v1/chats/:id/calls` (a teacher member): starts a call that rings the others, or gets the active one. */
  startCall(chatId: string, options?: RequestOptions): Promise<CallResponse> {
    return this.request<CallResponse>(
      'POST',
      `/v1/chats/${encodeURIComponent(chatId)}/calls`,
      undefined,
      options,
    );
  }

  /** `GET /v1/calls/:id` (a member). */
  getCall(id: string, options?: RequestOptions): Promise<CallResponse> {
    return this.request<CallResponse>('GET', `/v1/calls/${encodeURIComponent(id)}`, undefined, options);
  }

  /** `POST /v1/calls/:id/join`: the call and the grant to join its video room with. */
  joinCall(id: string, options?: RequestOptions): Promise<JoinCallResponse> {
    return this.request<JoinCallResponse>(
      'POST',
      `/v1/calls/${encodeURIComponent(id)}/join`,
      undefined,
      options,
    );
  }

  /** `POST /v1/calls/:id/token`: a new grant for the room of a call the caller is in (no call state). */
  callToken(id: string, options?: RequestOptions): Promise<CallTokenResponse> {
    return this.request<CallTokenResponse>(
      'POST',
      `/v1/calls/${encodeURIComponent(id)}/token`,
      undefined,
      options,
    );
  }

  /** `POST /v1/calls/:id/decline`: stops the ring for the caller. */
  declineCall(id: string, options?: RequestOptions): Promise<CallResponse> {
    return this.request<CallResponse>(
      'POST',
      `/v1/calls/${encodeURIComponent(id)}/decline`,
      undefined,
      options,
    );
  }

  /** `POST /v1/calls/:id/leave`: a joined member leaves; the call stays open for the others. */
  leaveCall(id: string, options?: RequestOptions): Promise<CallResponse> {
    return this.request<CallResponse>(
      'POST',
      `/v1/calls/${encodeURIComponent(id)}/leave`,
      undefined,
      options,
    );
  }

  /** `POST /v1/calls/:id/end` (teacher): ends the call and its room for everyone. */
  endCall(id: string, options?: RequestOptions): Promise<CallResponse> {
    return this.request<CallResponse>('POST', `/v1/calls/${encodeURIComponent(id)}/end`, undefined, options);
  }

  /** `GET /v1/live`: the calls (and live sessions) the caller may join now. */
  liveNow(options?: RequestOptions): Promise<LiveNow> {
    return this.request<LiveNow>('GET', '/v1/live', undefined, options);
  }

  // ── Sessions ───────────────────────────────────────────────────────────────────────────────────────

  /** `POST /v1/sessions` (teacher): schedules a session or a series. */
  createSession(body: CreateSessionRequest, options?: RequestOptions): Promise<SessionResponse> {
    return this.request<SessionResponse>('POST', '/v1/sessions', body, options);
  }

  /** `GET /v1/sessions?from=&to=`: the caller's occurrences (own or invited) overlapping [from, to). */
  sessionOccurrences(range: { from: string; to: string }, options?: RequestOptions): Promise<OccurrenceList> {
    return this.request<OccurrenceList>('GET', '/v1/sessions', undefined, {
      ...options,
      query: { from: range.from, to: range.to },
    });
  }

  /** `GET /v1/sessions/:id` (the owner or an invitee). */
  getSession(id: string, options?: RequestOptions): Promise<SessionResponse> {
    return this.request<SessionResponse>('GET', `/v1/sessions/${encodeURIComponent(id)}`, undefined, options);
  }

  /** `PATCH /v1/sessions/:id` (owner): edits the series, or moves one occurrence. */
  updateSession(id: string, body: UpdateSessionRequest, options?: RequestOptions): Promise<SessionResponse> {
    return this.request<SessionResponse>('PATCH', `/v1/sessions/${encodeURIComponent(id)}`, body, options);
  }

  /** `POST /v1/sessions/:id/cancel` (owner): cancels the series or one occurrence. */
  cancelSession(id: string, body: CancelSessionRequest, options?: RequestOptions): Promise<SessionResponse> {
    return this.request<SessionResponse>(
      'POST',
      `/v1/sessions/${encodeURIComponent(id)}/cancel`,
      body,
      options,
    );
  }

  /** `POST /v1/sessions/:id/start` (owner): the occurrence (default: the one due now) goes live. */
  startSession(id: string, occurrenceStart?: string, options?: RequestOptions): Promise<OccurrenceResponse> {
    return this.request<OccurrenceResponse>(
      'POST',
      `/v1/sessions/${encodeURIComponent(id)}/start`,
      occurrenceStart === undefined ? {} : { occurrenceStart },
      options,
    );
  }

  /** `POST /v1/sessions/:id/join` (owner or invitee, only while live): the occurrence and its room's grant. */
  joinSession(id: string, options?: RequestOptions): Promise<JoinSessionResponse> {
    return this.request<JoinSessionResponse>(
      'POST',
      `/v1/sessions/${encodeURIComponent(id)}/join`,
      undefined,
      options,
    );
  }

  /** `POST /v1/sessions/:id/end` (owner): ends the live occurrence and its room for everyone. */
  endSession(id: string, occurrenceStart?: string, options?: RequestOptions): Promise<OccurrenceResponse> {
    return this.request<OccurrenceResponse>(
      'POST',
      `/v1/sessions/${encodeURIComponent(id)}/end`,
      occurrenceStart === undefined ? {} : { occurrenceStart },
      options,
    );
  }

  /** `GET /v1/sessions/:id/attendance?occurrenceStart=` (owner): each invitee's attendance. */
  sessionAttendance(
    id: string,
    occurrenceStart: string,
    options?: RequestOptions,
  ): Promise<AttendanceResponse> {
    return this.request<AttendanceResponse>(
      'GET',
      `/v1/sessions/${encodeURIComponent(id)}/attendance`,
      undefined,
      { ...options, query: { occurrenceStart } },
    );
  }

  /** `GET /v1/calendar/feed`: the caller's private ICS feed URL. */
  calendarFeed(options?: RequestOptions): Promise<CalendarFeedResponse> {
    return this.request<CalendarFeedResponse>('GET', '/v1/calendar/feed', undefined, options);
  }

  /** `DELETE /v1/calendar/feed`: revokes the caller's feed URL (the next `calendarFeed()` makes a new one). */
  async revokeCalendarFeed(options?: RequestOptions): Promise<void> {
    await this.request<undefined>('DELETE', '/v1/calendar/feed', undefined, options);
  }

  /**
   * The absolute URL of a hub path, for what cannot go through `request()`: the SSE stream
   * (`EventSource` sets no headers) and links.
   */
  urlFor(path: string, query?: RequestOptions['query']): string {
    return this.#url(path, query);
  }

  /**
   * Sends one authenticated call. A 401 gets one retry with a freshly fetched token (when the token
   * source can provide one); any other failure, or a second 401, is thrown as a `HubApiError`.
   * Transport failures throw `HubNetworkError`; aborts throw the fetch's `AbortError`.
   */
  async request<T>(method: HttpMethod, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const url = this.#url(path, options?.query);
    const endpoint = `${method} ${path}`;
    const token = await this.#tokens.getToken();
    let response = await this.#send(url, method, body, token, options?.signal);
    if (response.status === 401 && this.#tokens.canRefresh) {
      await response.body?.cancel().catch(() => undefined);
      this.#tokens.invalidate(token);
      const fresh = await this.#tokens.getToken();
      response = await this.#send(url, method, body, fresh, options?.signal);
      // Refused too: no third try now, but the next call starts from a fresh token rather than this one.
      if (response.status === 401) this.#tokens.invalidate(fresh);
    }
    return readResponse<T>(response, endpoint);
  }

  #url(path: string, query: RequestOptions['query']): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const suffix = search.size > 0 ? `?${search}` : '';
    return `${this.#server}${path}${suffix}`;
  }

  async #send(
    url: string,
    method: HttpMethod,
    body: unknown,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        // The hub authenticates with the bearer token only; host-LMS cookies stay at home.
        credentials: 'omit',
        signal: signal ?? null,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new HubNetworkError(`Could not reach the hub at ${this.#server}.`, { cause: error });
    }
  }
}

async function readResponse<T>(response: Response, endpoint: string): Promise<T> {
  const text = await response.text();
  let parsed: unknown = undefined;
  let parseFailed = false;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseFailed = true;
    }
  }
  if (response.ok && !parseFailed) return parsed as T;

  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  if (isErrorBody(parsed)) {
    throw new HubApiError({
      status: response.status,
      code: parsed.error.code,
      message: parsed.error.message,
      requestId: parsed.error.requestId ?? headerRequestId,
      details: parsed.error.details,
      endpoint,
    });
  }
  throw new HubApiError({
    status: response.status,
    code: response.ok ? 'INTERNAL' : codeForStatus(response.status),
    message: response.ok
      ? `${endpoint} answered ${response.status} with a body that is not JSON.`
      : `${endpoint} failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    requestId: headerRequestId,
    endpoint,
  });
}
