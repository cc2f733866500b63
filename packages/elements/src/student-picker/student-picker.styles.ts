import { css } from 'lit';

export default css`
  :host {
    --_accent: var(--hub-student-picker-accent, var(--_hub-color-accent));
    --_background: var(--hub-student-picker-background, var(--_hub-color-surface));
    --_header-background: var(--hub-student-picker-header-background, var(--_hub-color-surface-muted));
    --_border: var(--hub-student-picker-border-color, var(--_hub-color-border));
    --_radius: var(--hub-student-picker-radius, var(--_hub-radius));
    --_row-height: var(--hub-student-picker-row-height, 2.25rem);
    --_max-height: var(--hub-student-picker-max-height, 22rem);
    --_placeholder-height: var(--hub-student-picker-placeholder-height, 11.5rem);
    --_inline-padding: var(--_hub-space-3);
    container-type: inline-size;
    min-width: 14rem;
  }

  @media (pointer: coarse) {
    :host {
      --_row-height: var(--hub-student-picker-row-height, 2.75rem);
    }
  }

  .base {
    display: flex;
    flex-direction: column;
    background: var(--_background);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: var(--_hub-shadow);
    overflow: hidden;
  }

  :host([disabled]) .base,
  .base[aria-disabled='true'] {
    opacity: 0.6;
  }

  /* ── Header: search and summary ─────────────────────────────────────────── */

  .header {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3) var(--_inline-padding) var(--_hub-space-2);
    border-bottom: 1px solid var(--_border);
  }

  .search {
    position: relative;
    display: flex;
    align-items: center;
  }

  .search-icon {
    position: absolute;
    inset-inline-start: 0.625rem;
    width: 1rem;
    height: 1rem;
    color: var(--_hub-color-text-muted);
    pointer-events: none;
  }

  input[type='search'] {
    width: 100%;
    height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3) 0 2.125rem;
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_background);
    color: var(--_hub-color-text);
    font-size: var(--_hub-font-size);
    transition:
      border-color var(--_hub-transition),
      box-shadow var(--_hub-transition);
  }

  input[type='search']::placeholder {
    color: var(--_hub-color-text-muted);
    opacity: 1;
  }

  input[type='search']:focus-visible {
    outline: none;
    border-color: var(--_accent);
    box-shadow: 0 0 0 var(--_hub-focus-ring-width) var(--_hub-focus-ring-color);
  }

  input[type='search']:disabled {
    background: var(--_header-background);
    cursor: not-allowed;
  }

  .summary {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    min-height: 1.5rem;
    font-size: var(--_hub-font-size-small);
    color: var(--_hub-color-text-muted);
  }

  .total {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .count {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }

  .count.has-selection {
    color: var(--_accent);
    font-weight: var(--_hub-font-weight-strong);
  }

  .clear {
    padding: 0.125rem var(--_hub-space-2);
    margin-inline-end: calc(-1 * var(--_hub-space-2));
    border: 0;
    border-radius: var(--_hub-radius-small);
    background: none;
    color: var(--_accent);
    font-size: var(--_hub-font-size-small);
    font-weight: var(--_hub-font-weight-strong);
  }

  .clear:hover:not(:disabled) {
    background: var(--_hub-color-accent-subtle);
  }

  /* Always present (disabled when there is nothing to clear), so the count never shifts. */
  .clear:disabled {
    color: var(--_hub-color-text-muted);
    opacity: 0.55;
  }

  @container (max-width: 20rem) {
    .total {
      display: none;
    }
    .summary {
      justify-content: flex-end;
    }
  }

  /* ── List ───────────────────────────────────────────────────────────────── */

  .list {
    max-height: var(--_max-height);
    overflow-y: auto;
    overscroll-behavior: contain;
    scrollbar-width: thin;
  }

  .course {
    /* Lets the browser skip layout and paint of groups far off screen: long rosters stay cheap. */
    content-visibility: auto;
    contain-intrinsic-size: auto 12rem;
  }

  .course + .course {
    border-top: 1px solid var(--_border);
  }

  .course-header {
    position: sticky;
    top: 0;
    z-index: 1;
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    padding-inline-end: var(--_inline-padding);
    background: var(--_header-background);
    border-bottom: 1px solid var(--_border);
  }

  .course-row {
    flex: 1;
    min-width: 0;
  }

  .course-name {
    font-weight: var(--_hub-font-weight-strong);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .course-count {
    flex: none;
    padding: 0.0625rem var(--_hub-space-2);
    border-radius: 999px;
    font-size: var(--_hub-font-size-xsmall);
    font-variant-numeric: tabular-nums;
    color: var(--_hub-color-text-muted);
    background: var(--_background);
    border: 1px solid var(--_border);
  }

  .course-count.has-selection {
    color: var(--_accent);
    border-color: currentColor;
  }

  .options {
    list-style: none;
    margin: 0;
    padding: var(--_hub-space-1) 0;
  }

  .row {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
    min-height: var(--_row-height);
    padding: 0 var(--_inline-padding);
    cursor: pointer;
    user-select: none;
  }

  .option .row:hover {
    background: var(--_hub-color-surface-hover);
  }

  .option .row:has(.checkbox:focus-visible),
  .course-header:has(.checkbox:focus-visible) {
    background: var(--_hub-color-accent-subtle);
  }

  .row:has(.checkbox:disabled) {
    cursor: default;
  }

  .name {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  /* ── Checkbox: drawn with CSS (no images, so strict CSPs are fine) ──────── */

  .checkbox {
    appearance: none;
    flex: none;
    display: grid;
    place-content: center;
    width: 1rem;
    height: 1rem;
    margin: 0;
    border: 1.5px solid var(--_hub-color-border-strong);
    border-radius: 0.25rem;
    background: var(--_background);
    cursor: pointer;
    transition:
      background-color var(--_hub-transition),
      border-color var(--_hub-transition);
    /* Keeps a focused row clear of the sticky course header when it scrolls into view. */
    scroll-margin-block: calc(var(--_row-height) + var(--_hub-space-2)) var(--_hub-space-2);
  }

  .checkbox::before {
    content: '';
    width: 0.625rem;
    height: 0.625rem;
    background: var(--_hub-color-accent-contrast);
    clip-path: polygon(14% 44%, 0 65%, 50% 100%, 100% 16%, 80% 0%, 43% 62%);
    transform: scale(0);
    transition: transform var(--_hub-transition);
  }

  .checkbox:checked,
  .checkbox:indeterminate {
    background: var(--_accent);
    border-color: var(--_accent);
  }

  .checkbox:checked::before {
    transform: scale(1);
  }

  .checkbox:indeterminate::before {
    clip-path: inset(40% 8% round 1px);
    transform: scale(1);
  }

  .checkbox:hover:not(:disabled, :checked, :indeterminate) {
    border-color: var(--_accent);
  }

  .checkbox:focus-visible {
    outline: var(--_hub-focus-ring-width) solid var(--_hub-focus-ring-color);
    outline-offset: var(--_hub-focus-ring-offset);
  }

  .checkbox:disabled {
    cursor: default;
  }

  @media (forced-colors: active) {
    .checkbox {
      appearance: auto;
    }
    .checkbox::before {
      display: none;
    }
  }

  /* ── Avatars ────────────────────────────────────────────────────────────── */

  .avatar {
    flex: none;
    display: grid;
    place-content: center;
    width: 1.5rem;
    height: 1.5rem;
    border-radius: 50%;
    font-size: 0.625rem;
    font-weight: var(--_hub-font-weight-strong);
    letter-spacing: 0.02em;
    --_hue: 230;
    background: hsl(var(--_hue) var(--_hub-avatar-saturation) var(--_hub-avatar-background-lightness));
    color: hsl(var(--_hue) var(--_hub-avatar-saturation) var(--_hub-avatar-text-lightness));
  }
  .tint-1 {
    --_hue: 200;
  }
  .tint-2 {
    --_hue: 165;
  }
  .tint-3 {
    --_hue: 130;
  }
  .tint-4 {
    --_hue: 35;
  }
  .tint-5 {
    --_hue: 10;
  }
  .tint-6 {
    --_hue: 330;
  }
  .tint-7 {
    --_hue: 280;
  }

  /* ── Loading, empty, no match, error ────────────────────────────────────── */

  .skeleton,
  .message {
    min-height: var(--_placeholder-height);
  }

  .skeleton {
    overflow: hidden;
  }

  .skeleton-header,
  .skeleton-row {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
    height: var(--_row-height);
    padding: 0 var(--_inline-padding);
  }

  .skeleton-header {
    background: var(--_header-background);
    border-bottom: 1px solid var(--_border);
  }

  .skeleton-row:last-child {
    margin-bottom: var(--_hub-space-1);
  }

  .bone.box {
    width: 1rem;
    height: 1rem;
    border-radius: 0.25rem;
  }
  .bone.circle {
    width: 1.5rem;
    height: 1.5rem;
    border-radius: 50%;
  }
  .bone.title {
    width: 7rem;
  }
  .bone.line {
    width: 9rem;
  }
  .skeleton-row:nth-of-type(3n + 2) .bone.line {
    width: 6.5rem;
  }
  .skeleton-row:nth-of-type(3n) .bone.line {
    width: 11rem;
  }

  .message {
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: var(--_hub-space-1);
    padding: var(--_hub-space-5) var(--_hub-space-4);
    text-align: center;
  }

  .message p {
    margin: 0;
    max-width: 30ch;
  }

  .message-icon {
    width: 1.75rem;
    height: 1.75rem;
    margin-bottom: var(--_hub-space-1);
    fill: none;
    stroke: currentColor;
    stroke-width: 1.6;
    stroke-linecap: round;
    stroke-linejoin: round;
    color: var(--_hub-color-text-muted);
  }

  .message-title {
    font-weight: var(--_hub-font-weight-strong);
  }

  .message-detail,
  .message-meta {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
  }

  .message-meta {
    font-size: var(--_hub-font-size-xsmall);
    font-variant-numeric: tabular-nums;
  }

  .error .message-icon {
    color: var(--_hub-color-danger);
  }

  .button {
    margin-top: var(--_hub-space-3);
    height: 2rem;
    padding: 0 var(--_hub-space-4);
    border: 1px solid var(--_accent);
    border-radius: var(--_hub-radius-small);
    background: var(--_accent);
    color: var(--_hub-color-accent-contrast);
    font-weight: var(--_hub-font-weight-strong);
    transition: background-color var(--_hub-transition);
  }

  .button:hover {
    background: var(--_hub-color-accent-hover);
    border-color: var(--_hub-color-accent-hover);
  }
`;
