import { Task, initialState } from '@lit/task';
import { isHubError, rosterPeople } from '@teacher-hub/core';
import type { HubApiError } from '@teacher-hub/core';
import {
  MAX_DURATION_MINUTES,
  MAX_OCCURRENCES,
  SESSION_TYPES,
  WEEKDAYS,
} from '@teacher-hub/protocol/session-constants';
import type {
  CreateSessionRequest,
  Recurrence,
  Session,
  SessionType,
  UpdateSessionRequest,
  Weekday,
} from '@teacher-hub/protocol';
import { html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { emit } from '../events/hub-events.ts';
import type { HubEvent } from '../events/hub-events.ts';
import {
  addDays,
  browserTimeZone,
  dayKeyOf,
  formatDay,
  instantOf,
  localDateTimeOf,
  weekdayIndex,
} from '../session-calendar/calendar-time.ts';
import { sessionsOf } from '../session-calendar/sessions-client.ts';
import type { SessionsApi } from '../session-calendar/sessions-client.ts';
import '../student-picker/student-picker.ts';
import type { StudentPicker } from '../student-picker/student-picker.ts';
import styles from './session-scheduler.styles.ts';

declare module '../events/hub-events.ts' {
  interface HubEventDetails {
    /** `<session-scheduler>`: a session was created or changed. */
    'hub-session-saved': { session: Session };
    /** `<session-scheduler>`: the teacher cancelled the session or one occurrence of it. */
    'hub-session-cancelled': { session: Session; scope: 'series' | 'occurrence' };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-session-saved': HubEvent<'hub-session-saved'>;
    'hub-session-cancelled': HubEvent<'hub-session-cancelled'>;
  }
}

/** The duration presets, in minutes. */
export const DURATION_PRESETS = [30, 45, 60, 90] as const;
export const REPEATS = ['none', 'daily', 'weekly'] as const;
export type Repeat = (typeof REPEATS)[number];
export const SERIES_ENDS = ['never', 'on', 'after'] as const;
export type SeriesEnd = (typeof SERIES_ENDS)[number];

const TYPE_LABELS: Record<SessionType, string> = {
  class: 'Class',
  one_on_one: 'One-on-one',
  group: 'Group meeting',
};
const WEEKDAY_NAMES: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

/** The form's fields, as the inputs hold them. */
export interface SchedulerValues {
  title: string;
  description: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:mm`. */
  time: string;
  timeZone: string;
  durationMinutes: number;
  type: SessionType;
  inviteeIds: string[];
  repeat: Repeat;
  interval: number;
  weekdays: Weekday[];
  ends: SeriesEnd;
  /** `YYYY-MM-DD`, with `ends: 'on'`. */
  until: string;
  /** With `ends: 'after'`. */
  count: number;
  emailInvitees: boolean;
}

/** The fields an error can point at (`id`s of the inputs are `field-<name>`). */
type Field =
  | 'title'
  | 'description'
  | 'date'
  | 'time'
  | 'timeZone'
  | 'durationMinutes'
  | 'type'
  | 'inviteeIds'
  | 'interval'
  | 'weekdays'
  | 'until'
  | 'count';
type FieldErrors = Partial<Record<Field, string>>;

/** A request path (`recurrence.until`, `inviteeIds.2`) → the field that shows its error. */
const PATH_FIELDS: Record<string, Field> = {
  title: 'title',
  description: 'description',
  start: 'date',
  timeZone: 'timeZone',
  durationMinutes: 'durationMinutes',
  type: 'type',
  inviteeIds: 'inviteeIds',
  'recurrence.interval': 'interval',
  'recurrence.byWeekday': 'weekdays',
  'recurrence.until': 'until',
  'recurrence.count': 'count',
};

/** Where focus goes for each field's error, in the form's order. */
const FIELD_ORDER: Field[] = [
  'title',
  'description',
  'date',
  'time',
  'timeZone',
  'durationMinutes',
  'type',
  'inviteeIds',
  'interval',
  'weekdays',
  'until',
  'count',
];

function weekdayOf(date: string): Weekday {
  return WEEKDAYS[weekdayIndex(date)] ?? 'MO';
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The IANA zones the browser knows (plus the browser's own and UTC, which some engines leave out). */
function allTimeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...known, browserTimeZone(), 'UTC'])].sort();
}

/**
 * "Every Monday and Wednesday at 16:00, 10 times": a recurrence in words. `locale` formats the dates.
 */
export function describeRecurrence(values: SchedulerValues, locale?: string): string {
  const at = `at ${values.time}`;
  if (values.repeat === 'none') {
    return values.date
      ? `Once, on ${formatDay(values.date, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }, locale)} ${at}`
      : 'Once';
  }
  const every = values.interval > 1 ? `Every ${values.interval}` : 'Every';
  let pattern: string;
  if (values.repeat === 'daily') {
    pattern = values.interval > 1 ? `${every} days` : 'Every day';
  } else {
    const days = listNames(
      WEEKDAYS.filter((day) => values.weekdays.includes(day)).map((day) => WEEKDAY_NAMES[day]),
    );
    pattern = values.interval > 1 ? `${every} weeks on ${days}` : `${every} ${days}`;
  }
  let end = '';
  if (values.ends === 'after') end = values.count === 1 ? ', once' : `, ${values.count} times`;
  if (values.ends === 'on' && values.until) {
    end = ` until ${formatDay(values.until, { day: 'numeric', month: 'long', year: 'numeric' }, locale)}`;
  }
  return `${pattern} ${at}${end}`;
}

/**
 * A teacher's form to schedule a session, or to edit one (`session-id`). Title, description, date and
 * time in a time zone (the browser's by default), duration with presets, type, invitees through
 * `<student-picker>` (a class takes whole courses; a one-on-one exactly one student), recurrence (daily
 * or weekly, every N, weekdays, ending never, on a date or after N times, summed up in words) and the
 * invitation email.
 *
 * Errors are shown next to their fields (`aria-invalid`, `aria-describedby`), both the form's own checks
 * and the hub's refusals (a 400's `details`, a 403 `NOT_ENROLLED` naming the students); the rest at the
 * top. Saving a change to a repeating session asks whether it is for this occurrence only (its time and
 * length) or the whole series. In edit mode, Cancel session cancels the occurrence or the series.
 *
 * @tag session-scheduler
 * @summary Create or edit a scheduled session: time, time zone, duration, type, invitees, recurrence.
 *
 * @event {CustomEvent<{session: Session}>} hub-session-saved - The hub created or changed the session.
 * @event {CustomEvent<{session: Session, scope: 'series' | 'occurrence'}>} hub-session-cancelled - The
 * teacher cancelled the session (or one occurrence).
 *
 * @csspart form - The form.
 * @csspart field - Each labelled field.
 * @csspart field-error - A field's error message.
 * @csspart form-error - The error shown above the form.
 * @csspart summary - The recurrence in words.
 * @csspart preset - A duration preset button.
 * @csspart weekday - A weekday toggle.
 * @csspart picker - The embedded `<student-picker>`.
 * @csspart submit - The submit button.
 * @csspart scope-question - "Only this occurrence or the whole series?".
 * @csspart cancel-session - The edit mode's Cancel session button.
 *
 * @cssproperty --hub-session-scheduler-max-width - Width of the form. Default 44rem.
 * @cssproperty --hub-session-scheduler-picker-height - Height after which the invitee list scrolls. Default 16rem.
 */
export class SessionScheduler extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /** The session to edit, by id; loaded from the hub. Unset: the form creates a new session. */
  @property({ attribute: 'session-id', reflect: true }) sessionId?: string;

  /** The session to edit, when the host already has it (wins over `session-id`). */
  @property({ attribute: false }) session?: Session;

  /**
   * In edit mode, the occurrence the teacher chose (its original start, ISO UTC): the form shows its time,
   * and "this occurrence" changes or cancels it. Default: the series' first occurrence.
   */
  @property({ attribute: 'occurrence-start' }) occurrenceStart?: string;

  /** The time zone a new session starts in. Default: the browser's. */
  @property({ attribute: 'time-zone' }) timeZone?: string;

  @state() private values: SchedulerValues = this.#defaults();
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;
  /** Asking which part of a series a save or a cancel is for. */
  @state() private asking: 'save' | 'cancel' | 'confirm-cancel' | undefined;
  @state() private zoneQuery = '';
  @state() private status = '';

  /** The loaded session in edit mode, and the values it filled the form with. */
  #editing: { session: Session; values: SchedulerValues } | undefined;
  /** Whether the teacher picked weekdays themselves (else they follow the start date). */
  #weekdaysTouched = false;
  /** After a first submit, fields are checked as they change. */
  #submitted = false;
  #zones: string[] | undefined;

  readonly #loadTask = new Task(this, {
    task: async ([sessions, sessionId, given]) => {
      if (given) return this.#fill(given);
      if (!sessions || !sessionId) return initialState;
      return this.#fill(await sessions.get(sessionId));
    },
    args: () => [this.#sessions, this.sessionId, this.session] as const,
  });

  get #sessions(): SessionsApi | undefined {
    return sessionsOf(this.client);
  }

  get #locale(): string | undefined {
    return this.closest('[lang]')?.getAttribute('lang') || undefined;
  }

  get #editMode(): boolean {
    return Boolean(this.session || this.sessionId);
  }

  get #recurring(): boolean {
    return (this.#editing?.session.recurrence ?? null) !== null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('timeZone') && !this.#editMode && this.timeZone) {
      this.values = { ...this.values, timeZone: this.timeZone };
    }
  }

  /** Resets the form to a new session's defaults. */
  reset(): void {
    this.values = this.#defaults();
    this.errors = {};
    this.formError = '';
    this.asking = undefined;
    this.#weekdaysTouched = false;
    this.#submitted = false;
  }

  #defaults(): SchedulerValues {
    const timeZone = this.timeZone || browserTimeZone();
    const date = addDays(dayKeyOf(new Date(), timeZone), 1);
    return {
      title: '',
      description: '',
      date,
      time: '09:00',
      timeZone,
      durationMinutes: 60,
      type: 'class',
      inviteeIds: [],
      repeat: 'none',
      interval: 1,
      weekdays: [weekdayOf(date)],
      ends: 'after',
      until: '',
      count: 10,
      emailInvitees: true,
    };
  }

  /** Fills the form from `session` (at the chosen occurrence's time, when one is given). */
  #fill(session: Session): Session {
    let start = session.start;
    if (this.occurrenceStart) {
      const moved = session.exceptions.find(
        (exception) => exception.occurrenceStart === this.occurrenceStart,
      );
      start = moved?.start ?? localDateTimeOf(new Date(this.occurrenceStart), session.timeZone);
    }
    const [date = '', time = ''] = start.split('T');
    const recurrence = session.recurrence;
    const values: SchedulerValues = {
      title: session.title,
      description: session.description,
      date,
      time,
      timeZone: session.timeZone,
      durationMinutes: session.durationMinutes,
      type: session.type,
      inviteeIds: [...session.inviteeIds],
      repeat: recurrence?.freq ?? 'none',
      interval: recurrence?.interval ?? 1,
      weekdays: recurrence?.byWeekday ?? [weekdayOf(session.start.slice(0, 10))],
      ends: recurrence?.until ? 'on' : recurrence?.count ? 'after' : recurrence ? 'never' : 'after',
      until: recurrence?.until ?? '',
      count: recurrence?.count ?? 10,
      emailInvitees: session.emailInvitees,
    };
    this.#editing = { session, values };
    this.#weekdaysTouched = true;
    this.values = values;
    this.errors = {};
    this.formError = '';
    return session;
  }

  #set(patch: Partial<SchedulerValues>): void {
    const next = { ...this.values, ...patch };
    if (patch.date && !this.#weekdaysTouched) next.weekdays = [weekdayOf(patch.date)];
    this.values = next;
    this.status = '';
    if (this.#submitted) this.errors = this.#validate(next);
  }

  // ── Validation and the request ──────────────────────────────────────────────────────────────────────

  #validate(values: SchedulerValues): FieldErrors {
    const errors: FieldErrors = {};
    const title = values.title.trim();
    if (!title) errors.title = 'Enter a title.';
    else if (title.length > 200) errors.title = 'Keep the title to 200 characters.';
    if (values.description.length > 5000) errors.description = 'Keep the description to 5000 characters.';
    if (!values.date) errors.date = 'Choose a date.';
    if (!values.time) errors.time = 'Choose a time.';
    if (values.date && values.time && !this.#editMode) {
      if (instantOf(`${values.date}T${values.time}`, values.timeZone).getTime() < Date.now()) {
        errors.date = 'Choose a time in the future.';
      }
    }
    if (!Number.isInteger(values.durationMinutes) || values.durationMinutes < 5) {
      errors.durationMinutes = 'A session lasts at least 5 minutes.';
    } else if (values.durationMinutes > MAX_DURATION_MINUTES) {
      errors.durationMinutes = `A session lasts at most ${MAX_DURATION_MINUTES / 60} hours.`;
    }
    if (values.inviteeIds.length === 0) {
      errors.inviteeIds =
        values.type === 'one_on_one'
          ? 'Choose the student for the one-on-one.'
          : 'Invite at least one student.';
    } else if (values.type === 'one_on_one' && values.inviteeIds.length !== 1) {
      errors.inviteeIds = `A one-on-one session is with exactly one student; ${values.inviteeIds.length} are selected.`;
    }
    if (values.repeat !== 'none') {
      if (!Number.isInteger(values.interval) || values.interval < 1 || values.interval > 52) {
        errors.interval = 'Repeat every 1 to 52.';
      }
      if (values.repeat === 'weekly' && values.weekdays.length === 0)
        errors.weekdays = 'Choose at least one day.';
      if (values.ends === 'on') {
        if (!values.until) errors.until = 'Choose the last day.';
        else if (values.date && values.until < values.date) {
          errors.until = 'The last day must be on or after the first session.';
        }
      }
      if (
        values.ends === 'after' &&
        (!Number.isInteger(values.count) || values.count < 1 || values.count > MAX_OCCURRENCES)
      ) {
        errors.count = `Repeat 1 to ${MAX_OCCURRENCES} times.`;
      }
    }
    return errors;
  }

  #recurrence(values: SchedulerValues): Recurrence | undefined {
    if (values.repeat === 'none') return undefined;
    const recurrence: Recurrence = { freq: values.repeat };
    if (values.interval > 1) recurrence.interval = values.interval;
    if (values.repeat === 'weekly')
      recurrence.byWeekday = WEEKDAYS.filter((day) => values.weekdays.includes(day));
    if (values.ends === 'after') recurrence.count = values.count;
    if (values.ends === 'on') recurrence.until = values.until;
    return recurrence;
  }

  /** The `POST /v1/sessions` body of the form (CONTRACT.md "Session body"). */
  #createRequest(values: SchedulerValues): CreateSessionRequest {
    const request: CreateSessionRequest = {
      title: values.title.trim(),
      type: values.type,
      start: `${values.date}T${values.time}`,
      timeZone: values.timeZone,
      durationMinutes: values.durationMinutes,
      inviteeIds: [...values.inviteeIds],
      emailInvitees: values.emailInvitees,
    };
    const description = values.description.trim();
    if (description) request.description = description;
    const recurrence = this.#recurrence(values);
    if (recurrence) request.recurrence = recurrence;
    return request;
  }

  #seriesRequest(values: SchedulerValues, before: SchedulerValues): UpdateSessionRequest {
    const request: UpdateSessionRequest = {
      scope: 'series',
      title: values.title.trim(),
      description: values.description.trim(),
      type: values.type,
      timeZone: values.timeZone,
      durationMinutes: values.durationMinutes,
      inviteeIds: [...values.inviteeIds],
      recurrence: this.#recurrence(values) ?? null,
      emailInvitees: values.emailInvitees,
    };
    // The start moves the whole series: sent only when the teacher changed it.
    if (values.date !== before.date || values.time !== before.time)
      request.start = `${values.date}T${values.time}`;
    return request;
  }

  /** The original start of the occurrence being edited: the chosen one, or the series' first. */
  #occurrenceStart(session: Session): string {
    return this.occurrenceStart ?? instantOf(session.start, session.timeZone).toISOString();
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.#submitted = true;
    const errors = this.#validate(this.values);
    this.errors = errors;
    this.formError = '';
    if (Object.keys(errors).length > 0) {
      void this.#focusFirstError();
      return;
    }
    if (this.#editing && this.#recurring) {
      this.asking = 'save';
      return;
    }
    void this.#save(this.#editing ? 'series' : undefined);
  }

  async #save(scope: 'series' | 'occurrence' | undefined): Promise<void> {
    const sessions = this.#sessions;
    if (!sessions) {
      this.formError = 'Not connected to the hub yet.';
      return;
    }
    const values = this.values;
    this.busy = true;
    this.asking = undefined;
    try {
      let session: Session;
      if (!this.#editing) {
        session = await sessions.create(this.#createRequest(values));
        this.reset();
        this.status = `“${session.title}” is scheduled.`;
      } else if (scope === 'occurrence') {
        const { session: current } = this.#editing;
        session = await sessions.update(current.id, {
          scope: 'occurrence',
          occurrenceStart: this.#occurrenceStart(current),
          start: `${values.date}T${values.time}`,
          durationMinutes: values.durationMinutes,
        });
        this.status = 'This occurrence is changed.';
      } else {
        const { session: current, values: before } = this.#editing;
        session = await sessions.update(current.id, this.#seriesRequest(values, before));
        this.#editing = { session, values };
        this.status = 'The changes are saved.';
      }
      emit(this, 'hub-session-saved', { session });
    } catch (error) {
      this.#showHubError(error, values);
    } finally {
      this.busy = false;
    }
  }

  async #cancelSession(scope: 'series' | 'occurrence'): Promise<void> {
    const sessions = this.#sessions;
    const editing = this.#editing;
    if (!sessions || !editing) return;
    this.busy = true;
    this.asking = undefined;
    try {
      const session = await sessions.cancel(
        editing.session.id,
        scope === 'series' ? { scope } : { scope, occurrenceStart: this.#occurrenceStart(editing.session) },
      );
      this.status = scope === 'series' ? 'The session is cancelled.' : 'This occurrence is cancelled.';
      emit(this, 'hub-session-cancelled', { session, scope });
    } catch (error) {
      this.formError = describeError(error).detail;
    } finally {
      this.busy = false;
    }
  }

  /** Puts the hub's refusal next to the fields it names, or above the form. */
  #showHubError(error: unknown, values: SchedulerValues): void {
    const errors: FieldErrors = {};
    const unplaced: string[] = [];
    const apiError = isHubError(error) && error.kind === 'api' ? (error as HubApiError) : undefined;
    if (apiError?.code === 'NOT_ENROLLED') {
      const names = this.#names();
      const refused = (apiError.details ?? [])
        .map((detail) => /^inviteeIds\.(\d+)$/.exec(detail.path))
        .map((match) => (match ? values.inviteeIds[Number(match[1])] : undefined))
        .filter((id): id is string => id !== undefined)
        .map((id) => names.get(id) ?? id);
      errors.inviteeIds =
        refused.length > 0
          ? `${listNames(refused)} ${refused.length === 1 ? 'is' : 'are'} not enrolled in any of your courses.`
          : apiError.message;
    } else if (apiError && apiError.status === 400 && apiError.details?.length) {
      for (const detail of apiError.details) {
        const path = detail.path.replace(/\.\d+$/, '');
        const field = PATH_FIELDS[path] ?? (path.startsWith('recurrence') ? 'interval' : undefined);
        if (field) errors[field] ??= capitalise(detail.message);
        else unplaced.push(detail.message);
      }
    } else {
      unplaced.push(describeError(error).detail);
    }
    this.errors = errors;
    this.formError =
      unplaced.length > 0
        ? unplaced.join(' ')
        : Object.keys(errors).length > 0
          ? 'The hub could not save the session: see the marked fields.'
          : '';
    void this.#focusFirstError();
  }

  #names(): Map<string, string> {
    const roster = this.client?.roster.store.get().data;
    return new Map(roster ? rosterPeople(roster).map((person) => [person.id, person.name]) : []);
  }

  async #focusFirstError(): Promise<void> {
    await this.updateComplete;
    const first = FIELD_ORDER.find((field) => this.errors[field]);
    const target = first
      ? this.renderRoot.querySelector<HTMLElement>(`#field-${first}`)
      : this.renderRoot.querySelector<HTMLElement>('[part="form-error"]');
    target?.focus();
  }

  // ── Render ────────────────────────────────────────────────────────────────────────────────────────

  override render(): TemplateResult {
    if (this.#editMode) {
      return html`<div class="hub-root">
        ${this.#loadTask.render({
          pending: () => html`<p class="loading" role="status">Loading the session…</p>`,
          complete: () => this.#form(),
          error: (error) =>
            html`<div class="form-error" role="alert">
              <p>The session could not be loaded. ${describeError(error).detail}</p>
              <button type="button" @click=${() => void this.#loadTask.run()}>Retry</button>
            </div>`,
        })}
      </div>`;
    }
    return html`<div class="hub-root">${this.#form()}</div>`;
  }

  /** `aria-invalid` / `aria-describedby` of a field with an optional hint. */
  #described(field: Field, hint?: string): { invalid: 'true' | 'false'; describedBy: string } {
    const ids = [this.errors[field] ? `error-${field}` : '', hint ?? ''].filter(Boolean).join(' ');
    return { invalid: this.errors[field] ? 'true' : 'false', describedBy: ids };
  }

  #error(field: Field): TemplateResult | typeof nothing {
    const message = this.errors[field];
    return message
      ? html`<p class="field-error" part="field-error" id="error-${field}">${message}</p>`
      : nothing;
  }

  #form(): TemplateResult {
    const values = this.values;
    const editing = this.#editMode;
    const title = this.#described('title');
    const description = this.#described('description');
    const date = this.#described('date');
    const time = this.#described('time');
    const duration = this.#described('durationMinutes');
    const invitees = this.#described('inviteeIds', 'invitees-hint');
    return html`<form part="form" novalidate @submit=${(event: SubmitEvent) => this.#onSubmit(event)}>
      <h2 class="form-title">${editing ? 'Edit session' : 'Schedule a session'}</h2>
      ${
        this.formError
          ? html`<p class="form-error" part="form-error" role="alert" tabindex="-1">${this.formError}</p>`
          : nothing
      }
      <div class="field" part="field">
        <label for="field-title">Title</label>
        <input
          id="field-title"
          type="text"
          autocomplete="off"
          maxlength="200"
          .value=${live(values.title)}
          aria-invalid=${title.invalid}
          aria-describedby=${title.describedBy || nothing}
          @input=${(event: InputEvent) => this.#set({ title: (event.target as HTMLInputElement).value })}
        />
        ${this.#error('title')}
      </div>
      <div class="field" part="field">
        <label for="field-description">Description <span class="optional">(optional)</span></label>
        <textarea
          id="field-description"
          rows="2"
          .value=${live(values.description)}
          aria-invalid=${description.invalid}
          aria-describedby=${description.describedBy || nothing}
          @input=${(event: InputEvent) => this.#set({ description: (event.target as HTMLTextAreaElement).value })}
        ></textarea>
        ${this.#error('description')}
      </div>
      <div class="row">
        <div class="field" part="field">
          <label for="field-date">Date</label>
          <input
            id="field-date"
            type="date"
            .value=${live(values.date)}
            aria-invalid=${date.invalid}
            aria-describedby=${date.describedBy || nothing}
            @change=${(event: Event) => this.#set({ date: (event.target as HTMLInputElement).value })}
          />
          ${this.#error('date')}
        </div>
        <div class="field" part="field">
          <label for="field-time">Time</label>
          <input
            id="field-time"
            type="time"
            .value=${live(values.time)}
            aria-invalid=${time.invalid}
            aria-describedby=${time.describedBy || nothing}
            @change=${(event: Event) => this.#set({ time: (event.target as HTMLInputElement).value })}
          />
          ${this.#error('time')}
        </div>
        ${this.#zoneField()}
      </div>
      <div class="field" part="field">
        <label for="field-durationMinutes">Duration (minutes)</label>
        <div class="duration">
          <input
            id="field-durationMinutes"
            type="number"
            min="5"
            max=${MAX_DURATION_MINUTES}
            step="5"
            .value=${live(String(values.durationMinutes))}
            aria-invalid=${duration.invalid}
            aria-describedby=${duration.describedBy || nothing}
            @input=${(event: InputEvent) =>
              this.#set({ durationMinutes: Number((event.target as HTMLInputElement).value) })}
          />
          <div class="presets" role="group" aria-label="Duration presets">
            ${DURATION_PRESETS.map(
              (minutes) =>
                html`<button
                  type="button"
                  part="preset"
                  aria-pressed=${values.durationMinutes === minutes ? 'true' : 'false'}
                  @click=${() => this.#set({ durationMinutes: minutes })}
                >
                  ${minutes} min
                </button>`,
            )}
          </div>
        </div>
        ${this.#error('durationMinutes')}
      </div>
      <fieldset class="field" part="field">
        <legend>Type</legend>
        <div class="choices">
          ${SESSION_TYPES.map(
            (type) =>
              html`<label class="choice">
                <input
                  type="radio"
                  name="type"
                  id=${type === values.type ? 'field-type' : nothing}
                  .checked=${live(values.type === type)}
                  @change=${() => this.#set({ type })}
                />
                ${TYPE_LABELS[type]}
              </label>`,
          )}
        </div>
      </fieldset>
      <div
        class="field invitees"
        part="field"
        role="group"
        aria-labelledby="invitees-label"
        aria-describedby=${invitees.describedBy}
      >
        <span class="label" id="invitees-label">Invitees</span>
        <p class="hint" id="invitees-hint">
          ${
            values.type === 'one_on_one'
              ? 'Choose exactly one student.'
              : values.type === 'class'
                ? 'Tick a course to invite the whole class.'
                : 'Choose the students to meet.'
          }
          ${values.inviteeIds.length > 0 ? ` ${values.inviteeIds.length} selected.` : ''}
        </p>
        <student-picker
          id="field-inviteeIds"
          part="picker"
          tabindex="-1"
          label="Invitees"
          .client=${this.client}
          .value=${values.inviteeIds}
          @change=${(event: Event) => this.#set({ inviteeIds: [...(event.target as StudentPicker).value] })}
        ></student-picker>
        ${this.#error('inviteeIds')}
      </div>
      ${this.#recurrenceFields()}
      <label class="choice email">
        <input
          type="checkbox"
          .checked=${live(values.emailInvitees)}
          @change=${(event: Event) => this.#set({ emailInvitees: (event.target as HTMLInputElement).checked })}
        />
        Email the invitation (with a calendar file)
      </label>
      <p class="summary" part="summary" aria-live="polite">${describeRecurrence(values, this.#locale)}</p>
      ${this.asking ? this.#question() : this.#buttons()}
      <p class="status" role="status">${this.status}</p>
    </form>`;
  }

  #zoneField(): TemplateResult {
    this.#zones ??= allTimeZones();
    const query = this.zoneQuery.trim().toLowerCase().replace(/\s+/g, '_');
    const zone = this.values.timeZone;
    const shown = this.#zones.filter(
      (candidate) => candidate === zone || candidate.toLowerCase().includes(query),
    );
    return html`<div class="field zone" part="field">
      <label for="field-timeZone">Time zone</label>
      <input
        type="search"
        class="zone-search"
        placeholder="Search zones"
        aria-label="Search time zones"
        .value=${live(this.zoneQuery)}
        @input=${(event: InputEvent) => (this.zoneQuery = (event.target as HTMLInputElement).value)}
      />
      <select
        id="field-timeZone"
        aria-invalid=${this.errors.timeZone ? 'true' : 'false'}
        aria-describedby=${this.errors.timeZone ? 'error-timeZone' : nothing}
        @change=${(event: Event) => this.#set({ timeZone: (event.target as HTMLSelectElement).value })}
      >
        ${shown.map(
          (candidate) =>
            html`<option value=${candidate} ?selected=${candidate === zone}>
              ${candidate.replace(/_/g, ' ')}
            </option>`,
        )}
      </select>
      ${this.#error('timeZone')}
    </div>`;
  }

  #recurrenceFields(): TemplateResult {
    const values = this.values;
    const interval = this.#described('interval');
    const until = this.#described('until');
    const count = this.#described('count');
    const unit =
      values.repeat === 'daily'
        ? values.interval === 1
          ? 'day'
          : 'days'
        : values.interval === 1
          ? 'week'
          : 'weeks';
    return html`<fieldset class="field recurrence" part="field">
      <legend>Repeat</legend>
      <div class="choices">
        ${REPEATS.map(
          (repeat) =>
            html`<label class="choice">
              <input
                type="radio"
                name="repeat"
                .checked=${live(values.repeat === repeat)}
                @change=${() => this.#set({ repeat })}
              />
              ${repeat === 'none' ? 'Does not repeat' : repeat === 'daily' ? 'Daily' : 'Weekly'}
            </label>`,
        )}
      </div>
      ${
        values.repeat === 'none'
          ? nothing
          : html`<div class="inline">
                <label for="field-interval">Every</label>
                <input
                  id="field-interval"
                  class="small"
                  type="number"
                  min="1"
                  max="52"
                  .value=${live(String(values.interval))}
                  aria-invalid=${interval.invalid}
                  aria-describedby=${`interval-unit ${interval.describedBy}`.trim()}
                  @input=${(event: InputEvent) => this.#set({ interval: Number((event.target as HTMLInputElement).value) })}
                />
                <span id="interval-unit">${unit}</span>
              </div>
              ${this.#error('interval')}
              ${
                values.repeat === 'weekly'
                  ? html`<div
                        class="weekdays"
                        role="group"
                        aria-label="On these days"
                        id="field-weekdays"
                        tabindex="-1"
                        aria-describedby=${this.errors.weekdays ? 'error-weekdays' : nothing}
                      >
                        ${WEEKDAYS.map(
                          (day) =>
                            html`<button
                              type="button"
                              part="weekday"
                              aria-pressed=${values.weekdays.includes(day) ? 'true' : 'false'}
                              @click=${() => {
                                this.#weekdaysTouched = true;
                                const weekdays = values.weekdays.includes(day)
                                  ? values.weekdays.filter((candidate) => candidate !== day)
                                  : [...values.weekdays, day];
                                this.#set({ weekdays });
                              }}
                            >
                              <span aria-hidden="true">${WEEKDAY_NAMES[day].slice(0, 2)}</span
                              ><span class="visually-hidden">${WEEKDAY_NAMES[day]}</span>
                            </button>`,
                        )}
                      </div>
                      ${this.#error('weekdays')}`
                  : nothing
              }
              <fieldset class="ends">
                <legend>Ends</legend>
                <label class="choice">
                  <input
                    type="radio"
                    name="ends"
                    .checked=${live(values.ends === 'never')}
                    @change=${() => this.#set({ ends: 'never' })}
                  />
                  Never <span class="hint">(up to ${MAX_OCCURRENCES} sessions)</span>
                </label>
                <div class="inline">
                  <label class="choice">
                    <input
                      type="radio"
                      name="ends"
                      .checked=${live(values.ends === 'on')}
                      @change=${() => this.#set({ ends: 'on' })}
                    />
                    On
                  </label>
                  <input
                    id="field-until"
                    type="date"
                    aria-label="Last day"
                    .value=${live(values.until)}
                    ?disabled=${values.ends !== 'on'}
                    aria-invalid=${until.invalid}
                    aria-describedby=${until.describedBy || nothing}
                    @change=${(event: Event) => this.#set({ until: (event.target as HTMLInputElement).value })}
                  />
                </div>
                ${this.#error('until')}
                <div class="inline">
                  <label class="choice">
                    <input
                      type="radio"
                      name="ends"
                      .checked=${live(values.ends === 'after')}
                      @change=${() => this.#set({ ends: 'after' })}
                    />
                    After
                  </label>
                  <input
                    id="field-count"
                    class="small"
                    type="number"
                    min="1"
                    max=${MAX_OCCURRENCES}
                    aria-label="Number of sessions"
                    .value=${live(String(values.count))}
                    ?disabled=${values.ends !== 'after'}
                    aria-invalid=${count.invalid}
                    aria-describedby=${count.describedBy || nothing}
                    @input=${(event: InputEvent) => this.#set({ count: Number((event.target as HTMLInputElement).value) })}
                  />
                  <span>times</span>
                </div>
                ${this.#error('count')}
              </fieldset>`
      }
    </fieldset>`;
  }

  #buttons(): TemplateResult {
    const editing = Boolean(this.#editing);
    return html`<div class="buttons">
      <button type="submit" part="submit" class="primary" ?disabled=${this.busy}>
        ${this.busy ? 'Saving…' : editing ? 'Save changes' : 'Schedule session'}
      </button>
      ${
        editing && this.#editing?.session.status !== 'cancelled'
          ? html`<button
              type="button"
              part="cancel-session"
              class="danger"
              ?disabled=${this.busy}
              @click=${() => (this.asking = this.#recurring ? 'cancel' : 'confirm-cancel')}
            >
              Cancel session
            </button>`
          : nothing
      }
    </div>`;
  }

  #question(): TemplateResult {
    const back = html`<button type="button" @click=${() => (this.asking = undefined)}>Back</button>`;
    if (this.asking === 'confirm-cancel') {
      return html`<div class="question" part="scope-question" role="group" aria-labelledby="question">
        <p id="question">Cancel this session? Invitees are told.</p>
        <div class="buttons">
          <button type="button" class="danger" @click=${() => void this.#cancelSession('series')}>
            Cancel session
          </button>
          ${back}
        </div>
      </div>`;
    }
    const saving = this.asking === 'save';
    return html`<div class="question" part="scope-question" role="group" aria-labelledby="question">
      <p id="question">
        ${saving ? 'Only this occurrence or the whole series?' : 'Cancel only this occurrence or the whole series?'}
      </p>
      ${
        saving
          ? html`<p class="hint">For one occurrence only its date, time and duration change.</p>`
          : nothing
      }
      <div class="buttons">
        <button
          type="button"
          class=${saving ? 'primary' : 'danger'}
          @click=${() => void (saving ? this.#save('occurrence') : this.#cancelSession('occurrence'))}
        >
          This occurrence
        </button>
        <button
          type="button"
          class=${saving ? 'primary' : 'danger'}
          @click=${() => void (saving ? this.#save('series') : this.#cancelSession('series'))}
        >
          Whole series
        </button>
        ${back}
      </div>
    </div>`;
  }
}

function capitalise(message: string): string {
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
