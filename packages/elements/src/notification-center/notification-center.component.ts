import { Task, initialState } from '@lit/task';
import { deepLink } from '@teacher-hub/core';
import { describeError } from '../base/describe-error.ts';
import type {
  HubClient,
  HubNotification,
  NotificationsState,
  PushStoreState,
  TestNotificationResponse,
} from '@teacher-hub/core';
import { adoptStyles, html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import type * as PanelModule from './notification-panel.ts';
import type { PanelView } from './notification-panel.ts';
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

type PanelCode = typeof PanelModule;
let panelCode: Promise<PanelCode> | undefined;
/** The panel's code and styles (a chunk of their own), loaded once for every bell on the page. */
const loadPanelCode = (): Promise<PanelCode> =>
  (panelCode ??= import('./notification-panel.ts').catch((error: unknown) => {
    panelCode = undefined; // a failed download is tried again next time
    throw error;
  }));

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
 * The badge needs only this module: the panel's code and styles (list, browser notifications, test) are a
 * chunk of their own, loaded when the pointer first goes over the bell, it gets focus, or it opens (it
 * opens as soon as they are there), and with them the web push service.
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
  /** The panel's code once loaded and its styles adopted by this element. */
  #panelCode: PanelCode | undefined;
  #preparing: Promise<PanelCode> | undefined;

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
    if (changed.has('serviceWorkerUrl') && changed.get('serviceWorkerUrl') !== undefined && this.#panelCode) {
      this.#refreshPush();
    }
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
    if (this.#panelCode) this.#refreshPush();
  }

  /**
   * Loads the panel's code, adopts its styles and looks at web push (shown only in the panel, whose code
   * loads its service): on the first pointer over the bell, focus on it, or opening. The badge needs none
   * of it. Resolves with the code.
   */
  #preparePanel = (): Promise<PanelCode> => {
    this.#preparing ??= loadPanelCode().then((code) => {
      const root = this.renderRoot;
      if (root instanceof ShadowRoot) {
        adoptStyles(root, [
          ...(this.constructor as typeof NotificationCenter).elementStyles,
          code.panelStyles,
        ]);
      }
      this.#panelCode = code;
      this.#refreshPush();
      this.requestUpdate();
      return code;
    });
    this.#preparing.catch(() => (this.#preparing = undefined));
    return this.#preparing;
  };

  /** The pointer is over the bell or focus is on it: an open is likely, get its code ready. */
  #prefetchPanel = (): void => {
    this.#preparePanel().catch(() => undefined);
  };

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
        @pointerenter=${this.#prefetchPanel}
        @focus=${this.#prefetchPanel}
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
        ${this.open && this.#panelCode ? this.#panelCode.renderPanel(this.#panelView(), model) : nothing}
      </div>
    `;
  }

  #panelView(): PanelView {
    return {
      label: this.label,
      loadTask: this.#loadTask,
      testTask: this.#testTask,
      push: this.#push.value,
      arrivals: this.arrivals,
      notice: this.notice,
      markAllRead: this.#onMarkAllRead,
      loadMore: this.#onLoadMore,
      retry: this.#onRetry,
      sendTest: this.#onSendTest,
      enablePush: this.#onEnablePush,
      disablePush: this.#onDisablePush,
      openItem: this.#onItemClick,
      listKeydown: this.#onListKeydown,
    };
  }

  // ── Opening, closing, placing ───────────────────────────────────────────────────────────────────────

  #onOpenChanged(): void {
    const panel = this.panel;
    if (!panel) return;
    if (this.open) {
      if (!this.#panelCode) {
        // The panel shows with what is inside it: its code first (usually loaded already, by the pointer
        // over the bell or focus on it; `open` and `aria-expanded` say it is opening meanwhile).
        this.#preparePanel().then(
          () => this.open && this.#onOpenChanged(),
          () => (this.open = false), // offline: the bell stays as it was
        );
        return;
      }
      if (supportsPopover && !panel.matches(':popover-open')) panel.showPopover();
      this.#place();
      this.#startOpenListeners();
      this.#refreshPush();
      void this.#panelCode.loadRelativeTime().then(() => this.requestUpdate());
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
