import { TaskStatus } from '@lit/task';
import type { Task } from '@lit/task';
import type {
  HubNotification,
  NotificationsState,
  PushStoreState,
  TestNotificationResponse,
} from '@teacher-hub/core';
import { html, nothing, svg } from 'lit';
import type { SVGTemplateResult, TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { describeError } from '../base/describe-error.ts';
import { absoluteTime, loadRelativeTime, relativeTime } from './relative-time.ts';
import panelStyles from './notification-panel.styles.ts';

// What is inside `<notification-center>`'s panel: the list, the browser-notifications section and the test
// button, with their styles. A chunk of its own, loaded when the bell is first pointed at, focused or
// opened, so a page that only shows the bell and its count does not download it.

export { loadRelativeTime, panelStyles };

/** What the panel shows and does: the element's state and its handlers. */
export interface PanelView {
  label: string;
  /** The first load of the list (its status picks skeleton, list or error). */
  loadTask: Pick<Task<readonly unknown[], unknown>, 'render'>;
  /** The test notification's request. */
  testTask: Pick<Task<readonly unknown[], TestNotificationResponse>, 'render' | 'status'>;
  push: PushStoreState | undefined;
  /** Ids of live notifications still sliding in. */
  arrivals: ReadonlySet<string>;
  /** A one-line result of the last mark-read or push action; the test button has its own. */
  notice: { tone: 'info' | 'error'; text: string } | undefined;
  markAllRead: () => void;
  loadMore: () => void;
  retry: () => void;
  sendTest: () => void;
  enablePush: () => void;
  disablePush: () => void;
  /** Opens the notification whose button (`data-id`) was clicked. */
  openItem: (event: Event) => void;
  /** Up, Down, Home and End between the notifications. */
  listKeydown: (event: KeyboardEvent) => void;
}

export function renderPanel(view: PanelView, model: NotificationsState | undefined): TemplateResult {
  const unread = model?.unreadCount ?? 0;
  // The count is known once the list loaded or the live stream said "ready".
  const countKnown = model?.status === 'ready' || model?.live === 'open';
  return html`
    <div part="header" class="header">
      <h2 part="title" class="title" id="title">${view.label}</h2>
      <span class="summary">${!countKnown ? '' : unread === 0 ? 'All read' : `${unread} unread`}</span>
      <button
        part="mark-all-button"
        class="text-button"
        type="button"
        ?disabled=${unread === 0}
        @click=${view.markAllRead}
      >
        Mark all read
      </button>
    </div>
    <div class="scroller">
      ${view.loadTask.render({
        initial: () => renderSkeleton(),
        // Items while the first load runs are the page cached on an earlier visit: shown at once.
        pending: () =>
          model?.status === 'ready' || model?.items.length ? renderList(view, model) : renderSkeleton(),
        complete: () => (model ? renderList(view, model) : renderSkeleton()),
        error: (error) => (model?.status === 'ready' ? renderList(view, model) : renderError(view, error)),
      })}
    </div>
    <div class="footer">${renderPush(view)} ${renderTest(view)}</div>
  `;
}

function renderList(view: PanelView, model: NotificationsState): TemplateResult {
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
    <ul part="list" class="list" aria-label=${view.label} @keydown=${view.listKeydown}>
      ${repeat(
        model.items,
        (item) => item.id,
        (item) => renderItem(view, item, now),
      )}
    </ul>
    ${
      model.hasMore
        ? html`<button
            part="load-more-button"
            class="load-more"
            type="button"
            ?disabled=${model.loadingMore}
            @click=${view.loadMore}
          >
            ${model.loadingMore ? 'Loading…' : 'Show older notifications'}
          </button>`
        : nothing
    }
  `;
}

function renderItem(view: PanelView, item: HubNotification, now: number): TemplateResult {
  const urgent = item.priority === 'urgent';
  const unread = item.readAt === null;
  const classes = [
    'item',
    unread ? 'unread' : 'read',
    urgent ? 'urgent' : '',
    view.arrivals.has(item.id) ? 'arrived' : '',
  ].join(' ');
  return html`
    <li part="item" class=${classes}>
      <button part="item-button" class="item-button" type="button" data-id=${item.id} @click=${view.openItem}>
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

function renderSkeleton(): TemplateResult {
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

function renderError(view: PanelView, error: unknown): TemplateResult {
  const { detail, requestId } = describeError(error, { showOtherMessages: true });
  return html`
    <div part="message" class="message error" role="alert">
      ${icon('alert', 'message-icon')}
      <p class="message-title">Couldn’t load your notifications</p>
      <p class="message-detail">${detail}</p>
      ${requestId ? html`<p class="message-meta">Request ID ${requestId}</p>` : nothing}
      <button part="retry-button" class="button" type="button" @click=${view.retry}>Retry</button>
    </div>
  `;
}

function renderPush(view: PanelView): TemplateResult {
  const push = view.push;
  if (!push?.checked) {
    return html`<div part="push" class="push"><span class="bone line"></span></div>`;
  }
  const { text, detail, action } = pushCopy(view, push);
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

function pushCopy(
  view: PanelView,
  push: PushStoreState,
): {
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
        action: { label: 'Enable', busyLabel: 'Enabling…', primary: true, run: view.enablePush },
      };
    case 'unsubscribed':
      return {
        text: 'Browser notifications are off',
        detail: 'Turn them on to hear about calls and messages in the background.',
        action: { label: 'Turn on', busyLabel: 'Turning on…', primary: true, run: view.enablePush },
      };
    case 'subscribed':
      return {
        text: 'Browser notifications are on',
        detail: 'For this browser.',
        action: { label: 'Turn off', busyLabel: 'Turning off…', primary: false, run: view.disablePush },
      };
  }
}

function renderTest(view: PanelView): TemplateResult {
  const feedback =
    view.notice ??
    view.testTask.render({
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
        ?disabled=${view.testTask.status === TaskStatus.PENDING}
        @click=${view.sendTest}
      >
        Send me a test
      </button>
      <p part="feedback" class="feedback ${feedback?.tone ?? ''}" role="status">${feedback?.text ?? ''}</p>
    </div>
  `;
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
