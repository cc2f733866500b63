// `npm run manifest` → ./custom-elements.json, generated from the elements' JSDoc (STYLE.md 2); Storybook's
// docs read it. The base class is analysed too so inherited attributes (server, token, token-url, theme)
// appear on every element.
export default {
  globs: ['packages/elements/src/**/*.component.ts', 'packages/elements/src/base/hub-element.ts'],
  exclude: ['**/*.test.ts'],
  outdir: '.',
  litelement: true,
};
