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

  /* ── List ─────────────────────────────────────────────────── */

  .list {
    border-inline-end: 1px solid var(--_hub-color-border);
    overflow-y: auto;
    min-height: 0;
  }
  .list-title,
  .title,
  .panel-header h3 {
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    margin: 0;
  }
  .list-head {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: var(--_hub-space-3) var(--_hub-space-4);
  }
  .new-chat {
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
    padding: var(--_hub-space-1) var(--_hub-space-2);
  }
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .chat-item {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
    width: 100%;
    padding: var(--_hub-space-3) var(--_hub-space-4);
    border: 0;
    background: none;
    text-align: start;
  }
  .chat-item:hover {
    background: var(--_hub-color-surface-hover);
  }
  .chat-item.current {
    background: var(--_hub-color-accent-subtle);
  }
  .kind {
    display: grid;
    place-items: center;
    width: 2.25rem;
    height: 2.25rem;
    border-radius: 999px;
    background: var(--_hub-color-accent-subtle);
    color: var(--_hub-color-accent);
  }
  .chat-text {
    display: grid;
    flex: 1;
    min-width: 0;
  }
  .chat-name {
    font-weight: var(--_hub-font-weight-strong);
  }
  .preview {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  .unread .preview {
    color: var(--_hub-color-text);
  }
  .badge {
    min-width: 1.5rem;
    padding: 0 var(--_hub-space-2);
    border-radius: 999px;
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
    font-size: var(--_hub-font-size-xsmall);
    font-weight: var(--_hub-font-weight-strong);
    text-align: center;
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
