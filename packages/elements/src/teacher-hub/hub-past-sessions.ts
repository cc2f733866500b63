import { Task, initialState } from '@lit/task';
import { occurrenceKey } from '@teacher-hub/core';
import type { HubClient, Occurrence, SessionsState } from '@teacher-hub/core';
import type { AttendanceEntry, AttendanceStatus } from '@teacher-hub/protocol';
import { css, html, nothing } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { define } from '../base/define.ts';
import { describeError } from '../base/describe-error.ts';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Attendance statuses in the order they are counted and listed. */
const STATUS_ORDER: readonly AttendanceStatus[] = ['present', 'late', 'left_early', 'absent'];
const STATUS_LABELS: Record<AttendanceStatus, string> = {
  present: 'present',
  late: 'late',
  left_early: 'left early',
  absent: 'absent',
};

type Attendance = AttendanceEntry[] | 'loading' | { error: string };

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * The teacher's recent past sessions (the last `days` days, newest first), each with a "Who attended"
 * disclosure that loads its attendance when first opened: counts by status and the names. Internal to
 * `<teacher-hub>`, which gives it its client through context.
 *
 * @internal
 */
export class HubPastSessions extends HubElement {
  static override styles: CSSResultGroup = [
    HubElement.styles,
    css`
      .frame {
        background: var(--_hub-color-surface);
        border: 1px solid var(--_hub-color-border);
        border-radius: var(--_hub-radius);
        box-shadow: var(--_hub-shadow);
        overflow: hidden;
      }
      .heading {
        margin: 0;
        padding: var(--_hub-space-3) var(--_hub-space-4);
        font-size: 1rem;
        font-weight: var(--_hub-font-weight-strong);
        border-bottom: 1px solid var(--_hub-color-border);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .item {
        padding: var(--_hub-space-3) var(--_hub-space-4);
      }
      .item + .item {
        border-top: 1px solid var(--_hub-color-border);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: var(--_hub-space-2);
      }
      .title {
        margin: 0;
        font-size: var(--_hub-font-size);
        font-weight: var(--_hub-font-weight-strong);
        overflow-wrap: anywhere;
      }
      .when,
      .message,
      .summary {
        margin: 0;
        color: var(--_hub-color-text-muted);
        font-size: var(--_hub-font-size-small);
      }
      .message {
        padding: var(--_hub-space-4);
      }
      .toggle,
      .more {
        min-height: var(--_hub-control-height);
        padding: 0 var(--_hub-space-3);
        border: 1px solid var(--_hub-color-border-strong);
        border-radius: var(--_hub-radius-small);
        background: var(--_hub-color-surface);
        color: var(--_hub-color-text);
      }
      .toggle:hover,
      .more:hover {
        background: var(--_hub-color-surface-hover);
      }
      .more {
        margin: var(--_hub-space-3) var(--_hub-space-4);
      }
      .attendance {
        margin-top: var(--_hub-space-2);
      }
      .summary {
        color: var(--_hub-color-text);
      }
      .names {
        display: grid;
        gap: var(--_hub-space-1);
        margin: var(--_hub-space-2) 0 0;
      }
      .names div {
        display: flex;
        gap: var(--_hub-space-2);
      }
      .names dt {
        min-width: 6rem;
        color: var(--_hub-color-text-muted);
        text-transform: capitalize;
      }
      .names dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .error {
        color: var(--_hub-color-danger);
      }
      .skeleton-row {
        display: grid;
        gap: var(--_hub-space-2);
        padding: var(--_hub-space-3) var(--_hub-space-4);
      }
      .skeleton-row .bone:first-child {
        width: 55%;
      }
      .skeleton-row .bone:last-child {
        width: 35%;
      }
    `,
  ];

  /** How many days back to list. */
  @property({ type: Number }) days = 30;

  /** How many sessions show before "Show more". */
  @property({ type: Number }) limit = 5;

  @state() private expanded = false;
  /** Attendance by occurrence key, for the occurrences whose disclosure was opened. */
  @state() private attendance: ReadonlyMap<string, Attendance> = new Map();
  @state() private open: ReadonlySet<string> = new Set();

  readonly #occurrences = new StoreController(
    this,
    undefined,
    (sessionsState: SessionsState) => sessionsState.occurrences,
  );

  #heldClient: HubClient | undefined;
  #release: (() => void) | undefined;
  #loadedFor: HubClient | undefined;

  readonly #loadTask = new Task(this, {
    task: async ([client, days]) => {
      if (!client) return initialState;
      // Whole hours, so that reloads ask for the same range.
      const to = Math.ceil(Date.now() / HOUR) * HOUR;
      await client.sessions.load({ from: new Date(to - Math.max(1, days) * DAY), to: new Date(to) });
      this.#loadedFor = client;
      return undefined;
    },
    args: () => [this.#heldClient, this.days] as const,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hold();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hold();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#hold();
  }

  #hold(): void {
    const client = this.isConnected ? this.client : undefined;
    if (client === this.#heldClient) return;
    this.#release?.();
    this.#release = undefined;
    this.#heldClient = client;
    this.attendance = new Map();
    this.open = new Set();
    this.#occurrences.setStore(client?.sessions.store);
    if (client) this.#release = client.sessions.connect();
  }

  /** Occurrences that ended in the period (ended early by the teacher, or over), newest first. */
  #past(): Occurrence[] {
    const now = Date.now();
    const from = now - Math.max(1, this.days) * DAY;
    return Object.values(this.#occurrences.value ?? {})
      .filter(
        (occurrence) =>
          (occurrence.status === 'ended' ||
            (occurrence.status === 'scheduled' && Date.parse(occurrence.endsAt) <= now)) &&
          Date.parse(occurrence.startsAt) >= from,
      )
      .sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  }

  override render(): TemplateResult {
    return html`<section class="hub-root frame" part="base" aria-labelledby="heading">
      <h2 class="heading" id="heading">Past</h2>
      ${this.#loadTask.render({
        initial: () => this.#skeleton(),
        pending: () => (this.#loadedFor === this.#heldClient ? this.#list() : this.#skeleton()),
        complete: () => this.#list(),
        error: (error) => {
          const { detail, requestId } = describeError(error);
          return html`<div class="message" role="alert">
            <p class="error">Past sessions could not be loaded. ${detail}</p>
            ${requestId ? html`<p class="when">Request ${requestId}</p>` : nothing}
            <button
              class="toggle"
              part="retry-button"
              type="button"
              @click=${() => void this.#loadTask.run()}
            >
              Retry
            </button>
          </div>`;
        },
      })}
    </section>`;
  }

  #skeleton(): TemplateResult {
    const row = html`<div class="skeleton-row"><span class="bone"></span><span class="bone"></span></div>`;
    return html`<div aria-hidden="true">${row}${row}${row}</div>
      <p class="visually-hidden" role="status">Loading past sessions…</p>`;
  }

  #list(): TemplateResult {
    const past = this.#past();
    if (past.length === 0) {
      return html`<p class="message">No sessions in the last ${Math.max(1, this.days)} days.</p>`;
    }
    const limit = Math.max(1, this.limit);
    const shown = this.expanded ? past : past.slice(0, limit);
    return html`<ul aria-labelledby="heading">
        ${repeat(shown, occurrenceKey, (occurrence, index) => this.#item(occurrence, index))}
      </ul>
      ${
        past.length > limit
          ? html`<button
              class="more"
              type="button"
              aria-expanded=${this.expanded ? 'true' : 'false'}
              @click=${() => (this.expanded = !this.expanded)}
            >
              ${this.expanded ? 'Show fewer' : `Show ${past.length - shown.length} more`}
            </button>`
          : nothing
      }`;
  }

  #item(occurrence: Occurrence, index: number): TemplateResult {
    const key = occurrenceKey(occurrence);
    const open = this.open.has(key);
    const titleId = `past-${index}`;
    const panelId = `attendance-${index}`;
    return html`<li class="item" part="past-item" aria-labelledby=${titleId}>
      <div class="row">
        <div>
          <h3 class="title" id=${titleId}>${occurrence.title}</h3>
          <p class="when">
            <time datetime=${occurrence.startsAt}>${dateTime.format(new Date(occurrence.startsAt))}</time>
          </p>
        </div>
        <button
          class="toggle"
          type="button"
          aria-expanded=${open ? 'true' : 'false'}
          aria-controls=${panelId}
          aria-describedby=${titleId}
          @click=${() => this.#toggle(occurrence)}
        >
          Who attended
        </button>
      </div>
      <div class="attendance" id=${panelId} ?hidden=${!open}>
        ${open ? this.#attendance(this.attendance.get(key)) : nothing}
      </div>
    </li>`;
  }

  #attendance(attendance: Attendance | undefined): TemplateResult {
    if (attendance === undefined || attendance === 'loading') {
      return html`<p class="summary" role="status">Loading attendance…</p>`;
    }
    if (!Array.isArray(attendance)) {
      return html`<p class="summary error" role="alert">
        Attendance could not be loaded. ${attendance.error}
      </p>`;
    }
    if (attendance.length === 0) return html`<p class="summary">Nobody was invited.</p>`;
    const byStatus = STATUS_ORDER.map((status) => ({
      status,
      names: attendance.filter((entry) => entry.status === status).map((entry) => entry.name),
    }));
    return html`<p class="summary" part="attendance-summary">
        ${byStatus.map(({ status, names }) => `${names.length} ${STATUS_LABELS[status]}`).join(' · ')}
      </p>
      <dl class="names" part="attendance-names">
        ${byStatus
          .filter(({ names }) => names.length > 0)
          .map(
            ({ status, names }) =>
              html`<div>
                <dt>${STATUS_LABELS[status]}</dt>
                <dd>${names.join(', ')}</dd>
              </div>`,
          )}
      </dl>`;
  }

  #toggle(occurrence: Occurrence): void {
    const key = occurrenceKey(occurrence);
    const open = new Set(this.open);
    if (open.has(key)) {
      open.delete(key);
      this.open = open;
      return;
    }
    open.add(key);
    this.open = open;
    const known = this.attendance.get(key);
    if (Array.isArray(known) || known === 'loading') return;
    void this.#loadAttendance(occurrence, key);
  }

  async #loadAttendance(occurrence: Occurrence, key: string): Promise<void> {
    const client = this.#heldClient;
    if (!client) return;
    this.attendance = new Map(this.attendance).set(key, 'loading');
    let result: Attendance;
    try {
      result = await client.sessions.attendance(occurrence.sessionId, occurrence.occurrenceStart);
    } catch (error) {
      result = { error: describeError(error).detail };
    }
    if (client === this.#heldClient) this.attendance = new Map(this.attendance).set(key, result);
  }
}

define('hub-past-sessions', HubPastSessions);

declare global {
  interface HTMLElementTagNameMap {
    'hub-past-sessions': HubPastSessions;
  }
}
