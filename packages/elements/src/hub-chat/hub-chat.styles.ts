import { css } from 'lit';

export default css`
  :host {
    --_height: var(--hub-chat-height, 32rem);
    --_list-width: var(--hub-chat-list-width, 18rem);
    --_own-bubble: var(--hub-chat-own-bubble, var(--_hub-color-accent-subtle));
    --_bubble: var(--hub-chat-bubble, var(--_hub-color-surface-muted));
    container-type: inline-size;
    height: var(--_height);
  }

  .base {
    display: grid;
    grid-template-columns: var(--_list-width) minmax(0, 1fr);
    height: 100%;
    background: var(--_hub-color-surface);
    border: 1px solid var(--_hub-color-border);
    border-radius: var(--_hub-radius);
    overflow: hidden;
  }

  .status,
  .empty {
    color: var(--_hub-color-text-muted);
    padding: var(--_hub-space-4);
    margin: 0;
  }
  .error {
    color: var(--_hub-color-danger);
  }

  .conversation {
    display: flex;
    flex-direction: column;
    min-width: 0;
    min-height: 0;
  }
  .header {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-2) var(--_hub-space-4);
    border-block-end: 1px solid var(--_hub-color-border);
  }
  .title {
    flex: 1;
    font-size: 1rem;
    margin: 0;
  }
  .back {
    display: none;
  }

  /* ── Narrow: one column at a time ─────────────────────────── */

  @container (max-width: 40rem) {
    .base {
      grid-template-columns: minmax(0, 1fr);
    }
    .base.has-open .list,
    .base:not(.has-open) .conversation {
      display: none;
    }
    .back {
      display: inline-block;
    }
  }
  .icon {
    display: inline-block;
    vertical-align: middle;
    flex: none;
  }
`;
