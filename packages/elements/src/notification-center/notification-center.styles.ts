import { css } from 'lit';

// The bell, the badge and the panel's box: what shows before the panel first opens. What is inside the
// panel is styled by notification-panel.styles.ts, which loads with the panel.

export default css`
  :host {
    --_bell-color: var(--hub-notification-center-bell-color, currentColor);
    --_bell-size: var(--hub-notification-center-bell-size, 2.5rem);
    --_badge-background: var(--hub-notification-center-badge-background, var(--_hub-color-danger-strong));
    --_badge-color: var(--hub-notification-center-badge-color, #ffffff);
    --_width: var(--hub-notification-center-width, 24rem);
    --_max-height: var(--hub-notification-center-max-height, 34rem);
    --_background: var(--hub-notification-center-background, var(--_hub-color-surface));
    --_urgent: var(--hub-notification-center-urgent-color, var(--_hub-color-danger));
    /* A tint of the accent, so a host that sets only --hub-color-accent gets matching unread rows. */
    --_unread-background: var(
      --hub-notification-center-unread-background,
      color-mix(in srgb, var(--_hub-color-accent) 9%, var(--_background))
    );
    --_z-index: var(--hub-notification-center-z-index, 1000);
    /* The badge stays saturated red in the dark theme too (the dark danger token is a light pink). */
    --_hub-color-danger-strong: #dc2626;
    display: inline-block;
    position: relative;
    vertical-align: middle;
  }

  /* ── Bell ───────────────────────────────────────────────────────────────── */

  .bell {
    position: relative;
    display: grid;
    place-content: center;
    width: var(--_bell-size);
    height: var(--_bell-size);
    padding: 0;
    border: 0;
    border-radius: 999px;
    background: transparent;
    color: var(--_bell-color);
    transition: background-color var(--_hub-transition);
  }

  .bell:hover,
  .bell[aria-expanded='true'] {
    background: color-mix(in srgb, currentColor 14%, transparent);
  }

  .bell:focus-visible {
    outline-color: currentColor;
  }

  .bell-icon {
    width: 1.375rem;
    height: 1.375rem;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  .badge {
    position: absolute;
    top: 0.125rem;
    inset-inline-end: 0.0625rem;
    min-width: 1.125rem;
    height: 1.125rem;
    padding: 0 0.3125rem;
    border-radius: 999px;
    background: var(--_badge-background);
    color: var(--_badge-color);
    font-family: var(--_hub-font-family);
    font-size: 0.6875rem;
    font-weight: 700;
    line-height: 1.125rem;
    text-align: center;
    font-variant-numeric: tabular-nums;
    box-shadow: 0 0 0 2px var(--hub-notification-center-badge-ring, transparent);
    pointer-events: none;
  }

  /* ── Panel ──────────────────────────────────────────────────────────────── */

  .panel {
    /* Reset the UA's popover box; the position comes from the bell (set in JS). */
    position: fixed;
    inset: auto;
    top: var(--_panel-top, auto);
    bottom: var(--_panel-bottom, auto);
    left: var(--_panel-left, auto);
    z-index: var(--_z-index);
    display: none;
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

  @media (forced-colors: active) {
    .badge {
      border: 1px solid CanvasText;
    }
  }
`;
