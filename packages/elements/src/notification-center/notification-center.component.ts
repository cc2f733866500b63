import { Task, TaskStatus, initialState } from '@lit/task';
import { deepLink } from '@teacher-hub/core';
import { describeError } from '../base/describe-error.ts';
import type {
  HubClient,
  HubNotification,
  NotificationsState,
  PushStoreState,
  TestNotificationResponse,
} from '@teacher-hub/core';
import { html, nothing, svg } from 'lit';
import type { CSSResultGroup, PropertyValues, SVGTemplateResult, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import { absoluteTime, loadRelativeTime, relativeTime } from './relative-time.ts';
import styles from './notification-center.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<notification-center>`: the user opened a notification. Cancel it to navigate yourself. */
    'hub-notification-open': { notification: HubNotification; link: string };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-notification-open': HubEvent<'hub-notification-open'>;
  }
}

/** Where the panel opens relative to the bell on wide screens (it flips to stay in the viewport). */
export const NOTIFICATION_CENTER_PLACEMENTS = ['bottom-end', 'bottom-start'] as const;
export type NotificationCenterPlacement = (typeof NOTIFICATION_CENTER_PLACEMENTS)[number];

/** Gap between the bell and the panel, and the panel's distance from the viewport's edges, in px. */
const GAP = 8;
const EDGE = 8;
/** How long a live item keeps its slide-in class. */
const ARRIVAL_MS = 1200;
/** Relative times are redrawn this often while the panel is open. */
const CLOCK_MS = 30_000;
/** Below this viewport width the panel is a bottom sheet (must match the styles' media query). */
const SHEET_QUERY = '(max-width: 30rem)';

const supportsPopover = typeof HTMLElement !== 'undefined' && 'popover' in HTMLElement.prototype;

/**
 * Opens with the bell (Enter or Space), closes with Escape (focus returns to the bell), a click outside, or
 * Tab past its end. Inside the panel Up and Down move between notifications. On screens narrower than
 * 30rem the panel is a bottom sheet. The panel is a manual popover in the top layer, so a host header's
 * `overflow` or `z-index` cannot clip it.
 *
 * The list loads when the element connects; live notifications (Server-Sent Events, shared with every
 * element on the same client) slide in at the top and are announced to screen readers, urgent ones
 * assertively. Opening a notification marks it read, fires `hub-notification-open` and then, unless a
 * listener called `preventDefault()`, sets `location.hash` to its link (`#chat/…`, `#session/…`,
 * `#call/…`), where the hub's other elements pick it up.
 *
 * Browser notifications: the panel shows where they stand (unsupported, blocked, off, on) and turns them
 * on or off. On a page that is not on the hub's origin, set `service-worker-url` to a script on the page's
 * origin that contains `importScripts('https://<hub>/sdk/teacher-hub-sw.js')`.
 *
 * @tag notification-center
 * @summary A bell with the unread count that opens the user's notifications: live updates, mark read,
 * browser notifications on or off, and a test notification.
 *
 * @event {CustomEvent<{notification: HubNotification, link: string}>} hub-notification-open - The user
 * opened a notification (it is marked read). Cancelable: `preventDefault()` stops the default navigation to
 * `location.hash = link`.
 *
 * @csspart bell - The bell button.
 * @csspart bell-icon - The bell's icon.
 * @csspart badge - The unread count on the bell; hidden at zero.
 * @csspart panel - The popover panel (a bottom sheet on narrow screens).
 * @csspart header - The panel's title row.
 * @csspart title - The panel's title.
 * @csspart mark-all-button - Marks every notification read.
 * @csspart list - The list of notifications.
 * @csspart item - One notification (`<li>`).
 * @csspart item-button - The button that opens a notification.
 * @csspart item-icon - A notification's kind icon.
 * @csspart item-title - A notification's title.
 * @csspart item-body - A notification's text.
 * @csspart item-time - A notification's relative time.
 * @csspart urgent-label - The "Urgent" label of urgent notifications.
 * @csspart unread-dot - The dot of unread notifications.
 * @csspart load-more-button - Loads older notifications.
 * @csspart skeleton - The placeholder shown while loading.
 * @csspart message - The empty and error messages.
 * @csspart retry-button - The error message's Retry button.
 * @csspart push - The browser notifications section.
 * @csspart push-button - Turns browser notifications on or off.
 * @csspart test-button - Sends the user a test notification.
 * @csspart feedback - The result of the last action (test sent, push failed…).
 *
 * @cssproperty --hub-notification-center-bell-color - The bell's color. Defaults to the text color around the element (`currentColor`), so it fits a dark or colored header.
 * @cssproperty --hub-notification-center-bell-size - The bell button's size. Default `2.5rem`.
 * @cssproperty --hub-notification-center-badge-background - The unread badge. Defaults to `--hub-color-danger`.
 * @cssproperty --hub-notification-center-badge-color - The badge's text. Default white.
 * @cssproperty --hub-notification-center-badge-ring - A ring around the badge in the color behind the bell, to set it off from the icon. Default none.
 * @cssproperty --hub-notification-center-width - The panel's width on wide screens. Default `24rem`.
 * @cssproperty --hub-notification-center-max-height - The panel's tallest height. Default `34rem`.
 * @cssproperty --hub-notification-center-background - The panel. Defaults to `--hub-color-surface`.
 * @cssproperty --hub-notification-center-urgent-color - Stripe and label of urgent notifications. Defaults to `--hub-color-danger`.
 * @cssproperty --hub-notification-center-unread-background - Unread notifications. Defaults to a 9% tint of `--hub-color-accent`.
 * @cssproperty --hub-notification-center-z-index - Stacking of the panel where the popover top layer is unavailable. Default `1000`.
 */
export class NotificationCenter extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** Whether the panel is open. Set it, or call `show()`, `hide()`, `toggle()`. */
  @property({ type: Boolean, reflect: true }) open = false;

  /**
   * The service worker web push registers: a script on the page's origin that contains
   * `importScripts('<hub>/sdk/teacher-hub-sw.js')`. Not needed when the page is on the hub's origin.
   */
  @property({ attribute: 'service-worker-url' }) serviceWorkerUrl?: string;

  /** Which edge of the bell the panel lines up with on wide screens: `bottom-end` (default) or `bottom-start`. */
  @property({ reflect: true }) placement: NotificationCenterPlacement = 'bottom-end';

  /** The bell's accessible name and the panel's title. */
  @property() label = 'Notifications';

  /** The text read to screen readers for the last live notification. */
  @state() protected politeAnnouncement = '';
  @state() protected assertiveAnnouncement = '';

  /** Ids of live notifications still sliding in. */
  @state() protected arrivals: ReadonlySet<string> = new Set();

  /** A one-line result of the last mark-read or push action; the test button has its own. */
  @state() protected notice?: { tone: 'info' | 'error'; text: string };

  @query('.bell') protected bell?: HTMLButtonElement;
  @query('.panel') protected panel?: HTMLElement;

  readonly #notifications = new StoreController(
    this,
    this.client?.notifications.store,
    (notificationsState: NotificationsState) => notificationsState,
  );
  readonly #push = new StoreController(
    this,
    this.client?.notifications.push.store,
    (pushState: PushStoreState) => pushState,
  );
  readonly #loadTask = new Task(this, {
    task: async ([client]) => (client ? client.notifications.load() : initialState),
    args: () => [this.client] as const,
  });
  readonly #testTask = new Task(this, {
    task: async ([client]): Promise<TestNotificationResponse> => {
      if (!client) throw new Error('Not connected to the hub.');
      return client.notifications.sendTest();
    },
    args: () => [this.client] as const,
    autoRun: false,
  });

  /** The client whose live stream this element holds, and how to let go of it. */
  #liveClient: HubClient | undefined;
  #releaseLive: (() => void)[] = [];
  /** The list as of the last update once loaded: ids new since then, at the top, slide in. */
  #previousItems: HubNotification[] | undefined;
  /** Live notifications already announced to screen readers (each once, however it came). */
  #announced = new Set<string>();
  #clock: ReturnType<typeof setInterval> | undefined;
  #placeFrame = 0;
  /** Move focus back to the bell when the panel closes (not after a click elsewhere). */
  #restoreFocus = false;

  /** Opens the panel. */
  show(): void {
    this.open = true;
  }

  /** Closes the panel. */
  hide(): void {
    this.open = false;
  }

  /** Opens or closes the panel. */
  toggle(): void {
    this.open = !this.open;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#followLive();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#followLive();
    this.#stopOpenListeners();
    // A popover leaves the top layer with its element; keep `open` (and aria-expanded) truthful.
    this.open = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#notifications.setStore(this.client?.notifications.store);
    this.#push.setStore(this.client?.notifications.push.store);
    this.#followLive();
    this.#findArrivals();
    if (changed.has('serviceWorkerUrl') && changed.get('serviceWorkerUrl') !== undefined) this.#refreshPush();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('open') && (this.open || changed.get('open') !== undefined)) this.#onOpenChanged();
    if (this.open) this.#schedulePlacement();
  }

  /** Holds the live stream of the current client while connected; lets go of the previous one. */
  #followLive(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#liveClient) return;
    for (const release of this.#releaseLive) release();
    this.#releaseLive = [];
    this.#liveClient = client;
    if (!client) return;
    this.#releaseLive = [
      client.notifications.connect(),
      client.live.on('notification', (notification) => this.#onLiveNotification(notification)),
    ];
    this.#refreshPush();
  }

  #refreshPush(): void {
    void this.client?.notifications.push
      .refresh({ serviceWorkerUrl: this.serviceWorkerUrl })
      .catch(() => undefined);
  }

  // ── Rendering ───────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    const model = this.#notifications.value;
    const unread = model?.unreadCount ?? 0;
    const bellLabel = unread === 0 ? this.label : `${this.label}, ${unread} unread`;
    return html`
      <button
        part="bell"
        class="bell"
        type="button"
        aria-label=${bellLabel}
        aria-haspopup="dialog"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="panel"
        @click=${this.#onBellClick}
        @keydown=${this.#onKeydown}
      >
        <svg part="bell-icon" class="bell-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            d="M18 16v-5a6 6 0 1 0-12 0v5l-1.6 2.1a.6.6 0 0 0 .5.9h14.2a.6.6 0 0 0 .5-.9L18 16ZM10 21.5a2.2 2.2 0 0 0 4 0"
          />
        </svg>
        <span part="badge" class="badge" aria-hidden="true" ?hidden=${unread === 0}
          >${unread > 99 ? '99+' : unread}</span
        >
      </button>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.politeAnnouncement}</div>
      <div class="visually-hidden" aria-live="assertive" aria-atomic="true">
        ${this.assertiveAnnouncement}
      </div>
      <div
        part="panel"
        id="panel"
        class="hub-root panel ${this.open ? 'is-open' : ''}"
        role="dialog"
        aria-labelledby="title"
        tabindex="-1"
        popover=${supportsPopover ? 'manual' : nothing}
        @keydown=${this.#onKeydown}
        @focusout=${this.#onPanelFocusout}
      >
        ${this.open ? this.#renderPanel(model) : nothing}
      </div>
    `;
  }

  #renderPanel(model: NotificationsState | undefined): TemplateResult {
    const unread = model?.unreadCount ?? 0;
    // The count is known once the list loaded or the live stream said "ready".
    const countKnown = model?.status === 'ready' || model?.live === 'open';
    return html`
      <div part="header" class="header">
        <h2 part="title" class="title" id="title">${this.label}</h2>
        <span class="summary">${!countKnown ? '' : unread === 0 ? 'All read' : `${unread} unread`}</span>
        <button
          part="mark-all-button"
          class="text-button"
          type="button"
          ?disabled=${unread === 0}
          @click=${this.#onMarkAllRead}
        >
          Mark all read
        </button>
      </div>
      <div class="scroller">
        ${this.#loadTask.render({
          initial: () => this.#renderSkeleton(),
          // Items while the first load runs are the page cached on an earlier visit: shown at once.
          pending: () =>
            model?.status === 'ready' || model?.items.length
              ? this.#renderList(model)
              : this.#renderSkeleton(),
          complete: () => (model ? this.#renderList(model) : this.#renderSkeleton()),
          error: (error) => (model?.status === 'ready' ? this.#renderList(model) : this.#renderError(error)),
        })}
      </div>
      <div class="footer">${this.#renderPush()} ${this.#renderTest()}</div>
    `;
  }

  #renderList(model: NotificationsState): TemplateResult {
    if (model.items.length === 0) {
      return html`
        <div part="message" class="message empty" role="status">
          ${icon('check', 'message-icon')}
          <p class="message-title">You’re all caught up</p>
          <p class="message-detail">New notifications about chats, calls and sessions appear here.</p>
        </div>
      `;
    }
    const now = Date.now();
    return html`
      <ul part="list" class="list" aria-label=${this.label} @keydown=${this.#onListKeydown}>
        ${repeat(
          model.items,
          (item) => item.id,
          (item) => this.#renderItem(item, now),
        )}
      </ul>
      ${
        model.hasMore
          ? html`<button
              part="load-more-button"
              class="load-more"
              type="button"
              ?disabled=${model.loadingMore}
              @click=${this.#onLoadMore}
            >
              ${model.loadingMore ? 'Loading…' : 'Show older notifications'}
            </button>`
          : nothing
      }
    `;
  }

  #renderItem(item: HubNotification, now: number): TemplateResult {
    const urgent = item.priority === 'urgent';
    const unread = item.readAt === null;
    const classes = [
      'item',
      unread ? 'unread' : 'read',
      urgent ? 'urgent' : '',
      this.arrivals.has(item.id) ? 'arrived' : '',
    ].join(' ');
    return html`
      <li part="item" class=${classes}>
        <button
          part="item-button"
          class="item-button"
          type="button"
          data-id=${item.id}
          @click=${this.#onItemClick}
        >
          <span part="item-icon" class="item-icon kind-${kindGroup(item.kind)}" aria-hidden="true"
            >${icon(kindGroup(item.kind), 'kind-icon')}</span
          >
          <span class="item-main">
            <span class="item-head">
              ${urgent ? html`<span part="urgent-label" class="urgent-label">Urgent</span>` : nothing}
              <span part="item-title" class="item-title">${item.title}</span>
            </span>
            ${item.body ? html`<span part="item-body" class="item-body">${item.body}</span>` : nothing}
            <time
              part="item-time"
              class="item-time"
              datetime=${item.createdAt}
              title=${absoluteTime(item.createdAt)}
              >${relativeTime(item.createdAt, now)}</time
            >
          </span>
          <span part="unread-dot" class="unread-dot" ?hidden=${!unread}
            ><span class="visually-hidden">Unread</span></span
          >
        </button>
      </li>
    `;
  }

  #renderSkeleton(): TemplateResult {
    return html`
      <div part="skeleton" class="skeleton" aria-hidden="true">
        ${[0, 1, 2].map(
          () =>
            html`<div class="skeleton-row">
              <span class="bone circle"></span>
              <span class="skeleton-lines"
                ><span class="bone line"></span><span class="bone line short"></span
              ></span>
            </div>`,
        )}
      </div>
      <span class="visually-hidden" role="status">Loading notifications…</span>
    `;
  }

  #renderError(error: unknown): TemplateResult {
    const { detail, requestId } = describeError(error, { showOtherMessages: true });
    return html`
      <div part="message" class="message error" role="alert">
        ${icon('alert', 'message-icon')}
        <p class="message-title">Couldn’t load your notifications</p>
        <p class="message-detail">${detail}</p>
        ${requestId ? html`<p class="message-meta">Request ID ${requestId}</p>` : nothing}
        <button part="retry-button" class="button" type="button" @click=${this.#onRetry}>Retry</button>
      </div>
    `;
  }

  #renderPush(): TemplateResult {
    const push = this.#push.value;
    if (!push?.checked) {
      return html`<div part="push" class="push"><span class="bone line"></span></div>`;
    }
    const { text, detail, action } = this.#pushCopy(push);
    return html`
      <div part="push" class="push state-${push.state}">
        ${icon(push.state === 'subscribed' ? 'bell-on' : push.state === 'denied' ? 'bell-off' : 'bell', 'push-icon')}
        <div class="push-text">
          <p class="push-title">${text}</p>
          ${detail ? html`<p class="push-detail">${detail}</p>` : nothing}
        </div>
        ${
          action
            ? html`<button
                part="push-button"
                class=${action.primary ? 'button small' : 'text-button'}
                type="button"
                ?disabled=${push.busy}
                @click=${action.run}
              >
                ${push.busy ? action.busyLabel : action.label}
              </button>`
            : nothing
        }
      </div>
    `;
  }

  #pushCopy(push: PushStoreState): {
    text: string;
    detail?: string;
    action?: { label: string; busyLabel: string; primary: boolean; run: () => void };
  } {
    switch (push.state) {
      case 'unsupported':
        return {
          text: 'Browser notifications aren’t available here',
          detail:
            push.reason === 'insecure-context'
              ? 'They need a secure (https) page.'
              : push.reason === 'needs-service-worker-url'
                ? 'This site hasn’t set them up yet. You’ll still see everything here.'
                : 'This browser can’t receive them. You’ll still see everything here.',
        };
      case 'denied':
        return {
          text: 'Browser notifications are blocked',
          detail:
            'To allow them, open the site settings (the icon left of the address), set Notifications to Allow, then reload the page.',
        };
      case 'prompt':
        return {
          text: 'Get browser notifications',
          detail: 'Calls, messages and reminders, also when this tab is in the background.',
          action: { label: 'Enable', busyLabel: 'Enabling…', primary: true, run: this.#onEnablePush },
        };
      case 'unsubscribed':
        return {
          text: 'Browser notifications are off',
          detail: 'Turn them on to hear about calls and messages in the background.',
          action: { label: 'Turn on', busyLabel: 'Turning on…', primary: true, run: this.#onEnablePush },
        };
      case 'subscribed':
        return {
          text: 'Browser notifications are on',
          detail: 'For this browser.',
          action: { label: 'Turn off', busyLabel: 'Turning off…', primary: false, run: this.#onDisablePush },
        };
    }
  }

  #renderTest(): TemplateResult {
    const feedback =
      this.notice ??
      this.#testTask.render({
        pending: () => ({ tone: 'info' as const, text: 'Sending…' }),
        complete: (answer) => ({
          tone: 'info' as const,
          text: answer.devices.some((device) => device.platform === 'web')
            ? 'Sent — it should appear here and as a browser notification.'
            : 'Sent — it should appear here in a moment.',
        }),
        error: (error) => ({
          tone: 'error' as const,
          text: `Couldn’t send the test. ${describeError(error, { showOtherMessages: true }).detail}`,
        }),
      });
    return html`
      <div class="test-row">
        <button
          part="test-button"
          class="secondary-button"
          type="button"
          ?disabled=${this.#testTask.status === TaskStatus.PENDING}
          @click=${this.#onSendTest}
        >
          Send me a test
        </button>
        <p part="feedback" class="feedback ${feedback?.tone ?? ''}" role="status">${feedback?.text ?? ''}</p>
      </div>
    `;
  }

  // ── Opening, closing, placing ───────────────────────────────────────────────────────────────────────

  #onOpenChanged(): void {
    const panel = this.panel;
    if (!panel) return;
    if (this.open) {
      if (supportsPopover && !panel.matches(':popover-open')) panel.showPopover();
      this.#place();
      this.#startOpenListeners();
      this.#refreshPush();
      void loadRelativeTime().then(() => this.requestUpdate());
      panel.focus({ preventScroll: true });
    } else {
      if (supportsPopover && panel.matches(':popover-open')) panel.hidePopover();
      this.#stopOpenListeners();
      this.notice = undefined;
      if (this.#restoreFocus) this.bell?.focus();
    }
    this.#restoreFocus = false;
  }

  #close(restoreFocus: boolean): void {
    if (!this.open) return;
    this.#restoreFocus = restoreFocus;
    this.open = false;
  }

  #startOpenListeners(): void {
    document.addEventListener('pointerdown', this.#onDocumentPointerdown, true);
    window.addEventListener('resize', this.#schedulePlacement);
    window.addEventListener('scroll', this.#schedulePlacement, true);
    clearInterval(this.#clock);
    this.#clock = setInterval(() => this.requestUpdate(), CLOCK_MS);
  }

  #stopOpenListeners(): void {
    document.removeEventListener('pointerdown', this.#onDocumentPointerdown, true);
    window.removeEventListener('resize', this.#schedulePlacement);
    window.removeEventListener('scroll', this.#schedulePlacement, true);
    clearInterval(this.#clock);
    this.#clock = undefined;
    cancelAnimationFrame(this.#placeFrame);
  }

  #schedulePlacement = (): void => {
    cancelAnimationFrame(this.#placeFrame);
    this.#placeFrame = requestAnimationFrame(() => this.#place());
  };

  /** Puts the panel under the bell (or above it when there is more room there), inside the viewport. */
  #place(): void {
    const panel = this.panel;
    const bell = this.bell;
    if (!panel || !bell || !this.open) return;
    if (matchMedia(SHEET_QUERY).matches) {
      panel.classList.add('sheet');
      return;
    }
    panel.classList.remove('sheet');
    const anchor = bell.getBoundingClientRect();
    const viewportWidth = document.documentElement.clientWidth;
    const viewportHeight = window.innerHeight;
    const width = panel.offsetWidth;
    const wanted = this.placement === 'bottom-start' ? anchor.left : anchor.right - width;
    const left = Math.max(EDGE, Math.min(wanted, viewportWidth - width - EDGE));
    const below = viewportHeight - anchor.bottom - GAP - EDGE;
    const above = anchor.top - GAP - EDGE;
    const flip = below < 280 && above > below;
    panel.style.setProperty('--_panel-left', `${Math.round(left)}px`);
    panel.style.setProperty('--_panel-top', flip ? 'auto' : `${Math.round(anchor.bottom + GAP)}px`);
    panel.style.setProperty(
      '--_panel-bottom',
      flip ? `${Math.round(viewportHeight - anchor.top + GAP)}px` : 'auto',
    );
    panel.style.setProperty('--_panel-room', `${Math.max(160, Math.floor(flip ? above : below))}px`);
    panel.classList.toggle('above', flip);
  }

  #onBellClick = (): void => {
    this.#restoreFocus = this.open;
    this.toggle();
  };

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.open) return;
    event.preventDefault();
    event.stopPropagation();
    this.#close(true);
  };

  #onDocumentPointerdown = (event: PointerEvent): void => {
    const path = event.composedPath();
    const panel = this.panel;
    if (panel && path.includes(panel)) {
      // A press on the sheet's backdrop is dispatched to the panel itself: check where it landed.
      const box = panel.getBoundingClientRect();
      const inside =
        event.clientX >= box.left &&
        event.clientX <= box.right &&
        event.clientY >= box.top &&
        event.clientY <= box.bottom;
      if (inside) return;
    } else if (path.includes(this)) {
      return;
    }
    this.#close(false);
  };

  #onPanelFocusout = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null;
    // Focus left for the page (Tab past the end, or a click elsewhere): close without pulling it back.
    if (next && !this.contains(next) && !this.renderRoot.contains(next)) this.#close(false);
  };

  #onListKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End')
      return;
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.item-button')];
    const index = buttons.indexOf(event.target as HTMLButtonElement);
    if (index < 0) return;
    const next =
      event.key === 'Home'
        ? buttons[0]
        : event.key === 'End'
          ? buttons.at(-1)
          : buttons[index + (event.key === 'ArrowDown' ? 1 : -1)];
    event.preventDefault();
    next?.focus();
  };

  // ── Intent ──────────────────────────────────────────────────────────────────────────────────────────

  #onItemClick = (event: Event): void => {
    const id = (event.currentTarget as HTMLElement).dataset.id;
    const notification = this.#notifications.value?.items.find((item) => item.id === id);
    const client = this.client;
    if (!notification || !client) return;
    if (notification.readAt === null) {
      client.notifications.markRead([notification.id]).catch(() => {
        this.notice = { tone: 'error', text: 'Couldn’t mark it as read. Check your connection.' };
      });
    }
    const link = deepLink(notification.data as Record<string, string | undefined>);
    const proceed = emit(this, 'hub-notification-open', { notification, link }, { cancelable: true });
    if (!proceed) return;
    this.#close(true);
    location.hash = link;
  };

  #onMarkAllRead = (): void => {
    this.notice = undefined;
    this.client?.notifications.markAllRead().catch(() => {
      this.notice = { tone: 'error', text: 'Couldn’t mark them as read. Check your connection.' };
    });
  };

  #onLoadMore = (): void => {
    this.client?.notifications.loadMore().catch(() => {
      this.notice = { tone: 'error', text: 'Couldn’t load older notifications. Try again.' };
    });
  };

  #onRetry = (): void => {
    void this.#loadTask.run();
  };

  #onSendTest = (): void => {
    this.notice = undefined;
    void this.#testTask.run();
  };

  #onEnablePush = (): void => {
    const push = this.client?.notifications.push;
    if (!push) return;
    this.notice = undefined;
    // Called straight from the click, so the browser shows its permission prompt.
    push.enable({ serviceWorkerUrl: this.serviceWorkerUrl }).then(
      (result) => {
        if (result === 'prompt') {
          this.notice = { tone: 'info', text: 'Nothing changed: the browser’s question was dismissed.' };
        }
      },
      (error: unknown) => {
        this.notice = {
          tone: 'error',
          text: `Couldn’t turn on browser notifications. ${describeError(error, { showOtherMessages: true }).detail}`,
        };
      },
    );
  };

  #onDisablePush = (): void => {
    this.notice = undefined;
    this.client?.notifications.push
      .disable({ serviceWorkerUrl: this.serviceWorkerUrl })
      .catch((error: unknown) => {
        this.notice = {
          tone: 'error',
          text: `Couldn’t turn off browser notifications. ${describeError(error, { showOtherMessages: true }).detail}`,
        };
      });
  };

  #onLiveNotification(notification: HubNotification): void {
    if (this.#announced.has(notification.id)) return;
    this.#announced.add(notification.id);
    if (this.#announced.size > 100) this.#announced = new Set([...this.#announced].slice(-50));
    const text = `New notification: ${notification.title}`;
    if (notification.priority === 'urgent') this.assertiveAnnouncement = text;
    else this.politeAnnouncement = text;
  }

  /** Marks notifications that appeared at the top since the last update (live ones) to slide in. */
  #findArrivals(): void {
    const model = this.#notifications.value;
    if (model?.status !== 'ready') {
      this.#previousItems = undefined;
      return;
    }
    const previous = this.#previousItems;
    this.#previousItems = model.items;
    if (!previous || previous === model.items) return;
    const known = new Set(previous.map((item) => item.id));
    const newest = previous[0]?.createdAt ?? '';
    const arrived = model.items.filter((item) => !known.has(item.id) && item.createdAt >= newest);
    if (arrived.length === 0) return;
    this.arrivals = new Set([...this.arrivals, ...arrived.map((item) => item.id)]);
    setTimeout(() => {
      const rest = new Set(this.arrivals);
      for (const item of arrived) rest.delete(item.id);
      this.arrivals = rest;
    }, ARRIVAL_MS);
  }
}

type IconName = 'chat' | 'call' | 'session' | 'test' | 'check' | 'alert' | 'bell' | 'bell-on' | 'bell-off';

function kindGroup(kind: string): 'chat' | 'call' | 'session' | 'test' {
  if (kind.startsWith('chat.')) return 'chat';
  if (kind.startsWith('call.')) return 'call';
  if (kind.startsWith('session.')) return 'session';
  return 'test';
}

const ICON_PATHS: Record<IconName, SVGTemplateResult> = {
  chat: svg`<path d="M20 14.5a2 2 0 0 1-2 2H8.5L4 20V6a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v8.5Z" />`,
  call: svg`<path d="M21 16.4v2.8a1.9 1.9 0 0 1-2 1.9A18.6 18.6 0 0 1 2.9 5a1.9 1.9 0 0 1 1.9-2h2.8a1.9 1.9 0 0 1 1.9 1.6c.1.9.4 1.8.7 2.6a1.9 1.9 0 0 1-.4 2L8.5 10.4a15 15 0 0 0 5.1 5.1l1.2-1.2a1.9 1.9 0 0 1 2-.4c.8.3 1.7.6 2.6.7a1.9 1.9 0 0 1 1.6 1.8Z" />`,
  session: svg`<path d="M7 3v3M17 3v3M4 9h16M5 5h14a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Z" />`,
  test: svg`<path d="M9 3h6M10 3v5.5L4.8 17.6A2.3 2.3 0 0 0 6.8 21h10.4a2.3 2.3 0 0 0 2-3.4L14 8.5V3M7.5 14h9" />`,
  check: svg`<path d="M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM8 12.5l2.7 2.7L16.2 9.5" />`,
  alert: svg`<path d="M12 8v5M12 16.5v.01M10.3 3.9 2.4 17.6A2 2 0 0 0 4.1 20.6h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />`,
  bell: svg`<path d="M18 16v-5a6 6 0 1 0-12 0v5l-1.6 2.1a.6.6 0 0 0 .5.9h14.2a.6.6 0 0 0 .5-.9L18 16ZM10 21.5a2.2 2.2 0 0 0 4 0" />`,
  'bell-on': svg`<path d="M18 16v-5a6 6 0 1 0-12 0v5l-1.6 2.1a.6.6 0 0 0 .5.9h14.2a.6.6 0 0 0 .5-.9L18 16ZM10 21.5a2.2 2.2 0 0 0 4 0M9.5 11.5l1.8 1.8 3.4-3.6" />`,
  'bell-off': svg`<path d="M18 11a6 6 0 0 0-9.7-4.7M6.2 9.2A6 6 0 0 0 6 11v5l-1.6 2.1a.6.6 0 0 0 .5.9H17M10 21.5a2.2 2.2 0 0 0 4 0M3 3l18 18" />`,
};

function icon(name: IconName, className: string): TemplateResult {
  return html`<svg class=${className} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    ${ICON_PATHS[name]}
  </svg>`;
}
