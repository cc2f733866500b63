import { css } from 'lit';

/** The overlay's frame, ring card and toast (the call view has its own styles, loaded with it). */
export default css`
  :host {
    --_z: var(--hub-call-overlay-z-index, 2147483000);
    --_danger: var(--hub-call-overlay-danger, #dc2626);
    --_accept: var(--hub-call-overlay-accept, #15803d);
    position: fixed;
    inset: 0;
    z-index: var(--_z);
    pointer-events: none;
  }
  .overlay {
    position: absolute;
    inset: 0;
  }
  .overlay > * {
    pointer-events: auto;
  }
  .toast-region {
    pointer-events: none;
  }

  /* ── Ring ── */
  .ring {
    position: absolute;
    inset-block-start: var(--_hub-space-4);
    inset-inline-end: var(--_hub-space-4);
    width: min(26rem, calc(100vw - 2rem));
    display: grid;
    grid-template-columns: auto 1fr;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-4);
    background: var(--_hub-color-surface);
    color: var(--_hub-color-text);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    box-shadow:
      0 12px 32px rgb(15 23 42 / 0.22),
      0 2px 6px rgb(15 23 42 / 0.12);
    animation: arrive 180ms ease-out;
  }
  .ring-icon {
    display: grid;
    place-items: center;
    width: 2.75rem;
    height: 2.75rem;
    border-radius: 50%;
    background: var(--_accept);
    color: #fff;
    animation: pulse 1.6s ease-out infinite;
  }
  .ring-text {
    min-width: 0;
  }
  .ring-title {
    margin: 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    overflow-wrap: anywhere;
  }
  .ring-chat {
    font-weight: 400;
    color: var(--_hub-color-text-muted);
  }
  .ring-detail,
  .sound-hint,
  .ring-error {
    margin: var(--_hub-space-1) 0 0;
    font-size: var(--_hub-font-size-small);
    color: var(--_hub-color-text-muted);
  }
  .countdown {
    font-variant-numeric: tabular-nums;
  }
  .sound-hint {
    font-style: italic;
  }
  .ring-error {
    color: var(--_hub-color-danger);
  }
  .ring-actions {
    grid-column: 1 / -1;
    display: flex;
    justify-content: flex-end;
    gap: var(--_hub-space-2);
  }
  .ring-actions button {
    display: inline-flex;
    align-items: center;
    gap: var(--_hub-space-2);
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-4);
    border: 0;
    border-radius: 999px;
    color: #fff;
    font-weight: var(--_hub-font-weight-strong);
  }
  .ring-actions button:disabled {
    opacity: 0.7;
  }
  .accept {
    background: var(--_accept);
  }
  .decline {
    background: var(--_danger);
  }
  .decline .icon {
    transform: rotate(0deg);
  }

  .call-loading {
    position: absolute;
    inset-block-end: var(--_hub-space-4);
    inset-inline-end: var(--_hub-space-4);
    padding: var(--_hub-space-3) var(--_hub-space-4);
    background: #0b1220;
    color: #f1f5f9;
    border-radius: var(--_hub-radius);
  }

  .toast {
    position: absolute;
    inset-block-end: var(--_hub-space-5);
    left: 50%;
    transform: translateX(-50%);
    margin: 0;
    padding: var(--_hub-space-2) var(--_hub-space-4);
    background: #0f172a;
    color: #f8fafc;
    border-radius: 999px;
    box-shadow: var(--_hub-shadow);
    animation: arrive 180ms ease-out;
  }

  @keyframes pulse {
    0% {
      box-shadow: 0 0 0 0 rgb(21 128 61 / 0.5);
    }
    100% {
      box-shadow: 0 0 0 0.9rem rgb(21 128 61 / 0);
    }
  }
  @keyframes arrive {
    from {
      opacity: 0;
      transform: translateY(-0.5rem);
    }
  }
  .toast {
    animation-name: none;
  }
  @media (prefers-reduced-motion: reduce) {
    .ring-icon,
    .ring {
      animation: none;
    }
  }

  @media (max-width: 40rem) {
    .ring {
      inset-block-start: auto;
      inset-block-end: 0;
      inset-inline: 0;
      width: auto;
      border-radius: var(--_hub-radius) var(--_hub-radius) 0 0;
      padding-block-end: calc(var(--_hub-space-4) + env(safe-area-inset-bottom, 0px));
    }
    .ring-actions button {
      flex: 1;
      justify-content: center;
    }
  }
`;
