import { css } from 'lit';

export default css`
  :host {
    --_class: var(--hub-session-calendar-class, #4f46e5);
    --_one-on-one: var(--hub-session-calendar-one-on-one, #0f766e);
    --_group: var(--hub-session-calendar-group, #b45309);
    --_live: var(--hub-session-calendar-live, #dc2626);
    --_cell-height: var(--hub-session-calendar-cell-height, 6rem);
  }
  :host([theme='dark']) {
    --_class: var(--hub-session-calendar-class, #a5b4fc);
    --_one-on-one: var(--hub-session-calendar-one-on-one, #5eead4);
    --_group: var(--hub-session-calendar-group, #fcd34d);
    --_live: var(--hub-session-calendar-live, #f87171);
  }
  .calendar {
    background: var(--_hub-color-surface);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    padding: var(--_hub-space-3);
    container-type: inline-size;
  }
  button {
    border: 1px solid var(--_hub-color-border-strong);
    background: var(--_hub-color-surface);
    border-radius: var(--_hub-radius-small);
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3);
  }
  button:hover:not(:disabled) {
    background: var(--_hub-color-surface-hover);
  }
  button:disabled {
    opacity: 0.6;
  }
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  h2,
  h3,
  p {
    margin: 0;
  }

  /* Toolbar */
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_hub-space-2) var(--_hub-space-3);
    margin-bottom: var(--_hub-space-3);
  }
  .nav {
    display: flex;
    gap: var(--_hub-space-1);
  }
  .nav [aria-label] {
    font-size: 1.25rem;
    line-height: 1;
    width: var(--_hub-control-height);
    padding: 0;
  }
  .heading {
    flex: 1;
    font-size: 1.125rem;
    font-weight: var(--_hub-font-weight-strong);
    min-width: 10rem;
  }
  .views {
    display: inline-flex;
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    overflow: hidden;
  }
  .views button {
    border: 0;
    border-radius: 0;
    min-height: calc(var(--_hub-control-height) - 2px);
  }
  .views button + button {
    border-inline-start: 1px solid var(--_hub-color-border-strong);
  }
  .views button[aria-pressed='true'] {
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
  }

  /* Occurrence chips, coloured by type */
  .type-class {
    --_type: var(--_class);
  }
  .type-one_on_one {
    --_type: var(--_one-on-one);
  }
  .type-group {
    --_type: var(--_group);
  }
  .occurrence {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0 var(--_hub-space-1);
    width: 100%;
    min-height: 0;
    padding: 0.125rem var(--_hub-space-1);
    border: 0;
    border-inline-start: 3px solid var(--_type);
    border-radius: var(--_hub-radius-small);
    background: color-mix(in srgb, var(--_type) 12%, var(--_hub-color-surface));
    text-align: start;
    font-size: var(--_hub-font-size-xsmall);
    line-height: 1.35;
  }
  .occurrence:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_type) 22%, var(--_hub-color-surface));
  }
  .occurrence .time {
    font-variant-numeric: tabular-nums;
    font-weight: var(--_hub-font-weight-strong);
  }
  .occurrence .title {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    flex: 1;
  }
  .occurrence.long {
    flex-direction: column;
    align-items: flex-start;
    padding: var(--_hub-space-1) var(--_hub-space-2);
    font-size: var(--_hub-font-size-small);
  }
  .occurrence.long .title {
    white-space: normal;
    font-weight: var(--_hub-font-weight-strong);
  }
  .occurrence.long .time {
    font-weight: 400;
  }
  .occurrence .type {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
  }
  .occurrence.past,
  .occurrence.status-ended {
    --_type: var(--_hub-color-border-strong);
    color: var(--_hub-color-text-muted);
    background: var(--_hub-color-surface-muted);
  }
  .occurrence.status-cancelled {
    --_type: var(--_hub-color-border-strong);
    color: var(--_hub-color-text-muted);
    background: var(--_hub-color-surface-muted);
  }
  .occurrence.status-cancelled .title,
  .occurrence.status-cancelled .time {
    text-decoration: line-through;
  }
  .occurrence.status-live {
    outline: 2px solid var(--_live);
    outline-offset: -1px;
  }
  .occurrence.status-live:focus-visible {
    outline: var(--_hub-focus-ring-width) solid var(--_hub-focus-ring-color);
    outline-offset: var(--_hub-focus-ring-offset);
  }
  .live-mark {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    color: var(--_hub-color-danger);
    font-weight: var(--_hub-font-weight-strong);
    text-transform: uppercase;
    font-size: 0.6875rem;
    letter-spacing: 0.04em;
  }
  .pulse {
    width: 0.5rem;
    height: 0.5rem;
    border-radius: 50%;
    background: var(--_live);
    animation: pulse 1.4s ease-in-out infinite;
  }
  @keyframes pulse {
    0%,
    100% {
      box-shadow: 0 0 0 0 color-mix(in srgb, var(--_live) 60%, transparent);
    }
    50% {
      box-shadow: 0 0 0 0.3rem color-mix(in srgb, var(--_live) 0%, transparent);
    }
  }

  /* Month grid */
  .grid {
    display: grid;
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius-small);
    overflow: hidden;
  }
  .grid-row {
    display: grid;
    grid-template-columns: repeat(7, minmax(0, 1fr));
  }
  .grid-row + .grid-row {
    border-top: 1px solid var(--_hub-color-border);
  }
  .weekday {
    padding: var(--_hub-space-1) var(--_hub-space-2);
    font-size: var(--_hub-font-size-xsmall);
    color: var(--_hub-color-text-muted);
    text-transform: uppercase;
    letter-spacing: 0.04em;
    background: var(--_hub-color-surface-muted);
  }
  .weekday abbr {
    text-decoration: none;
  }
  .cell {
    display: flex;
    flex-direction: column;
    gap: 0.125rem;
    min-height: var(--_cell-height);
    min-width: 0;
    padding: var(--_hub-space-1);
  }
  .cell + .cell {
    border-inline-start: 1px solid var(--_hub-color-border);
  }
  .cell:focus-visible {
    outline-offset: -2px;
  }
  .cell.outside {
    background: var(--_hub-color-surface-muted);
  }
  .cell.outside .date {
    color: var(--_hub-color-text-muted);
  }
  .date {
    font-size: var(--_hub-font-size-small);
    font-variant-numeric: tabular-nums;
  }
  .cell .date {
    align-self: flex-start;
    min-width: 1.5rem;
    height: 1.5rem;
    display: inline-grid;
    place-items: center;
    border-radius: 999px;
  }
  .is-today .date {
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
    font-weight: var(--_hub-font-weight-strong);
    padding: 0 0.375rem;
  }
  .chips {
    display: flex;
    flex-direction: column;
    gap: 0.1875rem;
  }
  .more {
    min-height: 0;
    border: 0;
    padding: 0 var(--_hub-space-1);
    align-self: flex-start;
    font-size: var(--_hub-font-size-xsmall);
    color: var(--_hub-color-accent);
    background: none;
  }

  /* Week */
  .week {
    display: grid;
    grid-template-columns: repeat(7, minmax(0, 1fr));
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius-small);
    overflow: hidden;
  }
  .column {
    min-height: 16rem;
    padding: var(--_hub-space-2) var(--_hub-space-1);
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
  }
  .column + .column {
    border-inline-start: 1px solid var(--_hub-color-border);
  }
  .column-head {
    display: flex;
    flex-direction: column;
    align-items: center;
    font-size: var(--_hub-font-size-small);
    font-weight: 400;
  }
  .column-head .weekday {
    background: none;
    padding: 0;
  }
  .column-head .date {
    font-weight: var(--_hub-font-weight-strong);
  }
  .column.is-today .column-head .date {
    padding: 0 0.5rem;
    border-radius: 999px;
  }
  .none {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
    text-align: center;
  }

  /* Agenda */
  .agenda {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-4);
  }
  .agenda-date {
    font-size: var(--_hub-font-size-small);
    font-weight: var(--_hub-font-weight-strong);
    color: var(--_hub-color-text-muted);
    margin-bottom: var(--_hub-space-2);
  }

  @container (max-width: 40rem) {
    .week {
      grid-template-columns: 1fr;
    }
    .column {
      min-height: 0;
    }
    .column + .column {
      border-inline-start: 0;
      border-top: 1px solid var(--_hub-color-border);
    }
    .column-head {
      flex-direction: row;
      gap: var(--_hub-space-2);
    }
    .cell {
      min-height: 3.5rem;
    }
    .occurrence:not(.long) .title {
      display: none;
    }
    .heading {
      order: -1;
      flex-basis: 100%;
    }
  }

  /* States */
  .message {
    padding: var(--_hub-space-5) var(--_hub-space-4);
    text-align: center;
    color: var(--_hub-color-text-muted);
  }
  .message.error {
    color: var(--_hub-color-danger);
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: var(--_hub-space-2);
  }
  .request-id {
    font-size: var(--_hub-font-size-xsmall);
    color: var(--_hub-color-text-muted);
  }
  .skeleton {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
  }
  .skeleton-week {
    display: grid;
    grid-template-columns: repeat(7, 1fr);
    gap: var(--_hub-space-2);
  }
  .skeleton.month .skeleton-day {
    height: 4.5rem;
  }
  .skeleton.week .skeleton-day {
    height: 14rem;
  }
  .skeleton-day {
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface-muted);
    padding: var(--_hub-space-2);
  }
  .skeleton-day .bone {
    width: 60%;
  }
  .skeleton-row {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-2) 0;
  }

  /* Details dialog */
  dialog {
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    padding: 0;
    width: min(28rem, calc(100vw - 2rem));
    background: var(--_hub-color-surface);
    color: var(--_hub-color-text);
    font-family: var(--_hub-font-family);
    font-size: var(--_hub-font-size);
    line-height: var(--_hub-line-height);
    box-shadow: 0 10px 30px rgb(15 23 42 / 0.25);
  }
  dialog::backdrop {
    background: rgb(15 23 42 / 0.35);
  }
  .details {
    padding: var(--_hub-space-4);
    border-top: 4px solid var(--_type);
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-3);
  }
  .details-head {
    display: flex;
    align-items: flex-start;
    gap: var(--_hub-space-2);
  }
  .details-head h2 {
    flex: 1;
    font-size: 1.125rem;
  }
  .close {
    border: 0;
    font-size: 1.25rem;
    line-height: 1;
    padding: 0;
    width: var(--_hub-control-height);
  }
  .facts {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: var(--_hub-space-1) var(--_hub-space-3);
    margin: 0;
  }
  .facts dt {
    color: var(--_hub-color-text-muted);
  }
  .facts dd {
    margin: 0;
  }
  .zone {
    color: var(--_hub-color-text-muted);
  }
  .type-dot {
    display: inline-block;
    width: 0.625rem;
    height: 0.625rem;
    border-radius: 50%;
    background: var(--_type);
    margin-inline-end: var(--_hub-space-1);
  }
  .facts .status-live {
    color: var(--_hub-color-danger);
    font-weight: var(--_hub-font-weight-strong);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-2);
  }
  .actions .primary {
    background: var(--_hub-color-accent);
    border-color: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
  }
  .actions .primary:hover:not(:disabled) {
    background: var(--_hub-color-accent-hover);
  }
  .actions .danger {
    color: var(--_hub-color-danger);
    border-color: currentColor;
  }
  .confirm {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface-muted);
  }
  .action-error {
    color: var(--_hub-color-danger);
    background: var(--_hub-color-danger-subtle);
    padding: var(--_hub-space-2);
    border-radius: var(--_hub-radius-small);
  }
  .attendance {
    width: 100%;
    border-collapse: collapse;
    font-size: var(--_hub-font-size-small);
  }
  .attendance caption {
    text-align: start;
    font-weight: var(--_hub-font-weight-strong);
    padding-bottom: var(--_hub-space-1);
  }
  .attendance th,
  .attendance td {
    text-align: start;
    padding: var(--_hub-space-1) var(--_hub-space-2);
    border-bottom: 1px solid var(--_hub-color-border);
  }
  .attendance tbody th {
    font-weight: 400;
  }
  .attendance td:last-child,
  .attendance th:last-child {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .attendance-absent td:nth-child(2) {
    color: var(--_hub-color-danger);
  }
`;
