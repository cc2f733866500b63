import { css } from 'lit';

// The bell and the badge: what shows before the panel first opens. The panel is styled by
// notification-panel.styles.ts, which loads with its code.

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

  /* The panel stays hidden until its code and styles are there (notification-panel.styles.ts). */
  .panel {
    display: none;
  }

  @media (forced-colors: active) {
    .badge {
      border: 1px solid CanvasText;
    }
  }
`;
