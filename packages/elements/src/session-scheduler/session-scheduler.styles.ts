import { css } from 'lit';

export default css`
  :host {
    max-width: var(--hub-session-scheduler-max-width, 44rem);
  }
  form {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-4);
    padding: var(--_hub-space-4);
    background: var(--_hub-color-surface);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
  }
  h2,
  p {
    margin: 0;
  }
  .form-title {
    font-size: 1.125rem;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-1);
    min-width: 0;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
  }
  legend,
  label,
  .label {
    font-weight: var(--_hub-font-weight-strong);
    padding: 0;
  }
  fieldset > legend {
    margin-bottom: var(--_hub-space-1);
  }
  .choice,
  .inline label {
    font-weight: 400;
  }
  .optional,
  .hint {
    color: var(--_hub-color-text-muted);
    font-weight: 400;
    font-size: var(--_hub-font-size-small);
  }
  input[type='text'],
  input[type='date'],
  input[type='time'],
  input[type='number'],
  input[type='search'],
  select,
  textarea {
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-2);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
    min-width: 0;
  }
  textarea {
    padding: var(--_hub-space-2);
    resize: vertical;
  }
  input:disabled {
    opacity: 0.6;
  }
  [aria-invalid='true'] {
    border-color: var(--_hub-color-danger);
    box-shadow: 0 0 0 1px var(--_hub-color-danger);
  }
  .field-error {
    color: var(--_hub-color-danger);
    font-size: var(--_hub-font-size-small);
  }
  .field-error::before {
    content: '⚠ ';
  }
  .form-error {
    color: var(--_hub-color-danger);
    background: var(--_hub-color-danger-subtle);
    border-radius: var(--_hub-radius-small);
    padding: var(--_hub-space-2) var(--_hub-space-3);
  }
  .row {
    display: grid;
    grid-template-columns: minmax(9rem, 1fr) minmax(7rem, 0.7fr) minmax(12rem, 1.4fr);
    gap: var(--_hub-space-3);
    align-items: start;
  }
  .zone .zone-search {
    min-height: calc(var(--_hub-control-height) - 0.5rem);
    font-size: var(--_hub-font-size-small);
  }
  .duration {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-2);
    align-items: center;
  }
  .duration input {
    width: 6rem;
  }
  button {
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
  }
  button:hover:not(:disabled) {
    background: var(--_hub-color-surface-hover);
  }
  .presets,
  .weekdays {
    display: inline-flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-1);
  }
  [aria-pressed='true'] {
    background: var(--_hub-color-accent);
    border-color: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
  }
  [aria-pressed='true']:hover:not(:disabled) {
    background: var(--_hub-color-accent-hover);
  }
  .weekdays button {
    width: 2.75rem;
    padding: 0;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-2) var(--_hub-space-4);
  }
  .choice {
    display: inline-flex;
    align-items: center;
    gap: var(--_hub-space-2);
  }
  input[type='radio'],
  input[type='checkbox'] {
    width: 1rem;
    height: 1rem;
    accent-color: var(--_hub-color-accent);
  }
  .recurrence {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
  }
  .inline {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
  }
  .small {
    width: 5rem;
  }
  .ends {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
  }
  .summary {
    padding: var(--_hub-space-2) var(--_hub-space-3);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-accent-subtle);
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-2);
  }
  .primary {
    background: var(--_hub-color-accent);
    border-color: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
    font-weight: var(--_hub-font-weight-strong);
  }
  .primary:hover:not(:disabled) {
    background: var(--_hub-color-accent-hover);
  }
  .danger {
    color: var(--_hub-color-danger);
    border-color: currentColor;
  }
  .question {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface-muted);
    border: 1px solid var(--_hub-color-border);
  }
  .question #question {
    font-weight: var(--_hub-font-weight-strong);
  }
  student-picker {
    --hub-student-picker-max-height: var(--hub-session-scheduler-picker-height, 16rem);
  }
  .status:empty {
    display: none;
  }
  .loading {
    padding: var(--_hub-space-4);
    color: var(--_hub-color-text-muted);
  }
  @media (max-width: 40rem) {
    .row {
      grid-template-columns: 1fr 1fr;
    }
    .row .zone {
      grid-column: 1 / -1;
    }
  }
`;
