import { css } from 'lit';

export default css`
  :host {
    --_area-min-height: var(--hub-teacher-hub-area-min-height, 36rem);
    --_background: var(--hub-teacher-hub-background, var(--_hub-color-surface-muted));
    --_live: var(--hub-teacher-hub-live-color, #15803d);
    --_live-contrast: #ffffff;
  }
  :host([theme='dark']) {
    --_live: var(--hub-teacher-hub-live-color, #4ade80);
    --_live-contrast: #052e16;
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      --_live: var(--hub-teacher-hub-live-color, #4ade80);
      --_live-contrast: #052e16;
    }
  }

  .base {
    container-type: inline-size;
    display: flex;
    flex-direction: column;
    min-width: 0;
    background: var(--_background);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
  }

  /* ── Top bar: one size whatever the area ─────────────────────────────────── */

  /* Sticky, so that the quick actions and the bell stay in reach down a long Sessions area. */
  .top-bar {
    position: sticky;
    top: var(--hub-teacher-hub-top-bar-offset, 0);
    z-index: 2;
    display: grid;
    grid-template-columns: auto 1fr auto;
    grid-template-areas: 'tabs actions bell';
    align-items: center;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-2) var(--_hub-space-3);
    background: var(--_hub-color-surface);
    border-bottom: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius) var(--_hub-radius) 0 0;
  }

  .tabs {
    grid-area: tabs;
    display: flex;
    gap: var(--_hub-space-1);
    min-width: 0;
  }

  .tab {
    position: relative;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_hub-space-2);
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3);
    border: 0;
    border-radius: var(--_hub-radius-small);
    background: transparent;
    color: var(--_hub-color-text-muted);
    font-weight: var(--_hub-font-weight-strong);
    white-space: nowrap;
  }
  .tab:hover {
    background: var(--_hub-color-surface-hover);
    color: var(--_hub-color-text);
  }
  /* Text colour, not the accent: a host's accent need not contrast with the dark surface. */
  .tab[aria-selected='true'] {
    background: var(--_hub-color-accent-subtle);
    color: var(--_hub-color-text);
  }
  .tab[aria-selected='true']::after {
    content: '';
    position: absolute;
    inset: auto var(--_hub-space-2) calc(-1 * var(--_hub-space-2) - 1px);
    height: 2px;
    border-radius: 2px;
    background: var(--_hub-color-accent);
  }

  .count {
    min-width: 1.25rem;
    height: 1.25rem;
    padding: 0 0.375rem;
    border-radius: 999px;
    background: var(--_live);
    color: var(--_live-contrast);
    font-size: var(--_hub-font-size-xsmall);
    line-height: 1.25rem;
    text-align: center;
  }

  .quick-actions {
    grid-area: actions;
    display: flex;
    justify-content: flex-end;
    gap: var(--_hub-space-2);
    min-width: 0;
  }

  .quick-action {
    display: inline-flex;
    align-items: center;
    gap: var(--_hub-space-2);
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
    color: var(--_hub-color-text);
    font-weight: var(--_hub-font-weight-strong);
    white-space: nowrap;
    transition: background var(--_hub-transition);
  }
  .quick-action:hover {
    background: var(--_hub-color-surface-hover);
  }
  .quick-action.primary,
  .primary {
    border-color: var(--_hub-color-accent);
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
  }
  .quick-action.primary:hover,
  .primary:hover:not(:disabled) {
    background: var(--_hub-color-accent-hover);
  }
  .icon {
    flex: none;
  }

  .bell {
    grid-area: bell;
  }

  /* ── Areas: they keep their size while loading ──────────────────────────── */

  .areas {
    min-width: 0;
    padding: var(--_hub-space-3);
  }

  .area {
    min-height: var(--_area-min-height);
    min-width: 0;
    border-radius: var(--_hub-radius-small);
  }
  .area:focus-visible {
    outline-offset: 2px;
  }

  .chat {
    --hub-chat-height: var(--_area-min-height);
  }

  .sessions {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--_hub-space-3);
    align-items: start;
  }
  .lists {
    display: grid;
    gap: var(--_hub-space-3);
    min-width: 0;
  }
  .calendar {
    min-width: 0;
  }

  /* Live now */
  .live-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 18rem), 1fr));
    gap: var(--_hub-space-3);
  }
  .live-item {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--_hub-space-3);
    min-height: 6.5rem;
    padding: var(--_hub-space-3) var(--_hub-space-4);
    background: var(--_hub-color-surface);
    border: 1px solid var(--_hub-color-border);
    border-inline-start: 4px solid var(--_live);
    border-radius: var(--_hub-radius);
    box-shadow: var(--_hub-shadow);
  }
  .live-item.skeleton {
    flex-direction: column;
    align-items: stretch;
    justify-content: center;
    border-inline-start-color: var(--_hub-color-border);
  }
  .live-item.skeleton .bone {
    width: 60%;
  }
  .live-item.skeleton .bone.short {
    width: 35%;
  }
  .live-info {
    min-width: 0;
  }
  .live-kind {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    margin: 0;
    color: var(--_live);
    font-size: var(--_hub-font-size-xsmall);
    font-weight: var(--_hub-font-weight-strong);
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  .live-dot {
    width: 0.5rem;
    height: 0.5rem;
    border-radius: 50%;
    background: var(--_live);
    animation: pulse 1.6s ease-in-out infinite;
  }
  @keyframes pulse {
    50% {
      opacity: 0.35;
    }
  }
  .live-title {
    margin: var(--_hub-space-1) 0 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    overflow-wrap: anywhere;
  }
  .live-detail {
    margin: 0;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
  }
  .join {
    flex: none;
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-4);
    border: 0;
    border-radius: var(--_hub-radius-small);
    background: var(--_live);
    color: var(--_live-contrast);
    font-weight: var(--_hub-font-weight-strong);
  }
  .join:disabled {
    opacity: 0.65;
  }

  .empty {
    display: grid;
    place-content: center;
    min-height: 12rem;
    padding: var(--_hub-space-5);
    text-align: center;
    background: var(--_hub-color-surface);
    border: 1px dashed var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius);
  }
  .empty-title {
    margin: 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
  }
  .empty-detail {
    margin: var(--_hub-space-1) 0 0;
    color: var(--_hub-color-text-muted);
  }

  .error {
    margin: var(--_hub-space-2) 0 0;
    color: var(--_hub-color-danger);
  }

  /* ── Dialogs ─────────────────────────────────────────────────────────────── */

  .dialog {
    width: min(32rem, calc(100vw - 2 * var(--_hub-space-3)));
    max-height: calc(100dvh - 2 * var(--_hub-space-3));
    padding: 0;
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    background: var(--_hub-color-surface);
    color: var(--_hub-color-text);
    box-shadow: 0 20px 50px rgb(15 23 42 / 0.3);
  }
  .dialog.wide {
    width: min(46rem, calc(100vw - 2 * var(--_hub-space-3)));
    min-height: min(30rem, calc(100dvh - 2 * var(--_hub-space-3)));
  }
  .dialog::backdrop {
    background: rgb(15 23 42 / 0.45);
  }
  .dialog-body {
    display: grid;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-4);
    font-family: var(--_hub-font-family);
    font-size: var(--_hub-font-size);
    line-height: var(--_hub-line-height);
  }
  .dialog-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--_hub-space-2);
  }
  /* The scheduler brings its own title; its frame is the dialog's. */
  .dialog-body.flush {
    position: relative;
    display: block;
    padding: 0;
  }
  .flush .close {
    position: absolute;
    top: var(--_hub-space-2);
    right: var(--_hub-space-2);
    z-index: 1;
  }
  .flush session-scheduler {
    max-width: none;
  }
  .flush session-scheduler::part(form) {
    border: 0;
    border-radius: 0;
  }
  .dialog-head h2 {
    margin: 0;
    font-size: 1.125rem;
    font-weight: var(--_hub-font-weight-strong);
  }
  .dialog-lead {
    margin: 0;
    color: var(--_hub-color-text-muted);
  }
  .close {
    width: var(--_hub-control-height);
    height: var(--_hub-control-height);
    border: 0;
    border-radius: var(--_hub-radius-small);
    background: transparent;
    font-size: 1.375rem;
    line-height: 1;
  }
  .close:hover {
    background: var(--_hub-color-surface-hover);
  }
  .dialog-actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: flex-end;
    gap: var(--_hub-space-2);
  }
  .picked {
    flex: 1 1 10rem;
    margin: 0;
    color: var(--_hub-color-text-muted);
  }
  .dialog-actions button {
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-4);
    border-radius: var(--_hub-radius-small);
    font-weight: var(--_hub-font-weight-strong);
  }
  .secondary {
    border: 1px solid var(--_hub-color-border-strong);
    background: var(--_hub-color-surface);
  }
  .primary:disabled {
    opacity: 0.55;
  }

  /* ── Wide: calendar beside the lists ─────────────────────────────────────── */

  @container (min-width: 64rem) {
    .sessions {
      grid-template-columns: minmax(0, 1fr) minmax(18rem, 22rem);
    }
  }

  /* ── Medium: the tabs above the actions ──────────────────────────────────── */

  @container (max-width: 52rem) {
    .top-bar {
      grid-template-columns: 1fr auto;
      grid-template-areas:
        'actions bell'
        'tabs tabs';
      row-gap: var(--_hub-space-2);
    }
    .quick-actions {
      justify-content: flex-start;
    }
    .tab[aria-selected='true']::after {
      bottom: calc(-1 * var(--_hub-space-2) - 1px);
    }
  }

  /* ── Phone: actions as a row of three, tabs share the width ──────────────── */

  @container (max-width: 40rem) {
    .top-bar {
      padding: var(--_hub-space-2);
    }
    .quick-actions {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: var(--_hub-space-1);
    }
    .quick-action {
      flex-direction: column;
      justify-content: center;
      gap: 0.125rem;
      padding: var(--_hub-space-1);
      min-height: 3.25rem;
      font-size: var(--_hub-font-size-xsmall);
      line-height: 1.2;
      white-space: normal;
      text-align: center;
    }
    .tab {
      flex: 1 1 0;
      padding: 0 var(--_hub-space-2);
    }
    .areas {
      padding: var(--_hub-space-2);
    }
    .live-item {
      flex-wrap: wrap;
    }
  }
`;
