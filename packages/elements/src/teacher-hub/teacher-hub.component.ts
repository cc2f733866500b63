import { ContextProvider } from '@lit/context';
import { occurrenceKey } from '@teacher-hub/core';
import type { Call, CallsState, ChatState, HubClient, Occurrence, SessionsState } from '@teacher-hub/core';
import { html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { hubClientContext } from '../context/hub-client-context.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import type { HubChatElement } from '../hub-chat/hub-chat.component.ts';
import type { NotificationCenter } from '../notification-center/notification-center.component.ts';
import type { SessionCalendar } from '../session-calendar/session-calendar.component.ts';
import type { StudentPicker } from '../student-picker/student-picker.component.ts';
// The children on every area register themselves; their heavy parts (stream-chat, the call engine) stay
// lazy. Those of one area or dialog (calendar, scheduler, picker) load when it first opens.
import '../call-overlay/call-overlay.ts';
import '../hub-chat/hub-chat.ts';
import '../notification-center/notification-center.ts';
import { loadPart } from './teacher-hub-parts.ts';
import { chatLink, parseHubLink } from './hub-links.ts';
import { calendarPlusIcon, chatPlusIcon, videoIcon } from './teacher-hub-icons.ts';
import styles from './teacher-hub.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<teacher-hub>`: the shown area changed (a tab, a deep link or F6). */
    'hub-area-change': { area: HubArea };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-area-change': HubEvent<'hub-area-change'>;
  }
}

/** The hub's areas, in the order of its tabs. */
export const HUB_AREAS = ['chats', 'sessions', 'live'] as const;
export type HubArea = (typeof HUB_AREAS)[number];

/** `routing` attribute values: follow and set `location.hash`, or leave it alone. */
export const HUB_ROUTING = ['hash', 'none'] as const;
export type HubRouting = (typeof HUB_ROUTING)[number];

const AREA_LABELS: Record<HubArea, string> = { chats: 'Chats', sessions: 'Sessions', live: 'Live now' };

/** How long a `#call/…` link waits for the live calls to load before it shows Live now instead. */
const CALLS_LOAD_WAIT_MS = 5_000;

const isArea = (value: unknown): value is HubArea => HUB_AREAS.includes(value as HubArea);

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Calls that are going on (ringing or active), oldest first. */
function liveCalls(calls: Record<string, Call> | undefined): Call[] {
  return Object.values(calls ?? {})
    .filter((call) => call.status === 'ringing' || call.status === 'active')
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/**
 * A teacher's whole hub on one page: chats, sessions (calendar, upcoming and past with who attended) and
 * what is live now, with the three quick actions (start instant session, schedule session, new chat), the
 * notification center and the call overlay always in reach. Every hub element inside it, in its own
 * shadow root and among its light-DOM children, shares its one `HubClient` through context.
 *
 * **Areas** are tabs ("Chats", "Sessions", "Live now", with a count on Live now while something is live);
 * each area is a labelled region. Arrow keys, Home and End move between the tabs; Enter, Space or a click
 * opens an area and moves focus into it. **F6** (Shift+F6 backwards) goes to the next area from anywhere
 * in the hub.
 *
 * **Deep links** (the ones notifications and web push open): `#chat/<id>` opens that chat,
 * `#session/<id>[/<occurrenceStart>]` shows that occurrence's details on the calendar, `#call/<id>` joins
 * that call when it is ringing or going on (else shows Live now), `#notifications` opens the bell. They are
 * followed on load and on `hashchange` (with `routing="hash"`, the default), and whenever `navigate(link)`
 * is called. Links opened from inside the hub (a notification, a session's "Open chat") set
 * `location.hash`, so the back button returns; `routing="none"` keeps the hash untouched.
 *
 * Areas keep their size while their data loads (skeletons), the top bar never changes size, and below
 * 40rem of width everything stacks so that nothing scrolls sideways on a phone.
 *
 * @tag teacher-hub
 * @summary The teacher's hub page: chats, calendar with upcoming and past sessions, live now, and the
 * quick actions start instant session, schedule session and new chat.
 *
 * @slot - Extra content below the areas; hub elements placed here share the hub's client.
 *
 * @event {CustomEvent<{area: 'chats' | 'sessions' | 'live'}>} hub-area-change - The shown area changed.
 *
 * @csspart base - The hub's frame.
 * @csspart top-bar - The bar with the tabs, the quick actions and the notification bell.
 * @csspart tabs - The tab list of the areas.
 * @csspart tab - One tab; also `selected` for the shown one.
 * @csspart live-count - The count of live calls and sessions on the Live now tab.
 * @csspart quick-actions - The group of quick-action buttons.
 * @csspart quick-action - One quick-action button.
 * @csspart area - One area (a labelled region).
 * @csspart live-item - A live call or session in Live now.
 * @csspart join-button - A Join button in Live now.
 * @csspart empty - The "Nothing is live" message.
 * @csspart dialog - The Start instant session and Schedule session dialogs.
 * @csspart dialog-error - A failure, in words, in the Start instant session dialog.
 *
 * @cssproperty --hub-teacher-hub-area-min-height - The height areas keep while loading. Default 36rem.
 * @cssproperty --hub-teacher-hub-background - Behind the areas. Defaults to `--hub-color-surface-muted`.
 * @cssproperty --hub-teacher-hub-top-bar-offset - How far from the viewport's top the top bar sticks (below
 * a host's fixed header). Default 0.
 * @cssproperty --hub-teacher-hub-live-color - The Live now count and live marks. Default #15803d (#4ade80 dark).
 */
export class TeacherHub extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** The area shown: `chats` (default), `sessions` or `live`. Tabs and deep links set it. */
  @property({ reflect: true }) area: HubArea = 'chats';

  /**
   * `hash` (default): follow deep links in `location.hash` on load and on `hashchange`, and set the hash
   * for links opened inside the hub. `none`: leave the hash alone; the host calls `navigate()`.
   */
  @property({ reflect: true }) routing: HubRouting = 'hash';

  /** The Start instant session dialog's state. */
  @state() private picked: string[] = [];
  @state() private starting = false;
  @state() private startError = '';
  /** The session the Schedule dialog edits, if any; `scheduling` while the dialog is open. */
  @state() private scheduling: { sessionId?: string; occurrenceStart?: string } | undefined;
  @state() private joining: string | undefined;
  @state() private joinError: { key: string; message: string } | undefined;

  @query('hub-chat') private chat?: HubChatElement;
  @query('session-calendar') private calendar?: SessionCalendar;
  @query('notification-center') private bell?: NotificationCenter;
  @query('#instant-dialog') private instantDialog?: HTMLDialogElement;
  @query('#schedule-dialog') private scheduleDialog?: HTMLDialogElement;
  @query('#instant-picker') private picker?: StudentPicker;

  readonly #provider = new ContextProvider(this, { context: hubClientContext, initialValue: undefined });
  readonly #calls = new StoreController(this, undefined, (callsState: CallsState) => callsState);
  readonly #liveSessions = new StoreController(
    this,
    undefined,
    (sessionsState: SessionsState) => sessionsState.live,
  );
  readonly #chats = new StoreController(this, undefined, (chatState: ChatState) => chatState.chats);

  #heldClient: HubClient | undefined;
  #release: (() => void) | undefined;
  /** A link routed straight from a service worker message: its `hashchange` needs no second routing. */
  #routedFromWorker: string | undefined;

  readonly #onHashChange = (): void => {
    if (this.routing !== 'hash') return;
    const link = location.hash;
    if (link === this.#routedFromWorker) {
      this.#routedFromWorker = undefined;
      return;
    }
    this.#routedFromWorker = undefined;
    void this.#route(link);
  };

  /**
   * A click on a browser notification while this page is open: the service worker posts the link. The
   * notifications service sets `location.hash` to it, which routes through `hashchange`, unless the hash
   * already is that link (no `hashchange` then) or the host asked for `routing="none"`.
   */
  readonly #onWorkerMessage = (event: MessageEvent): void => {
    const message = event.data as { type?: unknown; link?: unknown } | null;
    if (message?.type !== 'teacher-hub:navigate' || typeof message.link !== 'string') return;
    if (!message.link.startsWith('#')) return;
    this.#routedFromWorker = message.link;
    void this.#route(message.link);
  };

  readonly #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'F6' || event.altKey || event.ctrlKey || event.metaKey) return;
    // Not from a modal dialog (ours or an inner element's): the areas behind it are inert.
    if (event.composedPath().some((target) => target instanceof HTMLDialogElement && target.open)) return;
    event.preventDefault();
    const index = HUB_AREAS.indexOf(this.area);
    const next = HUB_AREAS[(index + (event.shiftKey ? HUB_AREAS.length - 1 : 1)) % HUB_AREAS.length];
    if (next) void this.#show(next, { focus: 'area' });
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.#onHashChange);
    navigator.serviceWorker?.addEventListener('message', this.#onWorkerMessage);
    this.addEventListener('keydown', this.#onKeydown);
    this.#hold();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHashChange);
    navigator.serviceWorker?.removeEventListener('message', this.#onWorkerMessage);
    this.removeEventListener('keydown', this.#onKeydown);
    this.#hold();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (!isArea(this.area)) this.area = 'chats';
    if (this.area === 'sessions') void loadPart('sessions');
    this.#hold();
  }

  protected override firstUpdated(changed: PropertyValues<this>): void {
    super.firstUpdated(changed);
    if (this.routing === 'hash' && location.hash) void this.#route(location.hash);
  }

  /** Shares the client with everything inside and holds its live calls and sessions while connected. */
  #hold(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#heldClient) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldClient = client;
    this.#provider.setValue(client);
    this.#calls.setStore(client?.calls.store);
    this.#liveSessions.setStore(client?.sessions.store);
    this.#chats.setStore(client?.chat.store);
    if (client) {
      const releases = [client.calls.connect(), client.sessions.connect()];
      this.#release = () => releases.forEach((release) => release());
    }
  }

  // ── Public API ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Opens a hub link (`#chat/<id>`, `#session/<id>[/<occurrenceStart>]`, `#call/<id>`, `#notifications`).
   * With `routing="hash"` it becomes `location.hash` (so the back button returns) and is followed from
   * there; with `routing="none"` it is followed at once. Links that are not the hub's are ignored.
   */
  navigate(link: string): void {
    if (!parseHubLink(link)) return;
    const hash = link.startsWith('#') ? link : `#${link}`;
    if (this.routing === 'hash' && location.hash !== hash) {
      location.hash = hash;
      return;
    }
    void this.#route(hash);
  }

  /** Opens the Start instant session dialog (focus on its Close button, the picker's search next). */
  openInstantSession(): void {
    this.startError = '';
    void loadPart('picker');
    this.instantDialog?.showModal();
  }

  /** Opens the Schedule session dialog: a new session, or the given one (or one occurrence of it) to edit. */
  openScheduler(edit: { sessionId: string; occurrenceStart?: string } | undefined = undefined): void {
    this.scheduling = edit ? { ...edit } : {};
    void loadPart('scheduler');
    this.scheduleDialog?.showModal();
  }

  /** Shows the Chats area with the "new chat" form. */
  async newChat(): Promise<void> {
    await this.#show('chats');
    await this.chat?.newChat();
  }

  // ── Routing ───────────────────────────────────────────────────────────────────────────────────────

  async #route(hash: string): Promise<void> {
    const link = parseHubLink(hash);
    if (!link) return;
    switch (link.kind) {
      case 'chat':
        await this.#show('chats');
        if (this.chat) this.chat.chatId = link.chatId;
        return;
      case 'session':
        await this.#show('sessions');
        // The calendar may still be loading (its first time on this page): it must be defined to be asked.
        await loadPart('sessions');
        await this.calendar?.openOccurrence(link.sessionId, link.occurrenceStart);
        return;
      case 'call':
        await this.#routeCall(link.callId);
        return;
      case 'notifications':
        await this.updateComplete;
        this.bell?.show();
        return;
    }
  }

  /** Joins a call that is ringing or going on; else shows what is live. */
  async #routeCall(callId: string): Promise<void> {
    const client = this.#heldClient;
    if (!client) return;
    await this.#callsLoaded(client);
    const call = client.calls.store.get().calls[callId];
    if (call && (call.status === 'ringing' || call.status === 'active')) {
      try {
        await client.calls.join(callId);
        return;
      } catch (error) {
        this.joinError = {
          key: callId,
          message: `Could not join: ${describeError(error, { showOtherMessages: true }).detail}`,
        };
      }
    }
    await this.#show('live');
  }

  #callsLoaded(client: HubClient): Promise<void> {
    if (client.calls.store.get().loaded) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, CALLS_LOAD_WAIT_MS);
      const unsubscribe = client.calls.store.subscribe(
        (callsState) => callsState.loaded,
        (loaded) => {
          if (loaded) done();
        },
      );
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }

  /** Shows an area; `focus` moves focus to its tab or into it. */
  async #show(area: HubArea, options: { focus?: 'tab' | 'area' } = {}): Promise<void> {
    if (this.area !== area) {
      this.area = area;
      emit(this, 'hub-area-change', { area });
    }
    await this.updateComplete;
    if (options.focus === 'tab') this.renderRoot.querySelector<HTMLElement>(`#tab-${area}`)?.focus();
    if (options.focus === 'area') this.#focusArea(area);
  }

  /**
   * Moves focus into an area without letting the browser scroll it under the sticky top bar (an area is
   * often taller than the window, and focusing it would align its top with the window's): the page moves
   * only when the area's start is hidden, and then just enough to show it below the bar.
   */
  #focusArea(area: HubArea): void {
    const panel = this.renderRoot.querySelector<HTMLElement>(`#area-${area}`);
    if (!panel) return;
    panel.focus({ preventScroll: true });
    const bar = this.renderRoot.querySelector<HTMLElement>('.top-bar');
    if (!bar) return;
    // Where the bar sticks (its `top`) plus its height: the first line of the window it leaves free.
    const clear = (parseFloat(getComputedStyle(bar).top) || 0) + bar.getBoundingClientRect().height + 8;
    const top = panel.getBoundingClientRect().top;
    if (top < clear) window.scrollBy({ top: top - clear });
  }

  // ── Events from inside ────────────────────────────────────────────────────────────────────────────

  #onOpenChat = (event: HubEvent<'hub-open-chat'>): void => {
    event.preventDefault();
    this.navigate(chatLink(event.detail.chatId));
  };

  #onNotificationOpen = (event: HubEvent<'hub-notification-open'>): void => {
    event.preventDefault();
    this.bell?.hide();
    this.navigate(event.detail.link);
  };

  #onSessionEdit = (event: HubEvent<'hub-session-edit'>): void => {
    const { sessionId, occurrenceStart, scope } = event.detail;
    this.openScheduler(scope === 'occurrence' ? { sessionId, occurrenceStart } : { sessionId });
  };

  #onTabKeydown = (event: KeyboardEvent): void => {
    const index = HUB_AREAS.indexOf(this.area);
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % HUB_AREAS.length,
      ArrowDown: (index + 1) % HUB_AREAS.length,
      ArrowLeft: (index + HUB_AREAS.length - 1) % HUB_AREAS.length,
      ArrowUp: (index + HUB_AREAS.length - 1) % HUB_AREAS.length,
      Home: 0,
      End: HUB_AREAS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const area = HUB_AREAS[target];
    if (area) void this.#show(area, { focus: 'tab' });
  };

  // ── Quick actions ─────────────────────────────────────────────────────────────────────────────────

  async #startInstant(): Promise<void> {
    const client = this.#heldClient;
    const memberIds = [...this.picked];
    if (!client || memberIds.length === 0 || this.starting) return;
    this.starting = true;
    this.startError = '';
    try {
      await client.calls.startWith(memberIds);
      this.instantDialog?.close();
    } catch (error) {
      this.startError = `The session could not be started. ${describeError(error, { showOtherMessages: true }).detail}`;
    } finally {
      this.starting = false;
    }
  }

  #onInstantClosed(): void {
    this.picked = [];
    this.startError = '';
    if (this.picker) this.picker.value = [];
  }

  #closeScheduler(): void {
    this.scheduleDialog?.close();
  }

  async #joinLive(key: string, join: () => Promise<void>): Promise<void> {
    if (this.joining) return;
    this.joining = key;
    this.joinError = undefined;
    try {
      await join();
    } catch (error) {
      this.joinError = {
        key,
        message: `Could not join: ${describeError(error, { showOtherMessages: true }).detail}`,
      };
    } finally {
      this.joining = undefined;
    }
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    const theme = this.theme ?? 'light';
    const liveCount = liveCalls(this.#calls.value?.calls).length + (this.#liveSessions.value?.length ?? 0);
    return html`<div
      class="hub-root base"
      part="base"
      @hub-open-chat=${this.#onOpenChat}
      @hub-notification-open=${this.#onNotificationOpen}
      @hub-session-edit=${this.#onSessionEdit}
    >
      <header class="top-bar" part="top-bar">
        <div class="tabs" part="tabs" role="tablist" aria-label="Teacher Hub" @keydown=${this.#onTabKeydown}>
          ${HUB_AREAS.map((area) => this.#renderTab(area, liveCount))}
        </div>
        <!-- Outside the tab, so that its name stays "Live now"; the tab has it as its description. -->
        <span class="visually-hidden" id="live-count"
          >${liveCount === 1 ? '1 live' : `${liveCount} live`}</span
        >
        <div class="quick-actions" part="quick-actions" role="group" aria-label="Quick actions">
          <button
            type="button"
            class="quick-action primary"
            part="quick-action"
            @click=${() => this.openInstantSession()}
          >
            ${videoIcon}<span class="label">Start instant session</span>
          </button>
          <button type="button" class="quick-action" part="quick-action" @click=${() => this.openScheduler()}>
            ${calendarPlusIcon}<span class="label">Schedule session</span>
          </button>
          <button type="button" class="quick-action" part="quick-action" @click=${() => void this.newChat()}>
            ${chatPlusIcon}<span class="label">New chat</span>
          </button>
        </div>
        <notification-center class="bell" theme=${theme}></notification-center>
      </header>
      <div class="areas">
        ${this.#renderArea('chats', html`<hub-chat class="chat" theme=${theme}></hub-chat>`)}
        ${this.#renderArea(
          'sessions',
          html`<div class="sessions">
            <session-calendar class="calendar" theme=${theme}></session-calendar>
            <div class="lists">
              <upcoming-sessions label="Upcoming" days="14" limit="5" theme=${theme}></upcoming-sessions>
              <hub-past-sessions days="30" limit="5" theme=${theme}></hub-past-sessions>
            </div>
          </div>`,
        )}
        ${this.#renderArea('live', this.#renderLive())}
      </div>
      <slot></slot>
      ${this.#renderInstantDialog(theme)} ${this.#renderScheduleDialog(theme)}
      <call-overlay theme=${theme}></call-overlay>
    </div>`;
  }

  #renderTab(area: HubArea, liveCount: number): TemplateResult {
    const selected = this.area === area;
    const count = area === 'live' && liveCount > 0 ? liveCount : 0;
    return html`<button
      type="button"
      role="tab"
      id="tab-${area}"
      class="tab"
      part="tab${selected ? ' selected' : ''}"
      aria-selected=${selected ? 'true' : 'false'}
      aria-controls="area-${area}"
      aria-describedby=${count > 0 ? 'live-count' : nothing}
      tabindex=${selected ? 0 : -1}
      @click=${() => void this.#show(area, { focus: 'area' })}
    >
      <span class="tab-label">${AREA_LABELS[area]}</span>
      ${
        area === 'live'
          ? html`<span class="count" part="live-count" aria-hidden="true" ?hidden=${count === 0}
              >${count}</span
            >`
          : nothing
      }
    </button>`;
  }

  #renderArea(area: HubArea, content: TemplateResult): TemplateResult {
    return html`<section
      class="area area-${area}"
      part="area"
      id="area-${area}"
      role="tabpanel"
      aria-labelledby="tab-${area}"
      tabindex="-1"
      ?hidden=${this.area !== area}
    >
      ${content}
    </section>`;
  }

  #renderLive(): TemplateResult {
    const calls = this.#calls.value;
    if (!calls?.loaded) {
      const row = html`<li class="live-item skeleton" aria-hidden="true">
        <span class="bone"></span><span class="bone short"></span>
      </li>`;
      return html`<ul class="live-list">
          ${row}${row}
        </ul>
        <p class="visually-hidden" role="status">Loading what is live…</p>`;
    }
    const liveCallList = liveCalls(calls.calls);
    const liveSessions = this.#liveSessions.value ?? [];
    if (liveCallList.length === 0 && liveSessions.length === 0) {
      return html`<div class="empty" part="empty" role="status">
        <p class="empty-title">Nothing is live</p>
        <p class="empty-detail">Calls and sessions going on now show here, with a Join button.</p>
      </div>`;
    }
    return html`<ul class="live-list" aria-label="Live now">
      ${repeat(
        liveCallList,
        (call) => call.id,
        (call) => this.#renderLiveCall(call, calls),
      )}
      ${repeat(liveSessions, occurrenceKey, (occurrence) => this.#renderLiveSession(occurrence, calls))}
    </ul>`;
  }

  #renderLiveCall(call: Call, calls: CallsState): TemplateResult {
    const name =
      call.chatName ??
      this.#chats.value?.find((chat) => chat.id === call.chatId)?.name ??
      call.members
        .filter((member) => member.role === 'student')
        .map((member) => member.name)
        .join(', ');
    const joined = call.members.filter((member) => member.state === 'joined').length;
    const inCall =
      calls.active?.callId === call.id &&
      !['left', 'ended', 'failed'].includes(calls.active.connection ?? 'left');
    return this.#renderLiveItem({
      key: call.id,
      title: name || 'Call',
      kind: 'Call',
      detail: `${call.status === 'ringing' ? 'Ringing' : `${joined} in the call`} · since ${timeFormat.format(new Date(call.startedAt))}`,
      inCall,
      join: () => this.#heldClient?.calls.join(call.id) ?? Promise.resolve(),
    });
  }

  #renderLiveSession(occurrence: Occurrence, calls: CallsState): TemplateResult {
    const active = calls.active;
    const inCall =
      active?.session?.sessionId === occurrence.sessionId &&
      active.session.occurrenceStart === occurrence.occurrenceStart &&
      !['left', 'ended', 'failed'].includes(active.connection);
    const invited = occurrence.inviteeIds.length;
    return this.#renderLiveItem({
      key: occurrenceKey(occurrence),
      title: occurrence.title,
      kind: 'Session',
      detail: `${invited === 1 ? '1 invited' : `${invited} invited`} · ${timeFormat.format(new Date(occurrence.startsAt))}–${timeFormat.format(new Date(occurrence.endsAt))}`,
      inCall,
      join: () => this.#heldClient?.sessions.join(occurrence.sessionId) ?? Promise.resolve(),
    });
  }

  #renderLiveItem(item: {
    key: string;
    title: string;
    kind: string;
    detail: string;
    inCall: boolean;
    join: () => Promise<void>;
  }): TemplateResult {
    const titleId = `live-${item.key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    const busy = this.joining === item.key;
    // One join at a time: the page is in one call.
    const otherBusy = this.joining !== undefined && !busy;
    const error = this.joinError?.key === item.key ? this.joinError.message : '';
    return html`<li class="live-item" part="live-item" aria-labelledby=${titleId}>
      <div class="live-info">
        <p class="live-kind"><span class="live-dot" aria-hidden="true"></span>${item.kind}</p>
        <h3 class="live-title" id=${titleId}>${item.title}</h3>
        <p class="live-detail">${item.detail}</p>
        ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
      </div>
      <button
        type="button"
        class="join"
        part="join-button"
        aria-describedby=${titleId}
        ?disabled=${busy || otherBusy || item.inCall}
        @click=${() => void this.#joinLive(item.key, item.join)}
      >
        ${item.inCall ? 'Joined' : busy ? 'Joining…' : 'Join'}
      </button>
    </li>`;
  }

  #renderInstantDialog(theme: string): TemplateResult {
    return html`<dialog
      id="instant-dialog"
      class="dialog"
      part="dialog"
      aria-labelledby="instant-title"
      @close=${() => this.#onInstantClosed()}
    >
      <form
        class="dialog-body"
        method="dialog"
        @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          void this.#startInstant();
        }}
      >
        <header class="dialog-head">
          <h2 id="instant-title">Start instant session</h2>
          <button type="button" class="close" aria-label="Close" @click=${() => this.instantDialog?.close()}>
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <p class="dialog-lead">Pick students: they are rung at once and join you in a video call.</p>
        <student-picker
          id="instant-picker"
          label="Students to call"
          theme=${theme}
          @change=${(event: Event) => (this.picked = [...(event.target as StudentPicker).value])}
        ></student-picker>
        ${
          this.startError
            ? html`<p class="error" part="dialog-error" role="alert">${this.startError}</p>`
            : nothing
        }
        <div class="dialog-actions">
          <p class="picked" aria-live="polite">
            ${this.picked.length === 0 ? 'Nobody picked yet.' : this.picked.length === 1 ? '1 student picked.' : `${this.picked.length} students picked.`}
          </p>
          <button type="button" class="secondary" @click=${() => this.instantDialog?.close()}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${this.picked.length === 0 || this.starting}>
            ${this.starting ? 'Starting…' : 'Start session'}
          </button>
        </div>
      </form>
    </dialog>`;
  }

  #renderScheduleDialog(theme: string): TemplateResult {
    const editing = this.scheduling?.sessionId !== undefined;
    return html`<dialog
      id="schedule-dialog"
      class="dialog wide"
      part="dialog"
      aria-label=${editing ? 'Edit session' : 'Schedule session'}
      @close=${() => (this.scheduling = undefined)}
      @hub-session-saved=${() => this.#closeScheduler()}
      @hub-session-cancelled=${() => this.#closeScheduler()}
    >
      <div class="dialog-body flush">
        <button type="button" class="close" aria-label="Close" @click=${() => this.#closeScheduler()}>
          <span aria-hidden="true">×</span>
        </button>
        ${
          this.scheduling
            ? html`<session-scheduler
                theme=${theme}
                session-id=${this.scheduling.sessionId ?? nothing}
                occurrence-start=${this.scheduling.occurrenceStart ?? nothing}
              ></session-scheduler>`
            : nothing
        }
      </div>
    </dialog>`;
  }
}
