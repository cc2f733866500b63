import { css } from 'lit';

export default css`
  :host {
    --_background: var(--hub-upcoming-sessions-background, var(--_hub-color-surface));
    --_live: var(--hub-upcoming-sessions-live-color, #15803d);
    --_type-class: var(--hub-upcoming-sessions-class-color, var(--_hub-color-accent));
    --_type-one-on-one: var(--hub-upcoming-sessions-one-on-one-color, #0e7490);
    --_type-group: var(--hub-upcoming-sessions-group-color, #b45309);
  }
  :host([theme='dark']) {
    --_live: var(--hub-upcoming-sessions-live-color, #4ade80);
    --_type-one-on-one: var(--hub-upcoming-sessions-one-on-one-color, #22d3ee);
    --_type-group: var(--hub-upcoming-sessions-group-color, #fbbf24);
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      --_live: var(--hub-upcoming-sessions-live-color, #4ade80);
      --_type-one-on-one: var(--hub-upcoming-sessions-one-on-one-color, #22d3ee);
      --_type-group: var(--hub-upcoming-sessions-group-color, #fbbf24);
    }
  }

  .frame {
    container-type: inline-size;
    position: relative;
    background: var(--_background);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    box-shadow: var(--_hub-shadow);
    overflow: hidden;
  }

  .header {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border-bottom: 1px solid var(--_hub-color-border);
  }

  .heading {
    margin: 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
  }

  /* ── List ─────────────────────────────────────────────────────────────────── */

  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }

  .item {
    --_stripe: var(--_type-class);
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border-inline-start: 4px solid var(--_stripe);
  }
  .item + .item {
    border-top: 1px solid var(--_hub-color-border);
  }
  .item.type-one_on_one {
    --_stripe: var(--_type-one-on-one);
  }
  .item.type-group {
    --_stripe: var(--_type-group);
  }
  .item.live {
    background: color-mix(in srgb, var(--_live) 8%, var(--_background));
  }
  .item.cancelled .item-title,
  .item.cancelled .when {
    text-decoration: line-through;
    color: var(--_hub-color-text-muted);
  }

  .info {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 0.125rem;
  }

  .item-title {
    margin: 0;
    font-size: var(--_hub-font-size);
    font-weight: var(--_hub-font-weight-strong);
    overflow-wrap: anywhere;
  }

  .when,
  .meta {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_hub-space-1) var(--_hub-space-2);
    font-size: var(--_hub-font-size-small);
  }
  .time {
    font-weight: var(--_hub-font-weight-strong);
  }
  .duration,
  .type,
  .was {
    color: var(--_hub-color-text-muted);
  }
  .meta {
    font-size: var(--_hub-font-size-xsmall);
  }

  .status {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-weight: var(--_hub-font-weight-strong);
    border: 1px solid currentColor;
  }
  .status.live {
    color: #ffffff;
    background: var(--_live);
    border-color: var(--_live);
  }
  :host([theme='dark']) .status.live {
    color: #052e16;
  }
  .status.live::before {
    content: '';
    width: 0.45rem;
    height: 0.45rem;
    border-radius: 50%;
    background: currentColor;
    animation: pulse 1.6s ease-in-out infinite;
  }
  @keyframes pulse {
    50% {
      opacity: 0.35;
    }
  }
  .status.cancelled {
    color: var(--_hub-color-danger);
    background: var(--_hub-color-danger-subtle);
  }
  .status.moved {
    color: var(--_hub-color-accent);
    background: var(--_hub-color-accent-subtle);
  }

  .join-error {
    margin: var(--_hub-space-1) 0 0;
    color: var(--_hub-color-danger);
    font-size: var(--_hub-font-size-small);
  }

  /* ── Actions ──────────────────────────────────────────────────────────────── */

  .actions {
    flex: none;
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
  }

  .join,
  .chat-link,
  .button,
  .more {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 2rem;
    padding: 0 var(--_hub-space-3);
    border-radius: var(--_hub-radius-small);
    font-weight: var(--_hub-font-weight-strong);
    font-size: var(--_hub-font-size-small);
    white-space: nowrap;
    text-decoration: none;
    transition:
      background-color var(--_hub-transition),
      border-color var(--_hub-transition);
  }

  .join {
    border: 1px solid var(--_live);
    background: var(--_live);
    color: #ffffff;
  }
  :host([theme='dark']) .join {
    color: #052e16;
  }
  .join:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_live) 85%, #000000);
  }
  .join:disabled {
    opacity: 0.7;
  }

  .chat-link {
    border: 1px solid var(--_hub-color-border-strong);
    background: transparent;
    color: var(--_hub-color-text);
  }
  .chat-link:hover {
    background: var(--_hub-color-surface-hover);
  }

  .button {
    border: 1px solid var(--_hub-color-accent);
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
  }
  .button:hover {
    background: var(--_hub-color-accent-hover);
  }

  .more {
    width: 100%;
    border: 0;
    border-top: 1px solid var(--_hub-color-border);
    border-radius: 0;
    background: transparent;
    color: var(--_hub-color-accent);
    min-height: 2.5rem;
  }
  .more:hover {
    background: var(--_hub-color-surface-hover);
  }

  /* ── Messages and skeleton ───────────────────────────────────────────────── */

  .message {
    padding: var(--_hub-space-5) var(--_hub-space-4);
    text-align: center;
  }
  .message p {
    margin: 0 0 var(--_hub-space-1);
  }
  .message-title {
    font-weight: var(--_hub-font-weight-strong);
  }
  .message-detail,
  .request-id {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
  }
  .message.error .message-title {
    color: var(--_hub-color-danger);
  }
  .message .button {
    margin-top: var(--_hub-space-3);
  }

  .skeleton-row {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-4);
  }
  .skeleton-row + .skeleton-row {
    border-top: 1px solid var(--_hub-color-border);
  }
  .bone.line {
    width: 70%;
  }
  .bone.short {
    width: 35%;
  }
  .bone.tiny {
    width: 20%;
  }

  /* Narrow containers: the buttons go under the text. */
  @container (max-width: 28rem) {
    .item {
      flex-direction: column;
      align-items: stretch;
    }
    .actions > * {
      flex: 1;
    }
  }
`;
