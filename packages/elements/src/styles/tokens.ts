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
 * The shadow-root baseline every element starts from.
 *
 * Host-page selectors stop at the shadow boundary, but inherited properties do not: a host's
 * `body { font: 18px/2 Georgia; text-transform: uppercase }` or `* { letter-spacing: .04em }` (which matches
 * the element itself) would flow into every shadow root. So `:host` sets every inherited text property
 * itself, `!important` because a page's rules on the element beat a normal `:host` rule (the outer context
 * wins for normal declarations, the inner one for important ones). Hosts theme through the `--hub-*` tokens,
 * which these values read. Deliberately left to inherit: `color` (set on `.hub-root` instead, because some
 * parts follow the host's text colour on purpose, like the notification bell's `currentColor`), `visibility`
 * (a closed host drawer or modal hides with it), `direction` and `writing-mode` (the page's script),
 * `pointer-events` (call-overlay lets clicks through its host), and `color-scheme` (set by the tokens).
 */
export const reset = css`
  :host {
    display: block;
    box-sizing: border-box;
    font-family: var(--_hub-font-family) !important;
    font-size: var(--_hub-font-size) !important;
    font-weight: 400 !important;
    font-style: normal !important;
    line-height: var(--_hub-line-height) !important;
    /* The rest back to their initial values. */
    font-variant: initial !important;
    font-stretch: initial !important;
    font-kerning: initial !important;
    font-feature-settings: initial !important;
    font-variation-settings: initial !important;
    font-size-adjust: initial !important;
    font-synthesis: initial !important;
    font-optical-sizing: initial !important;
    letter-spacing: initial !important;
    word-spacing: initial !important;
    text-align: start !important;
    text-align-last: initial !important;
    text-indent: initial !important;
    text-transform: initial !important;
    text-shadow: initial !important;
    text-rendering: initial !important;
    text-underline-offset: initial !important;
    text-underline-position: initial !important;
    text-decoration-skip-ink: initial !important;
    text-emphasis: initial !important;
    text-wrap: initial !important;
    -webkit-text-fill-color: initial !important;
    -webkit-text-stroke: initial !important;
    white-space: initial !important;
    word-break: initial !important;
    overflow-wrap: initial !important;
    hyphens: initial !important;
    line-break: initial !important;
    tab-size: initial !important;
    quotes: initial !important;
    list-style: initial !important;
    border-collapse: initial !important;
    border-spacing: initial !important;
    caption-side: initial !important;
    empty-cells: initial !important;
    cursor: initial !important;
    paint-order: initial !important;
    image-rendering: initial !important;
    -webkit-font-smoothing: antialiased;
  }
  :host([hidden]) {
    display: none !important;
  }
  /* Not 'inherit': a page's '* { box-sizing: content-box }' matches the host element itself. */
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  .hub-root {
    color: var(--_hub-color-text);
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
