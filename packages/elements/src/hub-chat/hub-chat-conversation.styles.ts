import { css } from 'lit';

export default css`
  :host {
    --_own-bubble: var(--hub-chat-own-bubble, var(--_hub-color-accent-subtle));
    --_bubble: var(--hub-chat-bubble, var(--_hub-color-surface-muted));
    display: flex;
    flex-direction: column;
    min-width: 0;
    min-height: 0;
    background: var(--_hub-color-surface);
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
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .panel-header h3 {
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    margin: 0;
  }
  .conversation {
    flex: 1;
  }
  /* ── Conversation ─────────────────────────────────────────── */

  .conversation {
    display: flex;
    flex-direction: column;
    min-width: 0;
    min-height: 0;
    position: relative;
  }
  .conversation.dragging {
    outline: 2px dashed var(--_hub-color-accent);
    outline-offset: -4px;
  }
  .header {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-2) var(--_hub-space-4);
    border-block-end: 1px solid var(--_hub-color-border);
  }
  .title {
    flex: 1 1 8rem;
    min-width: 0;
    overflow-wrap: anywhere;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    margin: 0;
  }
  /* On a narrow chat the header's buttons move under the title rather than squeeze or overflow it. */
  .header {
    flex-wrap: wrap;
    row-gap: var(--_hub-space-1);
  }
  .header > button {
    white-space: nowrap;
  }
  .back {
    display: none;
  }
  button {
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
    padding: var(--_hub-space-1) var(--_hub-space-2);
  }
  .chat-item {
    border: 0;
    border-radius: 0;
  }
  .body {
    position: relative;
    display: flex;
    flex: 1;
    min-height: 0;
  }
  .main {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-width: 0;
  }
  .messages {
    flex: 1;
    overflow-y: auto;
    padding: var(--_hub-space-3) var(--_hub-space-4);
    overflow-wrap: anywhere;
  }
  .start {
    text-align: center;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-small);
  }
  .day {
    text-align: center;
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
    margin: var(--_hub-space-3) 0;
  }
  .message {
    position: relative;
    margin-block-start: 2px;
    max-width: 85%;
    /* Rows scrolled out of view skip layout and paint (a reader far back in a long chat has many). */
    content-visibility: auto;
    contain-intrinsic-size: auto 3rem;
  }
  .message.first {
    margin-block-start: var(--_hub-space-3);
  }
  .message.own {
    margin-inline-start: auto;
  }
  .meta {
    display: flex;
    gap: var(--_hub-space-2);
    font-size: var(--_hub-font-size-xsmall);
    color: var(--_hub-color-text-muted);
  }
  .author {
    font-weight: var(--_hub-font-weight-strong);
    color: var(--_hub-color-text);
  }
  .bubble {
    margin: 0;
    padding: var(--_hub-space-2) var(--_hub-space-3);
    border-radius: var(--_hub-radius);
    background: var(--_bubble);
    unicode-bidi: plaintext;
  }
  .text {
    white-space: pre-wrap;
  }
  .own .bubble {
    background: var(--_own-bubble);
  }
  .deleted .bubble {
    color: var(--_hub-color-text-muted);
  }
  .edited,
  .size,
  .pinned-flag {
    color: var(--_hub-color-text-muted);
    font-size: var(--_hub-font-size-xsmall);
  }
  a {
    color: var(--_hub-color-accent);
  }
  .attachments img {
    max-width: 14rem;
    max-height: 12rem;
    border-radius: var(--_hub-radius-small);
    display: block;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_hub-space-1);
    margin-block-start: var(--_hub-space-1);
  }
  .reaction {
    border-radius: 999px;
    font-size: var(--_hub-font-size-small);
  }
  .reaction.mine {
    background: var(--_hub-color-accent-subtle);
    border-color: var(--_hub-color-accent);
  }
  .replies {
    border: 0;
    background: none;
    color: var(--_hub-color-accent);
    padding: 0;
    font-size: var(--_hub-font-size-small);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    margin-block-start: 2px;
    font-size: var(--_hub-font-size-xsmall);
    display: none;
  }
  .message:hover > .actions,
  .message:focus-within > .actions {
    display: flex;
  }
  .seen,
  .typing {
    margin: 0;
    padding: 0 var(--_hub-space-4);
    min-height: 1.2em;
    font-size: var(--_hub-font-size-xsmall);
    color: var(--_hub-color-text-muted);
    text-align: end;
  }
  .typing {
    text-align: start;
  }

  /* ── Composer ─────────────────────────────────────────────── */

  .composer {
    border-block-start: 1px solid var(--_hub-color-border);
    padding: var(--_hub-space-2) var(--_hub-space-3);
  }
  .composer .error {
    margin: 0 0 var(--_hub-space-2);
  }
  .composer-row {
    display: flex;
    gap: var(--_hub-space-2);
    align-items: flex-end;
  }
  textarea {
    flex: 1;
    resize: vertical;
    min-height: var(--_hub-control-height);
    padding: var(--_hub-space-2);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
    width: 100%;
  }
  .send {
    background: var(--_hub-color-accent);
    color: var(--_hub-color-accent-contrast);
    border-color: var(--_hub-color-accent);
    min-height: var(--_hub-control-height);
  }
  .pending li {
    display: flex;
    gap: var(--_hub-space-2);
    align-items: center;
    font-size: var(--_hub-font-size-small);
  }

  /* ── Side panels ──────────────────────────────────────────── */

  .panel {
    display: flex;
    flex-direction: column;
    width: min(20rem, 45%);
    border-inline-start: 1px solid var(--_hub-color-border);
    min-height: 0;
  }
  .panel-header {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: var(--_hub-space-2) var(--_hub-space-3);
    border-block-end: 1px solid var(--_hub-color-border);
  }
  .thread-messages,
  .pin-list {
    flex: 1;
    overflow-y: auto;
    padding: var(--_hub-space-2) var(--_hub-space-3);
  }
  .member-body {
    display: grid;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-3);
    overflow-y: auto;
  }
  .rename,
  .add {
    display: grid;
    gap: var(--_hub-space-2);
  }
  .rename input {
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-2);
    border: 1px solid var(--_hub-color-border-strong);
    border-radius: var(--_hub-radius-small);
    background: var(--_hub-color-surface);
  }
  .rename button,
  .add button {
    justify-self: start;
  }
  .member-list li {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: var(--_hub-space-1) 0;
  }
  .pinned {
    padding: var(--_hub-space-2) 0;
    border-block-end: 1px solid var(--_hub-color-border);
  }
  .pinned p {
    margin: var(--_hub-space-1) 0;
  }

  @container (max-width: 40rem) {
    .back {
      display: inline-block;
    }
    .panel {
      position: absolute;
      inset: 0;
      width: auto;
      background: var(--_hub-color-surface);
      z-index: 1;
    }
  }
  .icon {
    display: inline-block;
    vertical-align: middle;
    flex: none;
  }
`;
