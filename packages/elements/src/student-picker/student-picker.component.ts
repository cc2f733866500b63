import { Task, TaskStatus, initialState } from '@lit/task';
import { describeError } from '../base/describe-error.ts';
import type { Roster, ResourceState } from '@teacher-hub/core';
import { html, nothing, svg } from 'lit';
import type { CSSResultGroup, PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { HubElement } from '../base/hub-element.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { emit, emitNative } from '../events/hub-events.ts';
import styles from './student-picker.styles.ts';

interface StudentView {
  id: string;
  name: string;
  initials: string;
  /** One of eight avatar tints, stable per id. */
  tint: number;
  /** Lower-cased, accent-free name for search. */
  searchText: string;
}

interface CourseView {
  id: string;
  name: string;
  labelId: string;
  countId: string;
  students: StudentView[];
}

interface RosterModel {
  roster: Roster;
  courses: CourseView[];
  studentCount: number;
}

interface VisibleCourse {
  course: CourseView;
  students: StudentView[];
}

const COURSE_KEY_PREFIX = 'c:';
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Parses the `value` attribute: ids separated by spaces or commas (ids contain neither). */
const idListConverter = {
  fromAttribute: (value: string | null): string[] => (value ? value.split(/[\s,]+/).filter(Boolean) : []),
  toAttribute: (value: string[]): string => value.join(' '),
};

/**
 * A student enrolled in two of the teacher's courses is listed under both, counted once, and selected in
 * both at once. A course checkbox acts on the students it shows: with a search, only on the matching ones.
 * Loading, empty and error states (with Retry) are built in.
 *
 * Keyboard: Tab reaches the search field, then the list (one tab stop). In the list, Up and Down move
 * between the course and student checkboxes, Page Up / Page Down jump between courses, Home / End go to the
 * first / last, Space toggles. Down in the search field enters the list; Escape clears the search.
 *
 * @tag student-picker
 * @summary Lets a teacher pick students from their courses: grouped by course, searchable, with a
 * select-all checkbox per course. `value` is the selected ids.
 *
 * @event change - The user changed the selection (never fired when `value` is set from outside). Read `value`.
 * @event {CustomEvent<{value: string[]}>} hub-selection-change - Fired with `change`; `detail.value` is the selection.
 *
 * @csspart base - The outer frame.
 * @csspart header - The area with the search field and the summary.
 * @csspart search - The search field (`<input type="search">`).
 * @csspart summary - The line with the counts and the clear button.
 * @csspart count - The "N selected" text, a polite live region.
 * @csspart clear-button - Clears the whole selection.
 * @csspart list - The scrolling list of courses.
 * @csspart course - One course group.
 * @csspart course-header - A course's sticky header row.
 * @csspart course-checkbox - A course's select-all checkbox (checked, indeterminate or unchecked).
 * @csspart course-name - A course's name.
 * @csspart course-count - A course's "selected of total" count.
 * @csspart options - The list of a course's students.
 * @csspart option - One student row.
 * @csspart option-checkbox - A student's checkbox.
 * @csspart avatar - A student's initials.
 * @csspart option-label - A student's name.
 * @csspart skeleton - The placeholder shown while loading.
 * @csspart message - The empty, no-match and error messages.
 * @csspart retry-button - The error message's Retry button.
 *
 * @cssproperty --hub-student-picker-max-height - Height after which the list scrolls. Default `22rem`.
 * @cssproperty --hub-student-picker-placeholder-height - Height of the loading, empty and error states. Default `11.5rem`.
 * @cssproperty --hub-student-picker-row-height - Height of a row. Default `2.25rem` (`2.75rem` on touch screens).
 * @cssproperty --hub-student-picker-accent - Checkbox and count color. Defaults to `--hub-color-accent`.
 * @cssproperty --hub-student-picker-background - Background. Defaults to `--hub-color-surface`.
 * @cssproperty --hub-student-picker-header-background - Course headers. Defaults to `--hub-color-surface-muted`.
 * @cssproperty --hub-student-picker-border-color - Frame and dividers. Defaults to `--hub-color-border`.
 * @cssproperty --hub-student-picker-radius - Corner radius of the frame. Defaults to `--hub-radius`.
 */
export class StudentPicker extends HubElement {
  static override styles: CSSResultGroup = [HubElement.styles, styles];

  /**
   * Lets `<form>` submit the selection under `name` (one entry per id) and reset or disable the picker.
   * @internal
   */
  static formAssociated = true;

  /**
   * The selected student ids, in the order they were selected. Setting it never fires `change`. As an
   * attribute: ids separated by spaces or commas.
   */
  @property({ converter: idListConverter }) value: string[] = [];

  /** The form field name the selection is submitted under. */
  @property({ reflect: true }) name?: string;

  /** Disables searching and selecting; the selection stays visible. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /** Accessible name of the whole picker. */
  @property() label = 'Students';

  /** The search text; filters students by name within their courses. */
  @state() protected query = '';

  /** The key (`data-key`) of the list item that takes focus when the list is tabbed into. */
  @state() protected activeKey?: string;

  @state() protected formDisabled = false;

  @query('input[type="search"]') protected searchInput?: HTMLInputElement;

  readonly #internals = this.attachInternals();
  readonly #roster = new StoreController(
    this,
    this.client?.roster.store,
    (rosterState: ResourceState<Roster>) => rosterState.data,
  );
  readonly #rosterTask = new Task(this, {
    task: async ([client]) => (client ? client.roster.load() : initialState),
    args: () => [this.client] as const,
  });
  #selected = new Set<string>();
  #model: RosterModel | undefined;
  #visible: { model: RosterModel; query: string; courses: VisibleCourse[] } | undefined;

  /** Ids of every student the teacher can pick, once loaded. */
  get studentIds(): string[] {
    return this.#model
      ? [...new Set(this.#model.courses.flatMap((course) => course.students.map((s) => s.id)))]
      : [];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.#roster.setStore(this.client?.roster.store);
    if (changed.has('value')) this.#selected = new Set(this.value);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (changed.has('value') || changed.has('name')) this.#syncFormValue();
  }

  /** @internal */
  formDisabledCallback(disabled: boolean): void {
    this.formDisabled = disabled;
  }

  /** @internal */
  formResetCallback(): void {
    this.value = idListConverter.fromAttribute(this.getAttribute('value'));
  }

  get #isDisabled(): boolean {
    return this.disabled || this.formDisabled;
  }

  override render(): TemplateResult {
    const data = this.#roster.value;
    const ready =
      this.#rosterTask.status === TaskStatus.COMPLETE ||
      (data !== undefined && this.#rosterTask.status !== TaskStatus.ERROR);
    const model = ready ? this.#modelFor(data ?? (this.#rosterTask.value as Roster)) : undefined;
    return html`
      <div
        part="base"
        class="hub-root base"
        role="group"
        aria-label=${this.label}
        aria-disabled=${this.#isDisabled ? 'true' : nothing}
      >
        ${this.#renderHeader(model)}
        <div
          part="list"
          class="list"
          id="list"
          aria-busy=${ready || this.#rosterTask.status === TaskStatus.ERROR ? 'false' : 'true'}
          @keydown=${this.#onListKeydown}
          @focusin=${this.#onListFocusin}
          @change=${this.#onListChange}
        >
          ${this.#rosterTask.render({
            initial: () => this.#renderSkeleton(),
            pending: () => (model ? this.#renderCourses(model) : this.#renderSkeleton()),
            complete: () => (model ? this.#renderCourses(model) : nothing),
            error: (error) => this.#renderError(error),
          })}
        </div>
      </div>
    `;
  }

  #renderHeader(model: RosterModel | undefined): TemplateResult {
    const selectedCount = this.#selected.size;
    const searchable = model !== undefined && model.studentCount > 0 && !this.#isDisabled;
    const visible = model ? this.#visibleFor(model) : [];
    const matching = this.query
      ? new Set(visible.flatMap((group) => group.students.map((s) => s.id))).size
      : 0;
    let summary = '';
    if (!model && this.#rosterTask.status !== TaskStatus.ERROR) {
      summary = 'Loading students…';
    } else if (model && model.studentCount > 0) {
      summary = this.query
        ? `${matching} of ${plural(model.studentCount, 'student')} match`
        : `${plural(model.studentCount, 'student')} in ${plural(model.courses.length, 'course')}`;
    }
    return html`
      <div part="header" class="header">
        <div class="search">
          <svg class="search-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="1.8" />
            <path
              d="M12.7 12.7 17 17"
              fill="none"
              stroke="currentColor"
              stroke-width="1.8"
              stroke-linecap="round"
            />
          </svg>
          <input
            part="search"
            type="search"
            placeholder="Search students"
            aria-label="Search students"
            aria-controls="list"
            autocomplete="off"
            spellcheck="false"
            .value=${live(this.query)}
            ?disabled=${!searchable}
            @input=${this.#onSearchInput}
            @keydown=${this.#onSearchKeydown}
          />
        </div>
        <div part="summary" class="summary">
          <span class="total" aria-hidden=${model ? nothing : 'true'}>${summary}</span>
          <span part="count" class="count ${selectedCount > 0 ? 'has-selection' : ''}" role="status">
            ${selectedCount === 0 ? 'None selected' : `${selectedCount} selected`}
          </span>
          <button
            part="clear-button"
            class="clear"
            type="button"
            ?disabled=${this.#isDisabled || selectedCount === 0}
            @click=${this.#onClearAll}
          >
            Clear
          </button>
        </div>
      </div>
    `;
  }

  #renderSkeleton(): TemplateResult {
    const group = (rows: number) => html`
      <div class="skeleton-header"><span class="bone box"></span><span class="bone title"></span></div>
      ${Array.from({ length: rows }, () => html`<div class="skeleton-row"><span class="bone box"></span><span class="bone circle"></span><span class="bone line"></span></div>`)}
    `;
    return html`
      <div part="skeleton" class="skeleton" aria-hidden="true">${group(3)}${group(2)}</div>
      <span class="visually-hidden" role="status">Loading students…</span>
    `;
  }

  #renderCourses(model: RosterModel): TemplateResult {
    if (model.studentCount === 0) {
      return this.#renderMessage(
        'empty',
        'No students enrolled in your courses',
        'Students appear here once they are enrolled in a course you teach.',
      );
    }
    const visible = this.#visibleFor(model);
    if (visible.length === 0) {
      return this.#renderMessage(
        'no-match',
        `No students match “${this.query.trim()}”`,
        'Try another name, or clear the search.',
      );
    }
    // The roving tab stop: the last focused item if it is still shown, else the first item.
    const shownKeys = new Set<string>();
    for (const group of visible) {
      shownKeys.add(COURSE_KEY_PREFIX + group.course.id);
      for (const student of group.students) shownKeys.add(optionKey(group.course.id, student.id));
    }
    const tabStop =
      this.activeKey && shownKeys.has(this.activeKey)
        ? this.activeKey
        : COURSE_KEY_PREFIX + visible[0]!.course.id;
    return html`${repeat(
      visible,
      (group) => group.course.id,
      (group) => this.#renderCourse(group, tabStop),
    )}`;
  }

  #renderCourse({ course, students }: VisibleCourse, tabStop: string): TemplateResult {
    const selected = this.#selected;
    const disabled = this.#isDisabled;
    let shownSelected = 0;
    for (const student of students) if (selected.has(student.id)) shownSelected++;
    let courseSelected = 0;
    for (const student of course.students) if (selected.has(student.id)) courseSelected++;
    const all = shownSelected === students.length;
    const some = shownSelected > 0 && !all;
    const courseKey = COURSE_KEY_PREFIX + course.id;
    return html`
      <div part="course" class="course" role="group" aria-labelledby=${course.labelId}>
        <div part="course-header" class="course-header">
          <label class="row course-row">
            <input
              part="course-checkbox"
              class="checkbox"
              type="checkbox"
              data-key=${courseKey}
              data-course=${course.id}
              aria-describedby=${course.countId}
              tabindex=${tabStop === courseKey ? 0 : -1}
              .checked=${live(all)}
              .indeterminate=${live(some)}
              ?disabled=${disabled}
            />
            <span part="course-name" class="course-name" id=${course.labelId}>${course.name}</span>
          </label>
          <span
            part="course-count"
            class="course-count ${courseSelected > 0 ? 'has-selection' : ''}"
            id=${course.countId}
            >${
              courseSelected === 0
                ? plural(course.students.length, 'student')
                : `${courseSelected} of ${course.students.length} selected`
            }</span
          >
        </div>
        <ul part="options" class="options">
          ${repeat(
            students,
            (student) => student.id,
            (student) => {
              const key = optionKey(course.id, student.id);
              return html`<li part="option" class="option">
                <label class="row">
                  <input
                    part="option-checkbox"
                    class="checkbox"
                    type="checkbox"
                    data-key=${key}
                    data-id=${student.id}
                    tabindex=${tabStop === key ? 0 : -1}
                    .checked=${live(selected.has(student.id))}
                    ?disabled=${disabled}
                  />
                  <span part="avatar" class="avatar tint-${student.tint}" aria-hidden="true"
                    >${student.initials}</span
                  >
                  <span part="option-label" class="name">${student.name}</span>
                </label>
              </li>`;
            },
          )}
        </ul>
      </div>
    `;
  }

  #renderMessage(kind: 'empty' | 'no-match', title: string, detail: string): TemplateResult {
    return html`
      <div part="message" class="message ${kind}" role="status">
        <svg class="message-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          ${
            kind === 'empty'
              ? svg`<path
                  d="M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7ZM21 19v-1a4 4 0 0 0-3-3.87M15.5 3.13a3.5 3.5 0 0 1 0 6.74"
                />`
              : svg`<path d="M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM20 20l-4.5-4.5" />`
          }
        </svg>
        <p class="message-title">${title}</p>
        <p class="message-detail">${detail}</p>
      </div>
    `;
  }

  #renderError(error: unknown): TemplateResult {
    const { detail, requestId } = describeError(error, {
      forbidden: 'You are not allowed to see these students.',
    });
    return html`
      <div part="message" class="message error" role="alert">
        <svg class="message-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            d="M12 8v5M12 16.5v.01M10.3 3.9 2.4 17.6A2 2 0 0 0 4.1 20.6h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z"
          />
        </svg>
        <p class="message-title">Couldn’t load your students</p>
        <p class="message-detail">${detail}</p>
        ${requestId ? html`<p class="message-meta">Request ID ${requestId}</p>` : nothing}
        <button part="retry-button" class="button" type="button" @click=${this.#onRetry}>Retry</button>
      </div>
    `;
  }

  // ── View model ──────────────────────────────────────────────────────────────────────────────────────

  #modelFor(roster: Roster): RosterModel {
    if (this.#model?.roster === roster) return this.#model;
    const people = new Map<string, StudentView>();
    const courses: CourseView[] = [];
    for (const course of roster.courses) {
      if (course.students.length === 0) continue;
      const index = courses.length;
      const students = course.students.map((person) => {
        let view = people.get(person.id);
        if (!view) {
          view = {
            id: person.id,
            name: person.name,
            initials: initialsOf(person.name),
            tint: tintOf(person.id),
            searchText: normalize(person.name),
          };
          people.set(person.id, view);
        }
        return view;
      });
      students.sort((a, b) => collator.compare(a.name, b.name));
      courses.push({
        id: course.id,
        name: course.name,
        labelId: `course-${index}`,
        countId: `course-${index}-count`,
        students,
      });
    }
    courses.sort((a, b) => collator.compare(a.name, b.name));
    this.#model = { roster, courses, studentCount: people.size };
    return this.#model;
  }

  #visibleFor(model: RosterModel): VisibleCourse[] {
    const query = normalize(this.query).trim();
    if (this.#visible?.model === model && this.#visible.query === query) return this.#visible.courses;
    const terms = query.split(/\s+/).filter(Boolean);
    const courses = model.courses
      .map((course) => ({
        course,
        students:
          terms.length === 0
            ? course.students
            : course.students.filter((s) => terms.every((term) => s.searchText.includes(term))),
      }))
      .filter((group) => group.students.length > 0);
    this.#visible = { model, query, courses };
    return courses;
  }

  // ── Intent ──────────────────────────────────────────────────────────────────────────────────────────

  #commit(value: string[]): void {
    this.value = value;
    this.#selected = new Set(value);
    emitNative(this, 'change');
    emit(this, 'hub-selection-change', { value: [...value] });
  }

  #onListChange = (event: Event): void => {
    event.stopPropagation();
    const input = event.target as HTMLInputElement;
    if (this.#isDisabled || !this.#model) return;
    if (input.dataset.course !== undefined) {
      const group = this.#visibleFor(this.#model).find((g) => g.course.id === input.dataset.course);
      if (!group) return;
      const ids = group.students.map((s) => s.id);
      const allSelected = ids.every((id) => this.#selected.has(id));
      if (allSelected) {
        const removed = new Set(ids);
        this.#commit(this.value.filter((id) => !removed.has(id)));
      } else {
        this.#commit([...this.#selected, ...ids.filter((id) => !this.#selected.has(id))]);
      }
      return;
    }
    const id = input.dataset.id;
    if (id === undefined) return;
    if (input.checked && !this.#selected.has(id)) this.#commit([...this.#selected, id]);
    else if (!input.checked && this.#selected.has(id))
      this.#commit(this.value.filter((selected) => selected !== id));
  };

  #onClearAll = (): void => {
    if (this.#isDisabled || this.#selected.size === 0) return;
    this.#commit([]);
    this.searchInput?.focus();
  };

  #onRetry = (): void => {
    void this.#rosterTask.run();
  };

  #onSearchInput = (event: Event): void => {
    this.query = (event.target as HTMLInputElement).value;
  };

  #onSearchKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'ArrowDown') {
      const target = this.renderRoot.querySelector<HTMLInputElement>('.list input[tabindex="0"]');
      if (target) {
        event.preventDefault();
        target.focus();
      }
    } else if (event.key === 'Escape' && this.query) {
      // Only swallow Escape when it did something, so a dialog around the picker still closes on it.
      event.preventDefault();
      event.stopPropagation();
      this.query = '';
    }
  };

  #onListFocusin = (event: FocusEvent): void => {
    const key = (event.target as HTMLElement).dataset?.key;
    if (key) this.activeKey = key;
  };

  #onListKeydown = (event: KeyboardEvent): void => {
    const current = event.target as HTMLElement;
    if (!(current instanceof HTMLInputElement) || !current.dataset.key) return;
    const items = [...this.renderRoot.querySelectorAll<HTMLInputElement>('.list input[data-key]')];
    const index = items.indexOf(current);
    const isCourse = (item: HTMLInputElement) => item.dataset.course !== undefined;
    let next: HTMLElement | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = items[index + 1];
        break;
      case 'ArrowUp':
        next = index === 0 ? this.searchInput : items[index - 1];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items.at(-1);
        break;
      case 'PageDown':
        next = items.slice(index + 1).find(isCourse) ?? items.at(-1);
        break;
      case 'PageUp':
        next = items.slice(0, index).reverse().find(isCourse) ?? items[0];
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next && !(next instanceof HTMLInputElement && next.disabled)) next.focus();
  };

  #syncFormValue(): void {
    if (!this.name || this.value.length === 0) {
      this.#internals.setFormValue(null);
      return;
    }
    const data = new FormData();
    for (const id of new Set(this.value)) data.append(this.name, id);
    this.#internals.setFormValue(data);
  }
}

function optionKey(courseId: string, studentId: string): string {
  return `o:${courseId}:${studentId}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function normalize(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words.at(-1)?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

function tintOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % 8;
}
