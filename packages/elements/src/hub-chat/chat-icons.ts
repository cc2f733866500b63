import { svg } from 'lit';
import type { SVGTemplateResult } from 'lit';

// Line icons (24×24, currentColor). Emoji would depend on the reader's fonts; these do not.
const icon = (paths: SVGTemplateResult) =>
  svg`<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const groupIcon = icon(
  svg`<circle cx="9" cy="8" r="3.2"/><path d="M3 19c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5"/><circle cx="17" cy="9" r="2.5"/><path d="M16 13.6c2.9.1 5 2 5 4.9"/>`,
);
export const directIcon = icon(svg`<path d="M4 5h16v11H9l-5 4z"/>`);
export const sessionIcon = icon(
  svg`<rect x="3.5" y="5" width="17" height="15" rx="2"/><path d="M3.5 10h17M8 3v4M16 3v4"/>`,
);
export const pinIcon = icon(svg`<path d="M9 3h6l-1 6 4 4H6l4-4zM12 13v8"/>`);
export const attachIcon = icon(
  svg`<path d="M20 11.5 12.4 19a5 5 0 0 1-7.1-7.1l8-8a3.3 3.3 0 0 1 4.7 4.7l-8 8a1.7 1.7 0 0 1-2.4-2.4l7.3-7.3"/>`,
);
