import { css } from 'lit';

/** `theme` attribute values: `light` (default), `dark`, or `auto` to follow the operating system. */
export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

/*
 * Design tokens. The public API is the global `--hub-*` custom properties, which a host sets anywhere above
 * the element (`:root { --hub-color-accent: #0f766e }`). Inside a shadow root they resolve once into private
 * `--_hub-*` properties with our defaults, so every rule reads one name and the defaults live here only.
 * Host values apply in every theme; a host that themes both sets its own values under its dark selector.
 */
const light = css`
  --_hub-font-family: var(
    --hub-font-family,
    system-ui,
    -apple-system,
    'Segoe UI',
    Roboto,
    'Helvetica Neue',
    Arial,
    sans-serif
  );
  --_hub-font-size: var(--hub-font-size, 0.875rem);
  --_hub-font-size-small: var(--hub-font-size-small, 0.8125rem);
  --_hub-font-size-xsmall: var(--hub-font-size-xsmall, 0.75rem);
  --_hub-line-height: var(--hub-line-height, 1.45);
  --_hub-font-weight-strong: var(--hub-font-weight-strong, 600);

  --_hub-space-1: var(--hub-space-1, 0.25rem);
  --_hub-space-2: var(--hub-space-2, 0.5rem);
  --_hub-space-3: var(--hub-space-3, 0.75rem);
  --_hub-space-4: var(--hub-space-4, 1rem);
  --_hub-space-5: var(--hub-space-5, 1.5rem);

  --_hub-radius: var(--hub-radius, 0.625rem);
  --_hub-radius-small: var(--hub-radius-small, 0.375rem);
  --_hub-control-height: var(--hub-control-height, 2.25rem);

  --_hub-color-surface: var(--hub-color-surface, #ffffff);
  --_hub-color-surface-muted: var(--hub-color-surface-muted, #f8fafc);
  --_hub-color-surface-hover: var(--hub-color-surface-hover, #f1f5f9);
  --_hub-color-text: var(--hub-color-text, #0f172a);
  --_hub-color-text-muted: var(--hub-color-text-muted, #475569);
  --_hub-color-border: var(--hub-color-border, #e2e8f0);
  /* Borders of controls need 3:1 against the surface (WCAG 1.4.11). */
  --_hub-color-border-strong: var(--hub-color-border-strong, #7b8aa1);
  --_hub-color-accent: var(--hub-color-accent, #4f46e5);
  --_hub-color-accent-hover: var(--hub-color-accent-hover, #4338ca);
  --_hub-color-accent-contrast: var(--hub-color-accent-contrast, #ffffff);
  --_hub-color-accent-subtle: var(--hub-color-accent-subtle, #eef2ff);
  --_hub-color-danger: var(--hub-color-danger, #b91c1c);
  --_hub-color-danger-subtle: var(--hub-color-danger-subtle, #fef2f2);
  --_hub-color-skeleton: var(--hub-color-skeleton, #e2e8f0);
  --_hub-color-skeleton-shine: var(--hub-color-skeleton-shine, #f1f5f9);

  --_hub-shadow: var(--hub-shadow, 0 1px 2px rgb(15 23 42 / 0.05), 0 1px 3px rgb(15 23 42 / 0.08));
  --_hub-focus-ring-color: var(--hub-focus-ring-color, var(--_hub-color-accent));
  --_hub-focus-ring-width: var(--hub-focus-ring-width, 2px);
  --_hub-focus-ring-offset: var(--hub-focus-ring-offset, 2px);
  --_hub-transition: var(--hub-transition, 120ms ease-out);

  /* Avatars tint a per-person hue; lightness flips with the theme. */
  --_hub-avatar-saturation: 70%;
  --_hub-avatar-background-lightness: 92%;
  --_hub-avatar-text-lightness: 26%;
  color-scheme: light;
`;

const dark = css`
  --_hub-color-surface: var(--hub-color-surface, #0f172a);
  --_hub-color-surface-muted: var(--hub-color-surface-muted, #1e293b);
  --_hub-color-surface-hover: var(--hub-color-surface-hover, #273449);
  --_hub-color-text: var(--hub-color-text, #f1f5f9);
  --_hub-color-text-muted: var(--hub-color-text-muted, #a3b1c6);
  --_hub-color-border: var(--hub-color-border, #334155);
  --_hub-color-border-strong: var(--hub-color-border-strong, #7b8aa1);
  --_hub-color-accent: var(--hub-color-accent, #818cf8);
  --_hub-color-accent-hover: var(--hub-color-accent-hover, #a5b4fc);
  --_hub-color-accent-contrast: var(--hub-color-accent-contrast, #0f172a);
  --_hub-color-accent-subtle: var(--hub-color-accent-subtle, rgb(129 140 248 / 0.16));
  --_hub-color-danger: var(--hub-color-danger, #fca5a5);
  --_hub-color-danger-subtle: var(--hub-color-danger-subtle, rgb(248 113 113 / 0.12));
  --_hub-color-skeleton: var(--hub-color-skeleton, #1e293b);
  --_hub-color-skeleton-shine: var(--hub-color-skeleton-shine, #273449);
  --_hub-shadow: var(--hub-shadow, 0 1px 2px rgb(0 0 0 / 0.4));
  --_hub-avatar-saturation: 45%;
  --_hub-avatar-background-lightness: 26%;
  --_hub-avatar-text-lightness: 86%;
  color-scheme: dark;
`;

export const tokens = css`
  :host {
    ${light}
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
    }
  }
`;

/**
 * The shadow-root baseline every element starts from. `.hub-root` goes on each element's outermost
 * wrapper: it re-declares the inherited text properties so that a host page's `body { … }` or
 * `student-picker { color: … }` does not leak in (selectors already stop at the shadow boundary).
 */
export const reset = css`
  :host {
    display: block;
    box-sizing: border-box;
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .hub-root {
    font-family: var(--_hub-font-family);
    font-size: var(--_hub-font-size);
    font-weight: 400;
    font-style: normal;
    line-height: var(--_hub-line-height);
    letter-spacing: normal;
    word-spacing: normal;
    text-align: start;
    text-indent: 0;
    text-transform: none;
    text-shadow: none;
    white-space: normal;
    color: var(--_hub-color-text);
    -webkit-font-smoothing: antialiased;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    letter-spacing: inherit;
    margin: 0;
  }
  button {
    cursor: pointer;
  }
  button:disabled {
    cursor: default;
  }
  :focus {
    outline: none;
  }
  :focus-visible {
    outline: var(--_hub-focus-ring-width) solid var(--_hub-focus-ring-color);
    outline-offset: var(--_hub-focus-ring-offset);
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  /* Loading skeletons: a placeholder "bone" with a slow shimmer, sized by each element. */
  .bone {
    display: block;
    height: 0.625rem;
    border-radius: 999px;
    background: linear-gradient(
        90deg,
        var(--_hub-color-skeleton) 0%,
        var(--_hub-color-skeleton-shine) 50%,
        var(--_hub-color-skeleton) 100%
      )
      0 0 / 200% 100%;
    animation: shimmer 1.4s ease-in-out infinite;
  }
  @keyframes shimmer {
    from {
      background-position: 100% 0;
    }
    to {
      background-position: -100% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation-duration: 0.01ms !important;
      animation-iteration-count: 1 !important;
      transition-duration: 0.01ms !important;
    }
  }
`;
