import { Task, initialState } from '@lit/task';
import { occurrenceKey } from '@teacher-hub/core';
import type { CallsState, HubClient, Occurrence, SessionType, SessionsState } from '@teacher-hub/core';
import { START_EARLY_MINUTES } from '@teacher-hub/protocol/session-constants';
import { html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import { signedInUser } from '../session-calendar/sessions-client.ts';
import { duration, fullDateTime, startsIn, timeOfDay } from './session-time.ts';
import styles from './upcoming-sessions.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /**
     * `<upcoming-sessions>` (and other session views): the user opens a session's chat. Cancelable:
     * `preventDefault()` keeps the link from setting `location.hash` to `#chat/<chatId>`.
     */
    'hub-open-chat': { chatId: string };
    /** `<upcoming-sessions>`: the user joins a live session (fired before joining). */
    'hub-session-join': { sessionId: string; occurrenceStart: string };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-open-chat': HubEvent<'hub-open-chat'>;
    'hub-session-join': HubEvent<'hub-session-join'>;
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Sessions last at most 12 hours: loading from this far back finds every one still going on. */
const LOOKBACK_MS = 12 * HOUR;
/** Relative times are redrawn this often. */
const CLOCK_MS = 30_000;
const START_EARLY_MS = START_EARLY_MINUTES * 60_000;

/** How each type is named. */
export const SESSION_TYPE_LABELS: Record<SessionType, string> = {
  class: 'Class',
  one_on_one: 'One-on-one',
  group: 'Group meeting',
};

/** Whether the page is in this occurrence's room now. */
function inRoom(calls: CallsState['active'] | undefined, occurrence: Occurrence): boolean {
  return (
    calls?.session?.sessionId === occurrence.sessionId &&
    calls.session.occurrenceStart === occurrence.occurrenceStart &&
    calls.connection !== 'left' &&
    calls.connection !== 'ended' &&
    calls.connection !== 'failed'
  );
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** An occurrence moved away from its original start. */
const isMoved = (occurrence: Occurrence): boolean =>
  occurrence.status !== 'cancelled' &&
  Date.parse(occurrence.startsAt) !== Date.parse(occurrence.occurrenceStart);

/**
 * The user's next scheduled sessions, for a student's dashboard (it works for teachers too): each with
 * its title, type and when it starts in words ("in 15 minutes", "tomorrow at 16:00"; the full local date
 * and time in the `<time>`'s tooltip), a status chip (Live now, Cancelled, Moved), a Join button while it
 * is live, and a link to the session's chat.
 *
 * The list follows the live stream: a session the teacher starts shows Live now and Join at once (and is
 * announced to screen readers), a moved, cancelled or newly scheduled one updates in place. Join enters the
 * session's room through `client.sessions.join()`, and `<call-overlay>` on the page shows the call.
 * Live sessions come first, then the next ones in start order; `limit` of them show, and a button reveals
 * the rest. The chat link points at `#chat/<chatId>` (where `<hub-chat>` in the host's hub page can pick it
 * up) and fires `hub-open-chat`; cancel that event to route yourself.
 *
 * On narrow containers (under 28rem) each session's buttons move under its text.
 *
 * @tag upcoming-sessions
 * @summary The user's next sessions with relative times, a live-now Join button and the chat link.
 *
 * @event {CustomEvent<{chatId: string}>} hub-open-chat - The user opened a session's chat. Cancelable:
 * `preventDefault()` stops the link's navigation to `#chat/<chatId>`.
 * @event {CustomEvent<{sessionId: string, occurrenceStart: string}>} hub-session-join - The user joins a
 * live session (fired before joining).
 *
 * @csspart base - The element's frame.
 * @csspart header - The title row.
 * @csspart heading - The title ("Upcoming sessions").
 * @csspart list - The list of sessions.
 * @csspart item - One session (`<li>`); also `live`, `cancelled` or `moved` by its status.
 * @csspart item-title - A session's title.
 * @csspart time - When a session starts (`<time>`).
 * @csspart duration - How long it lasts.
 * @csspart type - Its type (Class, One-on-one, Group meeting).
 * @csspart status - The status chip (Live now, Cancelled, Moved).
 * @csspart join-button - The Join button of a live session.
 * @csspart chat-link - The link to a session's chat.
 * @csspart more-button - Shows the sessions beyond `limit`.
 * @csspart skeleton - The placeholder shown while loading.
 * @csspart message - The empty and error messages.
 * @csspart retry-button - The error message's Retry button.
 * @csspart error - A failed join, in words.
 *
 * @cssproperty --hub-upcoming-sessions-background - The frame. Defaults to `--hub-color-surface`.
 * @cssproperty --hub-upcoming-sessions-live-color - The Live now chip, stripe and Join button. Default #15803d.
 * @cssproperty --hub-upcoming-sessions-class-color - The stripe of classes. Defaults to `--hub-color-accent`.
 * @cssproperty --hub-upcoming-sessions-one-on-one-color - The stripe of one-on-one sessions. Default #0e7490.
 * @cssproperty --hub-upcoming-sessions-group-color - The stripe of group meetings. Default #b45309.
 */
export class UpcomingSessions extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** How many days ahead to list. Default 14. */
  @property({ type: Number }) days = 14;

  /** How many sessions show before "Show … more". Default 5. */
  @property({ type: Number }) limit = 5;

  /** The title above the list. */
  @property() label = 'Upcoming sessions';

  @state() private now = Date.now();
  /** Whether the sessions beyond `limit` show. */
  @state() private expanded = false;
  /** The occurrence (key) whose Join is under way. */
  @state() private joining: string | undefined;
  @state() private joinError: { key: string; message: string } | undefined;
  /** The text read to screen readers when a session goes live. */
  @state() private announcement = '';

  readonly #occurrences = new StoreController(
    this,
    undefined,
    (sessionsState: SessionsState) => sessionsState.occurrences,
  );
  /** Whether the occurrences shown came from the client's cache (the first load still runs). */
  readonly #cached = new StoreController(
    this,
    undefined,
    (sessionsState: SessionsState) => sessionsState.cached,
  );
  readonly #activeCall = new StoreController(this, undefined, (callsState: CallsState) => callsState.active);
  /** Who is signed in: the owner of a due session gets Start instead of "waiting for the teacher". */
  readonly #userTask = new Task(this, {
    task: async ([client]) => (client ? (await signedInUser(client)).id : initialState),
    args: () => [this.client] as const,
  });
  readonly #loadTask = new Task(this, {
    task: async ([client, days]) => {
      if (!client) return initialState;
      const now = Date.now();
      // Whole hours, so that elements on a page (and reloads) ask for the same range.
      const from = Math.floor((now - LOOKBACK_MS) / HOUR) * HOUR;
      const to = Math.ceil((now + Math.max(1, days) * DAY) / HOUR) * HOUR;
      await client.sessions.load({ from: new Date(from), to: new Date(to) });
      this.#loadedFor = client;
      return undefined;
    },
    args: () => [this.client, this.days] as const,
  });

  /** The client whose sessions this element holds, and how to let go of them. */
  #heldClient: HubClient | undefined;
  #release: (() => void) | undefined;
  /** The client whose sessions have loaded once: later loads keep the list up while they run. */
  #loadedFor: HubClient | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  /** Keys of the sessions live at the last update: one going live is announced. */
  #liveKeys: Set<string> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hold();
    this.now = Date.now();
    this.#clock ??= setInterval(() => (this.now = Date.now()), CLOCK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hold();
    clearInterval(this.#clock);
    this.#clock = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#hold();
    this.#announceLive();
  }

  /** Holds the current client's sessions (live stream) while connected. */
  #hold(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#heldClient) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldClient = client;
    this.#liveKeys = undefined;
    this.#occurrences.setStore(client?.sessions.store);
    this.#cached.setStore(client?.sessions.store);
    this.#activeCall.setStore(client?.calls.store);
    if (client) this.#release = client.sessions.connect();
  }

  /** The sessions to show, live ones first, then by start. */
  #visible(): Occurrence[] {
    const occurrences = this.#occurrences.value;
    if (!occurrences) return [];
    const until = this.now + Math.max(1, this.days) * DAY;
    return Object.values(occurrences)
      .filter(
        (occurrence) =>
          occurrence.status === 'live' ||
          (occurrence.status !== 'ended' &&
            Date.parse(occurrence.endsAt) > this.now &&
            Date.parse(occurrence.startsAt) < until),
      )
      .sort(
        (a, b) =>
          Number(b.status === 'live') - Number(a.status === 'live') ||
          Date.parse(a.startsAt) - Date.parse(b.startsAt),
      );
  }

  #announceLive(): void {
    if (this.#loadedFor !== this.client) return;
    const live = this.#visible().filter((occurrence) => occurrence.status === 'live');
    const keys = new Set(live.map(occurrenceKey));
    const previous = this.#liveKeys;
    this.#liveKeys = keys;
    if (!previous) return;
    const started = live.filter((occurrence) => !previous.has(occurrenceKey(occurrence)));
    if (started.length > 0) {
      this.announcement = started.map((occurrence) => `${occurrence.title} is live now.`).join(' ');
    }
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    return html`
      <section class="hub-root frame" part="base" aria-labelledby="heading">
        <header class="header" part="header">
          <h2 class="heading" part="heading" id="heading">${this.label}</h2>
        </header>
        ${this.#loadTask.render({
          initial: () => this.#renderSkeleton(),
          pending: () =>
            this.#loadedFor === this.client || this.#cached.value
              ? this.#renderList()
              : this.#renderSkeleton(),
          complete: () => this.#renderList(),
          error: (error) => (this.#loadedFor === this.client ? this.#renderList() : this.#renderError(error)),
        })}
        <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      </section>
    `;
  }

  #renderSkeleton(): TemplateResult {
    const row = html`<div class="skeleton-row">
      <span class="bone line short"></span><span class="bone line"></span><span class="bone line tiny"></span>
    </div>`;
    return html`<div class="skeleton" part="skeleton" aria-hidden="true">${row}${row}${row}</div>
      <p class="visually-hidden" role="status">Loading sessions…</p>`;
  }

  #renderError(error: unknown): TemplateResult {
    const { detail, requestId } = describeError(error);
    return html`<div class="message error" part="message" role="alert">
      <p class="message-title">Your sessions could not be loaded.</p>
      <p class="message-detail">${detail}</p>
      ${requestId ? html`<p class="request-id">Request ${requestId}</p>` : nothing}
      <button class="button" part="retry-button" type="button" @click=${() => void this.#loadTask.run()}>
        Retry
      </button>
    </div>`;
  }

  #renderList(): TemplateResult {
    const visible = this.#visible();
    if (visible.length === 0) {
      const days = Math.max(1, this.days);
      return html`<div class="message" part="message" role="status">
        <p class="message-title">No sessions in the next ${days === 1 ? 'day' : `${days} days`}</p>
        <p class="message-detail">Scheduled sessions will appear here.</p>
      </div>`;
    }
    const limit = Math.max(1, this.limit);
    const shown = this.expanded ? visible : visible.slice(0, limit);
    const hidden = visible.length - shown.length;
    return html`
      <ul class="list" part="list" aria-labelledby="heading">
        ${repeat(shown, occurrenceKey, (occurrence, index) => this.#renderItem(occurrence, index))}
      </ul>
      ${
        hidden > 0 || (this.expanded && visible.length > limit)
          ? html`<button
              class="more"
              part="more-button"
              type="button"
              aria-expanded=${this.expanded ? 'true' : 'false'}
              @click=${() => (this.expanded = !this.expanded)}
            >
              ${this.expanded ? 'Show fewer' : `Show ${hidden} more`}
            </button>`
          : nothing
      }
    `;
  }

  #renderItem(occurrence: Occurrence, index: number): TemplateResult {
    const key = occurrenceKey(occurrence);
    const titleId = `session-${index}`;
    const live = occurrence.status === 'live';
    const cancelled = occurrence.status === 'cancelled';
    const moved = isMoved(occurrence);
    const statusPart = live ? 'live' : cancelled ? 'cancelled' : moved ? 'moved' : '';
    const start = Date.parse(occurrence.startsAt);
    const owner = typeof this.#userTask.value === 'string' && occurrence.ownerId === this.#userTask.value;
    const startable =
      owner &&
      occurrence.status === 'scheduled' &&
      this.now >= start - START_EARLY_MS &&
      this.now < Date.parse(occurrence.endsAt);
    const when =
      occurrence.status === 'scheduled' && start <= this.now
        ? owner
          ? `due at ${timeOfDay(start)}`
          : `due at ${timeOfDay(start)}, waiting for the teacher`
        : startsIn(occurrence.startsAt, this.now);
    const error = this.joinError?.key === key ? this.joinError.message : '';
    return html`
      <li
        class="item type-${occurrence.type} ${statusPart}"
        part="item ${statusPart}"
        aria-labelledby=${titleId}
      >
        <div class="info">
          <h3 class="item-title" part="item-title" id=${titleId}>${occurrence.title}</h3>
          <p class="when">
            <time
              part="time"
              class="time"
              datetime=${occurrence.startsAt}
              title=${fullDateTime(occurrence.startsAt)}
              >${capitalise(when)}</time
            >
            <span class="duration" part="duration"
              >· ${duration(occurrence.startsAt, occurrence.endsAt)}</span
            >
          </p>
          <p class="meta">
            <span class="type" part="type">${SESSION_TYPE_LABELS[occurrence.type] ?? occurrence.type}</span>
            ${this.#renderStatus(occurrence, live, cancelled, moved)}
          </p>
          ${error ? html`<p class="join-error" part="error" role="alert">${error}</p>` : nothing}
        </div>
        <div class="actions">
          ${live ? this.#renderJoin(occurrence, key, titleId) : nothing}
          ${startable ? this.#renderStart(occurrence, key, titleId) : nothing}
          <a
            class="chat-link"
            part="chat-link"
            href="#chat/${encodeURIComponent(occurrence.chatId)}"
            aria-describedby=${titleId}
            @click=${(event: MouseEvent) => this.#openChat(event, occurrence.chatId)}
            >Open chat</a
          >
        </div>
      </li>
    `;
  }

  #renderStatus(
    occurrence: Occurrence,
    live: boolean,
    cancelled: boolean,
    moved: boolean,
  ): TemplateResult | typeof nothing {
    if (live) return html`<span class="status live" part="status">Live now</span>`;
    if (cancelled) return html`<span class="status cancelled" part="status">Cancelled</span>`;
    if (moved) {
      return html`<span class="status moved" part="status">Moved</span>
        <span class="was"
          >was
          <time datetime=${occurrence.occurrenceStart} title=${fullDateTime(occurrence.occurrenceStart)}
            >${startsIn(occurrence.occurrenceStart, this.now)}</time
          ></span
        >`;
    }
    return nothing;
  }

  #renderJoin(occurrence: Occurrence, key: string, titleId: string): TemplateResult {
    const inSession = inRoom(this.#activeCall.value, occurrence);
    const busy = this.joining === key;
    return html`<button
      class="join"
      part="join-button"
      type="button"
      aria-describedby=${titleId}
      ?disabled=${busy || inSession}
      @click=${() => this.#join(occurrence)}
    >
      ${inSession ? 'Joined' : busy ? 'Joining…' : 'Join'}
    </button>`;
  }

  #renderStart(occurrence: Occurrence, key: string, titleId: string): TemplateResult {
    const busy = this.joining === key;
    return html`<button
      class="join"
      part="start-button"
      type="button"
      aria-describedby=${titleId}
      ?disabled=${busy}
      @click=${() => this.#start(occurrence)}
    >
      ${busy ? 'Starting…' : 'Start'}
    </button>`;
  }

  // ── Actions ───────────────────────────────────────────────────────────────────────────────────────

  /** The owner starts a due occurrence: the invitees are alerted, and she goes in as the calendar does. */
  async #start(occurrence: Occurrence): Promise<void> {
    const sessions = this.client?.sessions;
    if (!sessions || this.joining) return;
    const key = occurrenceKey(occurrence);
    this.joining = key;
    this.joinError = undefined;
    try {
      await sessions.start(occurrence.sessionId, occurrence.occurrenceStart);
      await sessions.join(occurrence.sessionId);
    } catch (error) {
      this.joinError = {
        key,
        message: `Could not start: ${describeError(error, { showOtherMessages: true }).detail}`,
      };
    } finally {
      this.joining = undefined;
    }
  }

  async #join(occurrence: Occurrence): Promise<void> {
    const sessions = this.client?.sessions;
    if (!sessions || this.joining) return;
    const key = occurrenceKey(occurrence);
    emit(this, 'hub-session-join', {
      sessionId: occurrence.sessionId,
      occurrenceStart: occurrence.occurrenceStart,
    });
    this.joining = key;
    this.joinError = undefined;
    try {
      await sessions.join(occurrence.sessionId);
    } catch (error) {
      this.joinError = {
        key,
        message: `Could not join: ${describeError(error, { showOtherMessages: true }).detail}`,
      };
    } finally {
      this.joining = undefined;
    }
  }

  #openChat(event: MouseEvent, chatId: string): void {
    const proceed = emit(this, 'hub-open-chat', { chatId }, { cancelable: true });
    if (!proceed) event.preventDefault();
  }
}
