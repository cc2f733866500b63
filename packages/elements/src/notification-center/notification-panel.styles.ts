import { css } from 'lit';

/** `<notification-center>`'s panel, its box and what is inside; adopted when the panel's code first loads. */
export default css`
  /* ── Panel ──────────────────────────────────────────────────────────────── */

  .panel {
    /* Reset the UA's popover box; the position comes from the bell (set in JS). */
    position: fixed;
    inset: auto;
    top: var(--_panel-top, auto);
    bottom: var(--_panel-bottom, auto);
    left: var(--_panel-left, auto);
    z-index: var(--_z-index);
    flex-direction: column;
    width: min(var(--_width), calc(100vw - 1rem));
    max-height: min(var(--_max-height), var(--_panel-room, 80vh));
    margin: 0;
    padding: 0;
    overflow: hidden;
    background: var(--_background);
    color: var(--_hub-color-text);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    box-shadow:
      0 12px 32px -8px rgb(15 23 42 / 0.22),
      0 4px 10px -4px rgb(15 23 42 / 0.12);
    transform-origin: top right;
  }

  .panel.is-open {
    display: flex;
    animation: panel-in 140ms ease-out;
  }

  .panel.above {
    transform-origin: bottom right;
  }

  .panel:focus,
  .panel:focus-visible {
    outline: none;
  }

  .panel::backdrop {
    background: transparent;
  }

  @keyframes panel-in {
    from {
      opacity: 0;
      transform: translateY(-4px) scale(0.98);
    }
  }

  /* Narrow screens: a bottom sheet over a dimmed page. */
  @media (max-width: 30rem) {
    .panel {
      top: auto;
      bottom: 0;
      left: 0;
      right: 0;
      width: 100%;
      max-height: 85dvh;
      border-radius: var(--_hub-radius) var(--_hub-radius) 0 0;
      border-width: 1px 0 0;
    }
    .panel.is-open {
      animation: sheet-in 180ms ease-out;
    }
    .panel::backdrop {
      background: rgb(15 23 42 / 0.4);
    }
  }

  @keyframes sheet-in {
    from {
      transform: translateY(2rem);
      opacity: 0;
    }
  }

  .header {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border-bottom: 1px solid var(--_hub-color-border);
  }

  .title {
    margin: 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    line-height: 1.3;
  }

  .summary {
    flex: 1;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
    font-variant-numeric: tabular-nums;
  }

  .scroller {
    flex: 1 1 auto;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    scrollbar-width: thin;
  }

  /* ── Buttons ────────────────────────────────────────────────────────────── */

  .text-button {
    flex: none;
    padding: 0.25rem var(--_hub-space-2);
    margin-inline-end: calc(-1 * var(--_hub-space-2));
    border: 0;
    border-radius: var(--_hub-radius-small);
    background: none;
    color: var(--_hub-color-accent);
    font-size: var(--_hub-font-size-small);
    font-weight: var(--_hub-font-weight-strong);
    white-space: nowrap;
  }

  .text-button:hover:not(:disabled) {
    background: var(--_hub-color-accent-subtle);
  }

  .text-button:disabled {
    color: var(--_hub-color-text-muted);
    opacity: 0.6;
  }

  .button {
    flex: none;
    height: 2rem;
    padding: 0 var(--_hub-space-4);
    border: 1px solid var(--_hub-color-accent);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
    font-weight: var(--_hub-font-weight-strong);
    white-space: nowrap;
    transition: background-color var(--_hub-transition);
  }

  .button.small {
    height: 1.875rem;
    padding: 0 var(--_hub-space-3);
    font-size: var(--_hub-font-size-small);
  }

  .button:hover:not(:disabled) {
    background: var(--_hub-color-accent-hover);
    border-color: var(--_hub-color-accent-hover);
  }

  .button:disabled,
  .secondary-button:disabled {
    opacity: 0.6;
  }

  .secondary-button {
    flex: none;
    height: 2rem;
    padding: 0 var(--_hub-space-3);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_background);
    color: var(--_hub-color-text);
    font-size: var(--_hub-font-size-small);
    font-weight: var(--_hub-font-weight-strong);
    white-space: nowrap;
  }

  .secondary-button:hover:not(:disabled) {
    background: var(--_hub-color-surface-hover);
  }

  /* ── List ───────────────────────────────────────────────────────────────── */

  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }

  .item + .item {
    border-top: 1px solid var(--_hub-color-border);
  }

  .item-button {
    position: relative;
    display: flex;
    align-items: flex-start;
    gap: var(--_hub-space-3);
    width: 100%;
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border: 0;
    background: transparent;
    text-align: start;
    transition: background-color var(--_hub-transition);
  }

  .item.unread .item-button {
    background: var(--_unread-background);
  }

  .item-button:hover {
    background: var(--_hub-color-surface-hover);
  }

  .item.unread .item-button:hover {
    background: color-mix(in srgb, var(--_unread-background) 60%, var(--_hub-color-surface-hover));
  }

  .item-button:focus-visible {
    outline-offset: -2px;
  }

  /* Urgent: a stripe and a label (not colour alone), and a tinted row while unread. */
  .item.urgent .item-button {
    box-shadow: inset 3px 0 0 var(--_urgent);
  }

  .item.urgent.unread .item-button {
    background: var(--_hub-color-danger-subtle);
  }

  .item.arrived {
    animation: arrive 360ms ease-out;
  }

  @keyframes arrive {
    from {
      opacity: 0;
      transform: translateY(-0.75rem);
    }
  }

  .item-icon {
    flex: none;
    display: grid;
    place-content: center;
    width: 2rem;
    height: 2rem;
    margin-top: 0.0625rem;
    border-radius: 50%;
    background: var(--_hub-color-surface-muted);
    color: var(--_hub-color-text-muted);
    border: 1px solid var(--_hub-color-border);
  }

  .item.unread .item-icon {
    background: var(--_background);
    color: var(--_hub-color-accent);
  }

  .item.urgent .item-icon {
    color: var(--_urgent);
  }

  .kind-icon {
    width: 1rem;
    height: 1rem;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  .item-main {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 0.125rem;
  }

  .item-head {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    min-width: 0;
  }

  .item-title {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--_hub-color-text);
  }

  .item.unread .item-title {
    font-weight: var(--_hub-font-weight-strong);
  }

  .urgent-label {
    flex: none;
    padding: 0 0.375rem;
    border-radius: 999px;
    border: 1px solid currentColor;
    color: var(--_urgent);
    font-size: var(--_hub-font-size-xsmall);
    font-weight: 700;
    line-height: 1.2rem;
    letter-spacing: 0.02em;
    text-transform: uppercase;
  }

  .item-body {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
  }

  .item-time {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
  }

  .unread-dot {
    flex: none;
    width: 0.5rem;
    height: 0.5rem;
    margin-top: 0.5rem;
    border-radius: 50%;
    background: var(--_hub-color-accent);
  }

  .item.urgent .unread-dot {
    background: var(--_urgent);
  }

  .load-more {
    display: block;
    width: 100%;
    padding: var(--_hub-space-3);
    border: 0;
    border-top: 1px solid var(--_hub-color-border);
    background: none;
    color: var(--_hub-color-accent);
    font-size: var(--_hub-font-size-small);
    font-weight: var(--_hub-font-weight-strong);
  }

  .load-more:hover:not(:disabled) {
    background: var(--_hub-color-surface-hover);
  }

  .load-more:disabled {
    color: var(--_hub-color-text-muted);
  }

  /* ── Footer: browser notifications and the test ─────────────────────────── */

  .footer {
    flex: none;
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border-top: 1px solid var(--_hub-color-border);
    background: var(--_hub-color-surface-muted);
  }

  .push {
    display: flex;
    align-items: flex-start;
    gap: var(--_hub-space-3);
    min-height: 1.25rem;
  }

  .push-icon {
    flex: none;
    width: 1.25rem;
    height: 1.25rem;
    margin-top: 0.0625rem;
    fill: none;
    stroke: var(--_hub-color-text-muted);
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  .state-subscribed .push-icon {
    stroke: var(--_hub-color-accent);
  }

  .state-denied .push-icon {
    stroke: var(--_hub-color-danger);
  }

  .push-text {
    flex: 1;
    min-width: 0;
  }

  .push-text p {
    margin: 0;
  }

  .push-title {
    font-weight: var(--_hub-font-weight-strong);
    font-size: var(--_hub-font-size-small);
  }

  .push-detail {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
  }

  .push .text-button {
    margin-inline-end: calc(-1 * var(--_hub-space-2));
  }

  .test-row {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
  }

  .feedback {
    flex: 1;
    min-width: 0;
    margin: 0;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
  }

  .feedback.error {
    color: var(--_hub-color-danger);
  }

  /* ── Loading, empty, error ──────────────────────────────────────────────── */

  .skeleton {
    padding: var(--_hub-space-1) 0;
  }

  .skeleton-row {
    display: flex;
    align-items: flex-start;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-3) var(--_hub-space-4);
  }

  .skeleton-lines {
    flex: 1;
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding-top: 0.25rem;
  }

  .bone.circle {
    flex: none;
    width: 2rem;
    height: 2rem;
    border-radius: 50%;
  }

  .bone.line {
    width: 75%;
  }

  .bone.line.short {
    width: 45%;
  }

  .push .bone.line {
    width: 60%;
    margin: 0.3125rem 0;
  }

  .message {
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: var(--_hub-space-1);
    min-height: 11rem;
    padding: var(--_hub-space-5) var(--_hub-space-4);
    text-align: center;
  }

  .message p {
    margin: 0;
    max-width: 32ch;
  }

  .message-icon {
    width: 2rem;
    height: 2rem;
    margin-bottom: var(--_hub-space-1);
    fill: none;
    stroke: currentColor;
    stroke-width: 1.6;
    stroke-linecap: round;
    stroke-linejoin: round;
    color: var(--_hub-color-accent);
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
  }

  .error .message-icon {
    color: var(--_hub-color-danger);
  }

  .message .button {
    margin-top: var(--_hub-space-3);
  }

  @media (forced-colors: active) {
    .unread-dot {
      border: 1px solid CanvasText;
    }
    .item.urgent .item-button {
      border-inline-start: 3px solid CanvasText;
    }
  }
`;
