import { svg } from 'lit';
import type { SVGTemplateResult } from 'lit';

// The call view's line icons (24×24, currentColor), loaded with the view. Decorative: every button that
// shows one also has words.
const icon = (paths: SVGTemplateResult) =>
  svg`<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const microphoneIcon = icon(
  svg`<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/>`,
);
export const microphoneOffIcon = icon(
  svg`<path d="M15 9.5V6a3 3 0 0 0-5.8-1M9 9v2a3 3 0 0 0 4.6 2.5M5.5 11a6.5 6.5 0 0 0 10.3 5.3M18.5 11a6.4 6.4 0 0 1-.6 2.7M12 17.5V21M3 3l18 18"/>`,
);
export const cameraIcon = icon(
  svg`<rect x="3" y="6.5" width="13" height="11" rx="2"/><path d="m16 10.5 5-3v9l-5-3z"/>`,
);
export const cameraOffIcon = icon(
  svg`<path d="M8 6.5h6a2 2 0 0 1 2 2v4M16 15.5a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-7a2 2 0 0 1 1.7-2M16 10.5l5-3v9l-3.5-2.1M3 3l18 18"/>`,
);
export const screenIcon = icon(
  svg`<rect x="3" y="4" width="18" height="12" rx="1.5"/><path d="M8 20h8M12 16v4M12 7.5v5M9.8 9.6 12 7.4l2.2 2.2"/>`,
);
export const minimiseIcon = icon(svg`<path d="M14 4v6h6M10 20v-6H4M14 10l7-7M3 21l7-7"/>`);
export const restoreIcon = icon(svg`<path d="M15 3h6v6M9 21H3v-6M21 3l-7 7M3 21l7-7"/>`);
export const closeIcon = icon(svg`<path d="M6 6l12 12M18 6 6 18"/>`);
export const endForAllIcon = icon(
  svg`<rect x="4" y="4" width="16" height="16" rx="2.5"/><path d="M9 9l6 6M15 9l-6 6"/>`,
);
