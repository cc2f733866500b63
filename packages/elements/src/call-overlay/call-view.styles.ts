import { css } from 'lit';

/** The call view: a dark stage (video reads best on dark) with the element's tokens for text and focus. */
export default css`
  :host {
    --_stage: var(--hub-call-overlay-stage, #0b1220);
    --_tile: var(--hub-call-overlay-tile, #1e293b);
    --_danger: var(--hub-call-overlay-danger, #dc2626);
    --_mini-width: var(--hub-call-overlay-minimised-width, 15rem);
    --_on-stage: #f1f5f9;
    --_on-stage-muted: #cbd5e1;
    display: contents;
  }

  .call {
    position: absolute;
    inset: 4vh 4vw;
    margin-inline: auto;
    max-width: 80rem;
    display: flex;
    flex-direction: column;
    background: var(--_stage);
    color: var(--_on-stage);
    border-radius: var(--_hub-radius);
    box-shadow: 0 24px 64px rgb(0 0 0 / 0.45);
    overflow: hidden;
    pointer-events: auto;
  }

  .bar {
    display: flex;
    align-items: center;
    gap: var(--_hub-space-3);
    padding: var(--_hub-space-3) var(--_hub-space-4);
  }
  .title {
    margin: 0;
    font-size: 1rem;
    font-weight: var(--_hub-font-weight-strong);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .count,
  .connection {
    color: var(--_on-stage-muted);
    font-size: var(--_hub-font-size-small);
  }
  .count {
    white-space: nowrap;
  }
  .connection {
    flex: 1;
  }

  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_hub-space-2);
    min-height: var(--_hub-control-height);
    padding: 0 var(--_hub-space-3);
    border: 1px solid rgb(255 255 255 / 0.28);
    border-radius: 999px;
    background: rgb(255 255 255 / 0.08);
    color: var(--_on-stage);
  }
  button:hover:not(:disabled) {
    background: rgb(255 255 255 / 0.16);
  }
  button:disabled {
    opacity: 0.6;
  }
  :focus-visible {
    outline-color: #a5b4fc;
  }

  .error {
    display: flex;
    align-items: flex-start;
    gap: var(--_hub-space-3);
    margin: 0 var(--_hub-space-4) var(--_hub-space-3);
    padding: var(--_hub-space-3);
    background: #fef2f2;
    color: #7f1d1d;
    border-radius: var(--_hub-radius-small);
  }
  .error-text {
    flex: 1;
    display: grid;
    gap: var(--_hub-space-1);
  }
  .error .dismiss {
    border-color: transparent;
    background: transparent;
    color: inherit;
    padding: 0 var(--_hub-space-2);
  }
  .error .dismiss:focus-visible {
    outline-color: #7f1d1d;
  }

  /* ── Stage ── */
  .stage {
    flex: 1;
    min-height: 0;
    margin: 0;
    padding: 0 var(--_hub-space-4);
    list-style: none;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(var(--_columns, 2), minmax(0, 1fr));
    grid-auto-rows: minmax(0, 1fr);
    gap: var(--_hub-space-3);
  }
  .grid > li,
  .strip > li {
    min-width: 0;
    min-height: 0;
  }
  .sharing {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 13rem;
    gap: var(--_hub-space-3);
  }
  .strip {
    display: flex;
    flex-direction: column;
    gap: var(--_hub-space-3);
    margin: 0;
    padding: 0;
    list-style: none;
    overflow-y: auto;
  }
  .strip .tile {
    aspect-ratio: 16 / 10;
    height: auto;
  }
  .screen {
    position: relative;
    margin: 0;
    min-height: 0;
    background: #000;
    border-radius: var(--_hub-radius-small);
    overflow: hidden;
  }
  .screen video {
    width: 100%;
    height: 100%;
    object-fit: contain;
  }

  .tile {
    position: relative;
    display: grid;
    place-items: center;
    height: 100%;
    min-height: 6rem;
    margin: 0;
    background: var(--_tile);
    border-radius: var(--_hub-radius-small);
    overflow: hidden;
  }
  .tile video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .tile.local video {
    /* The own camera as a mirror, as people expect. */
    transform: scaleX(-1);
  }
  .avatar {
    display: grid;
    place-items: center;
    width: clamp(3rem, 30%, 6rem);
    aspect-ratio: 1;
    border-radius: 50%;
    font-size: 1.5rem;
    font-weight: var(--_hub-font-weight-strong);
    background: hsl(var(--_hue) 45% 30%);
    color: hsl(var(--_hue) 70% 92%);
  }
  .name {
    position: absolute;
    inset-inline-start: var(--_hub-space-2);
    inset-block-end: var(--_hub-space-2);
    display: inline-flex;
    align-items: center;
    gap: var(--_hub-space-1);
    max-width: calc(100% - 1rem);
    padding: 0.125rem var(--_hub-space-2);
    background: rgb(0 0 0 / 0.6);
    color: #fff;
    border-radius: var(--_hub-radius-small);
    font-size: var(--_hub-font-size-small);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .mute-mark {
    display: inline-flex;
    color: #fca5a5;
  }
  .mute-mark .icon {
    width: 1rem;
    height: 1rem;
  }

  /* ── Controls ── */
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-3) var(--_hub-space-4) var(--_hub-space-4);
  }
  /* A microphone or camera that is off stands out (people forget); a screen share that is on does. */
  .toggle-microphone.off,
  .toggle-camera.off {
    background: #f1f5f9;
    border-color: #f1f5f9;
    color: #0f172a;
  }
  .toggle-microphone.off:hover:not(:disabled),
  .toggle-camera.off:hover:not(:disabled) {
    background: #e2e8f0;
  }
  .toggle-screen.on {
    background: #4f46e5;
    border-color: #818cf8;
  }
  .toggle-screen.on:hover:not(:disabled) {
    background: #4338ca;
  }
  .danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: #fff;
  }
  .danger:hover:not(:disabled) {
    background: #b91c1c;
  }
  .danger.outline {
    background: transparent;
    color: #fecaca;
    border-color: #f87171;
  }
  .confirm-text {
    margin: 0 var(--_hub-space-2) 0 0;
    font-weight: var(--_hub-font-weight-strong);
  }

  /* ── Minimised ── */
  .mini {
    position: absolute;
    inset-block-end: var(--_hub-space-4);
    inset-inline-end: var(--_hub-space-4);
    width: var(--_mini-width);
    background: var(--_stage);
    color: var(--_on-stage);
    border-radius: var(--_hub-radius);
    box-shadow: 0 12px 32px rgb(0 0 0 / 0.4);
    overflow: hidden;
    pointer-events: auto;
  }
  .mini-video {
    position: relative;
    display: grid;
    place-items: center;
    aspect-ratio: 16 / 10;
    background: var(--_tile);
  }
  .mini-video video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .mini-bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_hub-space-2);
    padding: var(--_hub-space-2);
  }
  .mini .connection {
    flex: 1;
  }
  .restore {
    min-height: 2rem;
  }

  .audio {
    display: none;
  }

  @media (max-width: 40rem) {
    .call {
      inset: 0;
      border-radius: 0;
    }
    .sharing {
      grid-template-columns: 1fr;
      grid-template-rows: minmax(0, 1fr) auto;
    }
    .strip {
      flex-direction: row;
      overflow-x: auto;
    }
    .strip .tile {
      width: 8rem;
    }
    .grid {
      grid-template-columns: repeat(min(var(--_columns, 2), 2), minmax(0, 1fr));
    }
    .controls button span {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .controls.confirm button span {
      position: static;
      width: auto;
      height: auto;
      clip: auto;
    }
    .controls button {
      min-width: 3rem;
      min-height: 3rem;
    }
    .bar .minimise span {
      display: none;
    }
  }
`;
