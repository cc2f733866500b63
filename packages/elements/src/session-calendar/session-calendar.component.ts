import { Task, initialState } from '@lit/task';
import type { HubClient } from '@teacher-hub/core';
import type { AttendanceEntry, Occurrence, SessionType } from '@teacher-hub/protocol';
import { START_EARLY_MINUTES } from '@teacher-hub/protocol/session-constants';
import { html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import {
  addDays,
  addMonths,
  browserTimeZone,
  dayKeyOf,
  daysBetween,
  formatDay,
  formatTime,
  startOfDay,
  startOfMonth,
  startOfWeek,
  weekdayIndex,
} from './calendar-time.ts';
import { occurrenceKey, sessionsOf, signedInUser } from './sessions-client.ts';
import type { SessionsApi, SessionsState, SignedInUser } from './sessions-client.ts';
import styles from './session-calendar.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<session-calendar>`: the user opened an occurrence's details. */
    'hub-occurrence-select': { occurrence: Occurrence };
    /** `<session-calendar>`: the teacher asked to edit a session (the host shows `<session-scheduler>`). */
    'hub-session-edit': { sessionId: string; occurrenceStart: string; scope: 'series' | 'occurrence' };
    /** The user asked to open a chat (the host shows `<hub-chat>` on it). */
    'hub-open-chat': { chatId: string };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-occurrence-select': HubEvent<'hub-occurrence-select'>;
    'hub-session-edit': HubEvent<'hub-session-edit'>;
    'hub-open-chat': HubEvent<'hub-open-chat'>;
  }
}

/** The calendar's views, in the order of its segmented control. */
export const CALENDAR_VIEWS = ['month', 'week', 'agenda'] as const;
export type CalendarView = (typeof CALENDAR_VIEWS)[number];

const VIEW_LABELS: Record<CalendarView, string> = { month: 'Month', week: 'Week', agenda: 'Agenda' };
export const SESSION_TYPE_LABELS: Record<SessionType, string> = {
  class: 'Class',
  one_on_one: 'One-on-one',
  group: 'Group',
};
/** How many days the agenda shows at a time. */
const AGENDA_DAYS = 14;
/** A month cell lists this many occurrences, then "+N more" (which opens the week). */
const MONTH_CELL_LIMIT = 3;
/** The teacher may start an occurrence this long before it is due. */
const START_EARLY_MS = START_EARLY_MINUTES * 60_000;
/** Below this width the agenda is the default view. */
const NARROW_QUERY = '(max-width: 40rem)';

type Confirming = 'cancel' | 'edit' | undefined;

/** What a month cell lists: the first few by time, but never without the live ones. */
function cellOccurrences(occurrences: Occurrence[]): Occurrence[] {
  if (occurrences.length <= MONTH_CELL_LIMIT) return occurrences;
  const live = occurrences.filter((occurrence) => occurrence.status === 'live').slice(0, MONTH_CELL_LIMIT);
  const others = occurrences.filter((occurrence) => occurrence.status !== 'live');
  const kept = new Set([...live, ...others.slice(0, MONTH_CELL_LIMIT - live.length)]);
  return occurrences.filter((occurrence) => kept.has(occurrence));
}

/**
 * The scheduled sessions of the signed-in user on a calendar: a teacher's own sessions (scheduled, live
 * and past), a student's invitations. Occurrences are loaded for the visible period and kept current by
 * the hub's live events; times are shown in the user's time zone (or `time-zone`).
 *
 * - **Views**: month (a grid of days), week (a column per day) and agenda (a list of the next two weeks),
 *   with Today and previous / next. On phones the agenda is the default.
 * - **Colours** by type (class, one-on-one, group); a live occurrence pulses "Live", past ones are muted
 *   and cancelled ones struck through.
 * - **Details**: clicking an occurrence (or Enter) opens a dialog with its time, type, invitees and status,
 *   and the actions of the user's role. The owner: Start (when due), Join (when live), Open chat, Edit,
 *   Cancel (this occurrence or the whole series), End for everyone (when live) and, once it is over,
 *   Attendance. An invitee: Join (when live) and Open chat.
 *
 * Keyboard: in the month grid the arrow keys move between days, Home / End to the week's ends, Page Up /
 * Page Down by a month; Tab reaches the occurrences and every control; Escape closes the details.
 *
 * @tag session-calendar
 * @summary Month, week and agenda views of scheduled sessions, with a details dialog to start, join,
 * chat, edit, cancel and see attendance.
 *
 * @event {CustomEvent<{occurrence: Occurrence}>} hub-occurrence-select - The user opened an occurrence.
 * @event {CustomEvent<{sessionId: string, occurrenceStart: string, scope: 'series' | 'occurrence'}>} hub-session-edit -
 * The teacher asked to edit the session or one occurrence; show `<session-scheduler session-id=…>`.
 * @event {CustomEvent<{chatId: string}>} hub-open-chat - The user asked for the session's chat.
 *
 * @csspart toolbar - The row with navigation, the heading and the view switch.
 * @csspart heading - The visible period ("December 2026").
 * @csspart nav-button - Previous, Today and Next.
 * @csspart view-switch - The segmented control of the views.
 * @csspart view-button - One of its buttons.
 * @csspart grid - The month grid.
 * @csspart day - A day (month cell or week column).
 * @csspart today - Today's day, with `day`.
 * @csspart occurrence - One occurrence (a button).
 * @csspart live-mark - The pulsing "Live" mark.
 * @csspart agenda - The agenda list.
 * @csspart skeleton - The placeholder shown while loading.
 * @csspart message - The empty and error messages.
 * @csspart retry-button - The error's Retry button.
 * @csspart dialog - The details dialog.
 * @csspart action - Each action button in the dialog.
 * @csspart attendance - The attendance table.
 *
 * @cssproperty --hub-session-calendar-class - Colour of classes. Default #4f46e5.
 * @cssproperty --hub-session-calendar-one-on-one - Colour of one-on-one sessions. Default #0f766e.
 * @cssproperty --hub-session-calendar-group - Colour of group sessions. Default #b45309.
 * @cssproperty --hub-session-calendar-live - Colour of the "Live" mark. Default #dc2626.
 * @cssproperty --hub-session-calendar-cell-height - Minimum height of a month cell. Default 6rem.
 */
export class SessionCalendar extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** `month`, `week` or `agenda`. Unset: month, or agenda on narrow screens. The view switch sets it. */
  @property({ reflect: true }) view?: CalendarView;

  /** The IANA time zone times are shown in. Default: the browser's. */
  @property({ attribute: 'time-zone' }) timeZone?: string;

  /** The day (`YYYY-MM-DD`) the calendar shows at first. Default: today. Navigation changes it. */
  @property({ reflect: true }) date?: string;

  @state() private narrow = false;
  /** The occurrence whose details are open (its store key). */
  @state() private selectedKey: string | undefined;
  /** The month-grid day that holds the grid's tab stop. */
  @state() private focusDay: string | undefined;
  @state() private confirming: Confirming;
  @state() private busy = false;
  @state() private actionError = '';
  @state() private attendance: AttendanceEntry[] | 'loading' | undefined;

  @query('dialog') private dialog?: HTMLDialogElement;

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

  readonly #loadTask = new Task(this, {
    task: async ([sessions, from, to]) =>
      sessions ? sessions.load({ from: new Date(from), to: new Date(to) }) : initialState,
    args: () => {
      const { from, to } = this.#range();
      return [this.#sessions, from.toISOString(), to.toISOString()] as const;
    },
  });

  readonly #userTask = new Task(this, {
    task: async ([client]) => (client ? signedInUser(client) : initialState),
    args: () => [this.#heldClient] as const,
  });

  /** Whether the selected occurrence's session repeats (asks "this occurrence or the series"). */
  readonly #sessionTask = new Task(this, {
    task: async ([sessions, sessionId]) => {
      if (!sessions || !sessionId) return initialState;
      try {
        return (await sessions.get(sessionId)).recurrence !== null;
      } catch {
        // Without the session, the store's own occurrences tell whether there are others.
        return (
          Object.values(this.#occurrences.value ?? {}).filter((o) => o.sessionId === sessionId).length > 1
        );
      }
    },
    args: () => [this.#sessions, this.#isOwner() ? this.#selected()?.sessionId : undefined] as const,
  });

  #heldClient: HubClient | undefined;
  #release: (() => void) | undefined;
  #media: MediaQueryList | undefined;
  /** The element that opened the dialog, focused again when it closes. */
  #opener: HTMLElement | undefined;
  #focusGridDay = false;

  readonly #onMedia = (): void => {
    this.narrow = this.#media?.matches ?? false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#media = window.matchMedia(NARROW_QUERY);
    this.#media.addEventListener('change', this.#onMedia);
    this.narrow = this.#media.matches;
    this.#hold();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#media?.removeEventListener('change', this.#onMedia);
    this.#hold();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#hold();
    if (changed.has('date') || changed.has('timeZone') || this.focusDay === undefined) {
      this.focusDay = this.#anchor();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.selectedKey && this.dialog && !this.dialog.open) this.dialog.showModal();
    if (!this.selectedKey && this.dialog?.open) this.dialog.close();
    if (this.#focusGridDay) {
      this.#focusGridDay = false;
      this.renderRoot.querySelector<HTMLElement>(`[part~="day"][data-day="${this.focusDay}"]`)?.focus();
    }
  }

  get #sessions(): SessionsApi | undefined {
    return sessionsOf(this.#heldClient);
  }

  /** Holds the current client's sessions (live stream) while connected. */
  #hold(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#heldClient) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldClient = client;
    const sessions = sessionsOf(client);
    this.#occurrences.setStore(sessions?.store);
    this.#cached.setStore(sessions?.store);
    if (sessions) this.#release = sessions.connect();
  }

  // ── Period ────────────────────────────────────────────────────────────────────────────────────────

  get #zone(): string {
    return this.timeZone || browserTimeZone();
  }

  get #locale(): string | undefined {
    return this.closest('[lang]')?.getAttribute('lang') || undefined;
  }

  get #view(): CalendarView {
    return this.view ?? (this.narrow ? 'agenda' : 'month');
  }

  #today(): string {
    return dayKeyOf(new Date(), this.#zone);
  }

  #anchor(): string {
    return this.date && /^\d{4}-\d{2}-\d{2}$/.test(this.date) ? this.date : this.#today();
  }

  /** The first day shown and how many days are shown. */
  #days(): { first: string; count: number } {
    const anchor = this.#anchor();
    switch (this.#view) {
      case 'week':
        return { first: startOfWeek(anchor), count: 7 };
      case 'agenda':
        return { first: anchor, count: AGENDA_DAYS };
      case 'month': {
        const first = startOfWeek(startOfMonth(anchor));
        const lastOfMonth = addDays(addMonths(startOfMonth(anchor), 1), -1);
        return { first, count: Math.ceil((daysBetween(first, lastOfMonth) + 1) / 7) * 7 };
      }
    }
  }

  #range(): { from: Date; to: Date } {
    const { first, count } = this.#days();
    return { from: startOfDay(first, this.#zone), to: startOfDay(addDays(first, count), this.#zone) };
  }

  #heading(): string {
    const locale = this.#locale;
    if (this.#view === 'month') return formatDay(this.#anchor(), { month: 'long', year: 'numeric' }, locale);
    const { first, count } = this.#days();
    const last = addDays(first, count - 1);
    const sameYear = first.slice(0, 4) === last.slice(0, 4);
    const start = formatDay(
      first,
      sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' },
      locale,
    );
    return `${start} – ${formatDay(last, { day: 'numeric', month: 'short', year: 'numeric' }, locale)}`;
  }

  #go(direction: -1 | 0 | 1): void {
    const anchor = this.#anchor();
    let next: string;
    if (direction === 0) next = this.#today();
    else if (this.#view === 'month') next = addMonths(anchor, direction);
    else next = addDays(anchor, direction * (this.#view === 'week' ? 7 : AGENDA_DAYS));
    this.date = next;
  }

  #setView(view: CalendarView): void {
    this.view = view;
  }

  // ── Occurrences ───────────────────────────────────────────────────────────────────────────────────

  /** The visible occurrences by local start day, each day in start order. */
  #byDay(): Map<string, Occurrence[]> {
    const { from, to } = this.#range();
    const visible = Object.values(this.#occurrences.value ?? {})
      .filter((o) => Date.parse(o.startsAt) < to.getTime() && Date.parse(o.endsAt) > from.getTime())
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.title.localeCompare(b.title));
    const days = new Map<string, Occurrence[]>();
    for (const occurrence of visible) {
      const day = dayKeyOf(new Date(occurrence.startsAt), this.#zone);
      days.set(day, [...(days.get(day) ?? []), occurrence]);
    }
    return days;
  }

  #selected(): Occurrence | undefined {
    return this.selectedKey ? this.#occurrences.value?.[this.selectedKey] : undefined;
  }

  #me(): SignedInUser | undefined {
    const user = this.#userTask.value;
    return typeof user === 'object' ? user : undefined;
  }

  #isOwner(occurrence = this.#selected()): boolean {
    const me = this.#me();
    return occurrence !== undefined && me !== undefined && occurrence.ownerId === me.id;
  }

  #isPast(occurrence: Occurrence): boolean {
    return (
      occurrence.status === 'ended' ||
      (occurrence.status === 'scheduled' && Date.parse(occurrence.endsAt) <= Date.now())
    );
  }

  #isDue(occurrence: Occurrence): boolean {
    const now = Date.now();
    return (
      occurrence.status === 'scheduled' &&
      now >= Date.parse(occurrence.startsAt) - START_EARLY_MS &&
      now < Date.parse(occurrence.endsAt)
    );
  }

  /**
   * Shows an occurrence's day and opens its details, as a click on it does: the one starting (originally)
   * at `occurrenceStart`, or without it the session's live or next occurrence (else its latest). Loads
   * the period when needed. Resolves `false` when the user has no such occurrence.
   */
  async openOccurrence(sessionId: string, occurrenceStart?: string): Promise<boolean> {
    const sessions = this.#sessions;
    if (!sessions) return false;
    const find = (): Occurrence | undefined => {
      const mine = Object.values(this.#occurrences.value ?? {}).filter((o) => o.sessionId === sessionId);
      if (occurrenceStart !== undefined) {
        const at = Date.parse(occurrenceStart);
        return mine.find((o) => Date.parse(o.occurrenceStart) === at);
      }
      const now = Date.now();
      return (
        mine.find((o) => o.status === 'live') ??
        mine
          .filter((o) => o.status !== 'cancelled' && Date.parse(o.endsAt) > now)
          .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0] ??
        mine.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt))[0]
      );
    };
    let occurrence = find();
    if (!occurrence) {
      const around = occurrenceStart ? Date.parse(occurrenceStart) : Date.now();
      if (Number.isNaN(around)) return false;
      const week = 7 * 86_400_000;
      await sessions
        .load({ from: new Date(around - week), to: new Date(around + (occurrenceStart ? 1 : 8) * week) })
        .catch(() => undefined);
      occurrence = find();
    }
    if (!occurrence) return false;
    this.date = dayKeyOf(new Date(occurrence.startsAt), this.#zone);
    this.#open(occurrence, undefined);
    await this.updateComplete;
    return true;
  }

  #open(occurrence: Occurrence, opener: HTMLElement | undefined): void {
    this.#opener = opener;
    this.selectedKey = occurrenceKey(occurrence);
    this.confirming = undefined;
    this.actionError = '';
    this.attendance = undefined;
    emit(this, 'hub-occurrence-select', { occurrence });
  }

  #onDialogClose(): void {
    if (this.dialog?.open) return;
    this.selectedKey = undefined;
    this.confirming = undefined;
    const opener = this.#opener;
    this.#opener = undefined;
    if (opener?.isConnected) opener.focus();
  }

  #close(): void {
    // Cleared now rather than in the (later) `close` event, so an occurrence opened meanwhile stays open.
    this.selectedKey = undefined;
    this.dialog?.close();
  }

  async #act(action: () => Promise<unknown>, closeAfter = false): Promise<void> {
    this.busy = true;
    this.actionError = '';
    try {
      await action();
      if (closeAfter) this.#close();
    } catch (error) {
      this.actionError = describeError(error).detail;
    } finally {
      this.busy = false;
    }
  }

  #start(occurrence: Occurrence): void {
    const sessions = this.#sessions;
    if (!sessions) return;
    void this.#act(async () => {
      await sessions.start(occurrence.sessionId, occurrence.occurrenceStart);
      // Starting is going in: the teacher joins the room the invitees are now alerted to.
      await sessions.join(occurrence.sessionId);
    }, true);
  }

  #join(occurrence: Occurrence): void {
    const sessions = this.#sessions;
    if (sessions) void this.#act(() => sessions.join(occurrence.sessionId), true);
  }

  #end(occurrence: Occurrence): void {
    const sessions = this.#sessions;
    if (sessions) void this.#act(() => sessions.end(occurrence.sessionId, occurrence.occurrenceStart));
  }

  #openChat(occurrence: Occurrence): void {
    emit(this, 'hub-open-chat', { chatId: occurrence.chatId });
    this.#close();
  }

  #edit(occurrence: Occurrence, scope: 'series' | 'occurrence'): void {
    emit(this, 'hub-session-edit', {
      sessionId: occurrence.sessionId,
      occurrenceStart: occurrence.occurrenceStart,
      scope,
    });
    this.#close();
  }

  #askEdit(occurrence: Occurrence): void {
    if (this.#sessionTask.value === true) this.confirming = 'edit';
    else this.#edit(occurrence, 'series');
  }

  #cancel(occurrence: Occurrence, scope: 'series' | 'occurrence'): void {
    const sessions = this.#sessions;
    if (!sessions) return;
    const request = scope === 'series' ? { scope } : { scope, occurrenceStart: occurrence.occurrenceStart };
    void this.#act(async () => {
      await sessions.cancel(occurrence.sessionId, request);
      this.confirming = undefined;
    });
  }

  #loadAttendance(occurrence: Occurrence): void {
    const sessions = this.#sessions;
    if (!sessions) return;
    this.attendance = 'loading';
    void this.#act(async () => {
      try {
        this.attendance = await sessions.attendance(occurrence.sessionId, occurrence.occurrenceStart);
      } catch (error) {
        this.attendance = undefined;
        throw error;
      }
    });
  }

  // ── Month-grid keyboard ───────────────────────────────────────────────────────────────────────────

  #onGridKeydown(event: KeyboardEvent): void {
    const cell = event.target as HTMLElement;
    const day = cell.dataset['day'];
    if (!day || cell.getAttribute('role') !== 'gridcell') return;
    const moves: Record<string, () => string> = {
      ArrowLeft: () => addDays(day, -1),
      ArrowRight: () => addDays(day, 1),
      ArrowUp: () => addDays(day, -7),
      ArrowDown: () => addDays(day, 7),
      Home: () => addDays(day, -weekdayIndex(day)),
      End: () => addDays(day, 6 - weekdayIndex(day)),
      PageUp: () => addMonths(day, -1),
      PageDown: () => addMonths(day, 1),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const next = move();
    this.focusDay = next;
    if (next.slice(0, 7) !== this.#anchor().slice(0, 7)) this.date = next;
    this.#focusGridDay = true;
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    const view = this.#view;
    const sessions = this.#sessions;
    return html`
      <div class="hub-root calendar" part="base">
        <div class="toolbar" part="toolbar">
          <div class="nav">
            <button
              type="button"
              part="nav-button"
              aria-label="Previous ${view === 'agenda' ? 'two weeks' : view}"
              @click=${() => this.#go(-1)}
            >
              <span aria-hidden="true">‹</span>
            </button>
            <button type="button" part="nav-button" class="today" @click=${() => this.#go(0)}>Today</button>
            <button
              type="button"
              part="nav-button"
              aria-label="Next ${view === 'agenda' ? 'two weeks' : view}"
              @click=${() => this.#go(1)}
            >
              <span aria-hidden="true">›</span>
            </button>
          </div>
          <h2 class="heading" part="heading" id="heading" aria-live="polite">${this.#heading()}</h2>
          <div class="views" part="view-switch" role="group" aria-label="View">
            ${CALENDAR_VIEWS.map(
              (candidate) =>
                html`<button
                  type="button"
                  part="view-button"
                  aria-pressed=${candidate === view ? 'true' : 'false'}
                  @click=${() => this.#setView(candidate)}
                >
                  ${VIEW_LABELS[candidate]}
                </button>`,
            )}
          </div>
        </div>
        ${
          sessions
            ? this.#loadTask.render({
                initial: () => this.#skeleton(view),
                pending: () =>
                  this.#loadTask.value === undefined && !this.#cached.value
                    ? this.#skeleton(view)
                    : this.#body(view, true),
                complete: () => this.#body(view, false),
                error: (error) => this.#error(error),
              })
            : this.#skeleton(view)
        }
        ${this.#dialog()}
      </div>
    `;
  }

  #body(view: CalendarView, refreshing: boolean): TemplateResult {
    const byDay = this.#byDay();
    return html`<div class="body" aria-busy=${refreshing ? 'true' : 'false'}>
      ${view === 'month' ? this.#month(byDay) : view === 'week' ? this.#week(byDay) : this.#agenda(byDay)}
    </div>`;
  }

  #skeleton(view: CalendarView): TemplateResult {
    const rows = view === 'month' ? 5 : view === 'week' ? 1 : 4;
    return html`<div class="skeleton ${view}" part="skeleton" role="status" aria-label="Loading sessions">
      ${Array.from({ length: rows }, () =>
        view === 'agenda'
          ? html`<div class="skeleton-row">
              <span class="bone" style="width: 30%"></span><span class="bone"></span>
            </div>`
          : html`<div class="skeleton-week">
              ${Array.from({ length: 7 }, () => html`<div class="skeleton-day"><span class="bone"></span></div>`)}
            </div>`,
      )}
    </div>`;
  }

  #error(error: unknown): TemplateResult {
    const { detail, requestId } = describeError(error);
    return html`<div class="message error" part="message" role="alert">
      <p>The sessions could not be loaded. ${detail}</p>
      ${requestId ? html`<p class="request-id">Reference: ${requestId}</p>` : nothing}
      <button type="button" part="retry-button" @click=${() => void this.#loadTask.run()}>Retry</button>
    </div>`;
  }

  #weekdayNames(): TemplateResult[] {
    const monday = startOfWeek(this.#anchor());
    return Array.from({ length: 7 }, (_, index) => {
      const day = addDays(monday, index);
      return html`<div role="columnheader" class="weekday">
        <abbr title=${formatDay(day, { weekday: 'long' }, this.#locale)}
          >${formatDay(day, { weekday: 'short' }, this.#locale)}</abbr
        >
      </div>`;
    });
  }

  #month(byDay: Map<string, Occurrence[]>): TemplateResult {
    const { first, count } = this.#days();
    const month = this.#anchor().slice(0, 7);
    const today = this.#today();
    const weeks = Array.from({ length: count / 7 }, (_, week) =>
      Array.from({ length: 7 }, (__, day) => addDays(first, week * 7 + day)),
    );
    return html`<div
      class="grid"
      part="grid"
      role="grid"
      aria-labelledby="heading"
      @keydown=${(event: KeyboardEvent) => this.#onGridKeydown(event)}
    >
      <div role="row" class="grid-row head">${this.#weekdayNames()}</div>
      ${weeks.map(
        (days) =>
          html`<div role="row" class="grid-row">
            ${days.map((day) => {
              const occurrences = byDay.get(day) ?? [];
              const shown = cellOccurrences(occurrences);
              const more = occurrences.length - shown.length;
              const isToday = day === today;
              const label = `${formatDay(day, { weekday: 'long', day: 'numeric', month: 'long' }, this.#locale)}${
                isToday ? ', today' : ''
              }, ${occurrences.length === 0 ? 'no sessions' : occurrences.length === 1 ? '1 session' : `${occurrences.length} sessions`}`;
              return html`<div
                role="gridcell"
                part="day${isToday ? ' today' : ''}"
                class="cell ${day.slice(0, 7) === month ? '' : 'outside'} ${isToday ? 'is-today' : ''}"
                data-day=${day}
                tabindex=${day === this.focusDay ? 0 : -1}
                @focus=${(event: FocusEvent) => {
                  if (event.target === event.currentTarget) this.focusDay = day;
                }}
              >
                <span class="date" aria-hidden="true">${Number(day.slice(8))}</span>
                <span class="day-name visually-hidden">${label}</span>
                <ul class="chips" role="list">
                  ${shown.map((occurrence) => html`<li>${this.#chip(occurrence, false)}</li>`)}
                </ul>
                ${
                  more > 0
                    ? html`<button
                        type="button"
                        class="more"
                        @click=${() => {
                          this.date = day;
                          this.view = 'week';
                        }}
                      >
                        +${more} more
                      </button>`
                    : nothing
                }
              </div>`;
            })}
          </div>`,
      )}
    </div>`;
  }

  #week(byDay: Map<string, Occurrence[]>): TemplateResult {
    const { first } = this.#days();
    const today = this.#today();
    return html`<ol class="week" role="list" aria-labelledby="heading">
      ${Array.from({ length: 7 }, (_, index) => {
        const day = addDays(first, index);
        const occurrences = byDay.get(day) ?? [];
        const isToday = day === today;
        return html`<li
          class="column ${isToday ? 'is-today' : ''}"
          part="day${isToday ? ' today' : ''}"
          data-day=${day}
        >
          <h3 class="column-head">
            <span class="weekday">${formatDay(day, { weekday: 'short' }, this.#locale)}</span>
            <span class="date">${formatDay(day, { day: 'numeric', month: 'short' }, this.#locale)}</span>
          </h3>
          ${
            occurrences.length === 0
              ? html`<p class="none">No sessions</p>`
              : html`<ul class="chips" role="list">
                  ${occurrences.map((occurrence) => html`<li>${this.#chip(occurrence, true)}</li>`)}
                </ul>`
          }
        </li>`;
      })}
    </ol>`;
  }

  #agenda(byDay: Map<string, Occurrence[]>): TemplateResult {
    const today = this.#today();
    if (byDay.size === 0) {
      return html`<p class="message" part="message">No sessions in this period.</p>`;
    }
    return html`<ol class="agenda" part="agenda" role="list" aria-labelledby="heading">
      ${[...byDay].map(
        ([day, occurrences]) =>
          html`<li class="agenda-day" part="day${day === today ? ' today' : ''}" data-day=${day}>
            <h3 class="agenda-date">
              ${day === today ? 'Today · ' : ''}${formatDay(day, { weekday: 'long', day: 'numeric', month: 'long' }, this.#locale)}
            </h3>
            <ul class="chips" role="list">
              ${occurrences.map((occurrence) => html`<li>${this.#chip(occurrence, true)}</li>`)}
            </ul>
          </li>`,
      )}
    </ol>`;
  }

  #timeRange(occurrence: Occurrence): string {
    const zone = this.#zone;
    return `${formatTime(new Date(occurrence.startsAt), zone, this.#locale)} – ${formatTime(new Date(occurrence.endsAt), zone, this.#locale)}`;
  }

  #statusLabel(occurrence: Occurrence): string {
    if (occurrence.status === 'live') return 'Live now';
    if (occurrence.status === 'cancelled') return 'Cancelled';
    if (this.#isPast(occurrence)) return 'Ended';
    return 'Scheduled';
  }

  #chip(occurrence: Occurrence, long: boolean): TemplateResult {
    const past = this.#isPast(occurrence);
    const classes = `occurrence type-${occurrence.type} status-${occurrence.status}${past ? ' past' : ''}${long ? ' long' : ''}`;
    const start = formatTime(new Date(occurrence.startsAt), this.#zone, this.#locale);
    const status = occurrence.status === 'scheduled' && !past ? '' : this.#statusLabel(occurrence);
    return html`<button
      type="button"
      part="occurrence"
      class=${classes}
      data-key=${occurrenceKey(occurrence)}
      @click=${(event: MouseEvent) => this.#open(occurrence, event.currentTarget as HTMLElement)}
    >
      <span class="time">${long ? this.#timeRange(occurrence) : start}</span>
      <span class="title">${occurrence.title}</span>
      ${long ? html`<span class="type">${SESSION_TYPE_LABELS[occurrence.type]}</span>` : nothing}
      ${
        occurrence.status === 'live'
          ? html`<span class="live-mark" part="live-mark"
              ><span class="pulse" aria-hidden="true"></span
              ><span class=${long ? 'live-word' : 'visually-hidden'}>Live</span></span
            >`
          : status
            ? html`<span class="visually-hidden">, ${status}</span>`
            : nothing
      }
    </button>`;
  }

  #dialog(): TemplateResult {
    const occurrence = this.#selected();
    return html`<dialog
      part="dialog"
      aria-labelledby="detail-title"
      @close=${() => this.#onDialogClose()}
      @click=${(event: MouseEvent) => {
        // A click on the backdrop (the dialog box itself, outside its content) closes it.
        if (event.target === this.dialog) this.#close();
      }}
    >
      ${occurrence ? this.#details(occurrence) : nothing}
    </dialog>`;
  }

  #details(occurrence: Occurrence): TemplateResult {
    const zone = this.#zone;
    const owner = this.#isOwner(occurrence);
    const invitees = occurrence.inviteeIds.length;
    const day = formatDay(
      dayKeyOf(new Date(occurrence.startsAt), zone),
      { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
      this.#locale,
    );
    return html`<div class="details type-${occurrence.type}">
      <header class="details-head">
        <h2 id="detail-title">${occurrence.title}</h2>
        <button type="button" class="close" aria-label="Close" @click=${() => this.#close()}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <dl class="facts">
        <dt>When</dt>
        <dd>${day}, ${this.#timeRange(occurrence)} <span class="zone">(${zone})</span></dd>
        <dt>Type</dt>
        <dd><span class="type-dot" aria-hidden="true"></span>${SESSION_TYPE_LABELS[occurrence.type]}</dd>
        <dt>Invited</dt>
        <dd>${invitees === 1 ? '1 student' : `${invitees} students`}</dd>
        <dt>Status</dt>
        <dd class="status status-${occurrence.status}">${this.#statusLabel(occurrence)}</dd>
      </dl>
      ${this.actionError ? html`<p class="action-error" role="alert">${this.actionError}</p>` : nothing}
      ${this.confirming ? this.#confirm(occurrence) : this.#actions(occurrence, owner)}
      ${this.#attendanceTable()}
    </div>`;
  }

  #actions(occurrence: Occurrence, owner: boolean): TemplateResult {
    const busy = this.busy;
    const live = occurrence.status === 'live';
    const cancelled = occurrence.status === 'cancelled';
    const past = this.#isPast(occurrence);
    const action = (label: string, onClick: () => void, primary = false): TemplateResult =>
      html`<button
        type="button"
        part="action"
        class=${primary ? 'primary' : ''}
        ?disabled=${busy}
        @click=${onClick}
      >
        ${label}
      </button>`;
    return html`<div class="actions" role="group" aria-label="Actions">
      ${owner && this.#isDue(occurrence) ? action('Start', () => this.#start(occurrence), true) : nothing}
      ${live ? action('Join', () => this.#join(occurrence), true) : nothing}
      ${owner && live ? action('End for everyone', () => this.#end(occurrence)) : nothing}
      ${action('Open chat', () => this.#openChat(occurrence))}
      ${owner && !cancelled && !past && !live ? action('Edit', () => this.#askEdit(occurrence)) : nothing}
      ${owner && !cancelled && !past && !live ? action('Cancel session', () => (this.confirming = 'cancel')) : nothing}
      ${owner && past && !cancelled ? action('Attendance', () => this.#loadAttendance(occurrence)) : nothing}
    </div>`;
  }

  #confirm(occurrence: Occurrence): TemplateResult {
    const recurring = this.#sessionTask.value === true;
    const busy = this.busy;
    const keep = html`<button type="button" part="action" @click=${() => (this.confirming = undefined)}>
      ${this.confirming === 'edit' ? 'Back' : 'Keep it'}
    </button>`;
    if (this.confirming === 'edit') {
      return html`<div class="confirm" role="group" aria-labelledby="confirm-question">
        <p id="confirm-question">Edit only this occurrence or the whole series?</p>
        <div class="actions">
          <button type="button" part="action" @click=${() => this.#edit(occurrence, 'occurrence')}>
            This occurrence
          </button>
          <button type="button" part="action" @click=${() => this.#edit(occurrence, 'series')}>
            Whole series
          </button>
          ${keep}
        </div>
      </div>`;
    }
    return html`<div class="confirm" role="group" aria-labelledby="confirm-question">
      <p id="confirm-question">
        ${recurring ? 'Cancel only this occurrence or the whole series? Invitees are told.' : 'Cancel this session? Invitees are told.'}
      </p>
      <div class="actions">
        ${
          recurring
            ? html`<button
                  type="button"
                  part="action"
                  class="danger"
                  ?disabled=${busy}
                  @click=${() => this.#cancel(occurrence, 'occurrence')}
                >
                  This occurrence
                </button>
                <button
                  type="button"
                  part="action"
                  class="danger"
                  ?disabled=${busy}
                  @click=${() => this.#cancel(occurrence, 'series')}
                >
                  Whole series
                </button>`
            : html`<button
                type="button"
                part="action"
                class="danger"
                ?disabled=${busy}
                @click=${() => this.#cancel(occurrence, 'series')}
              >
                Cancel session
              </button>`
        }
        ${keep}
      </div>
    </div>`;
  }

  #attendanceTable(): TemplateResult | typeof nothing {
    const attendance = this.attendance;
    if (attendance === undefined) return nothing;
    if (attendance === 'loading') {
      return html`<p class="attendance-loading" role="status">Loading attendance…</p>`;
    }
    if (attendance.length === 0) return html`<p class="attendance-empty">Nobody was invited.</p>`;
    const labels = { present: 'Present', late: 'Late', left_early: 'Left early', absent: 'Absent' } as const;
    return html`<table class="attendance" part="attendance">
      <caption>
        Attendance
      </caption>
      <thead>
        <tr>
          <th scope="col">Student</th>
          <th scope="col">Status</th>
          <th scope="col">Minutes</th>
        </tr>
      </thead>
      <tbody>
        ${attendance.map(
          (entry) =>
            html`<tr class="attendance-${entry.status}">
              <th scope="row">${entry.name}</th>
              <td>${labels[entry.status]}</td>
              <td>${entry.minutes}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}
