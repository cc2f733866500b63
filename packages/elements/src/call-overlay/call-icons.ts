import { svg } from 'lit';
import type { SVGTemplateResult } from 'lit';

// The ring's and the call button's line icons (24×24, currentColor); the call view's are in
// call-view-icons.ts, loaded with it. Decorative: every button that shows one also has words.
const icon = (paths: SVGTemplateResult) =>
  svg`<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const phoneIcon = icon(
  svg`<path d="M5 4h3.5l1.6 4.2-2.2 1.4a11 11 0 0 0 6.5 6.5l1.4-2.2L20 15.5V19a1.5 1.5 0 0 1-1.6 1.5A16.5 16.5 0 0 1 3.5 5.6 1.5 1.5 0 0 1 5 4z"/>`,
);
export const hangUpIcon = icon(
  svg`<path d="M3.2 13.6c4.9-4.1 12.7-4.1 17.6 0l-1.9 2.6-3.4-1.3v-2.4a11 11 0 0 0-7 0v2.4l-3.4 1.3z"/>`,
);
