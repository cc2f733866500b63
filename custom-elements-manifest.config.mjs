// `npm run manifest` → ./custom-elements.json, generated from the elements' JSDoc (STYLE.md 2); Storybook's
// docs read it. The base class is analysed too so inherited attributes (server, token, token-url, theme)
// appear on every element.

/** The manifest documents what hosts use: private (`#…`) and protected members are left out. */
const publicApiOnly = {
  name: 'teacher-hub-public-api-only',
  packageLinkPhase({ customElementsManifest }) {
    for (const module of customElementsManifest.modules) {
      for (const declaration of module.declarations ?? []) {
        if (!declaration.members) continue;
        declaration.members = declaration.members.filter(
          (member) =>
            member.privacy !== 'private' && member.privacy !== 'protected' && !member.name.startsWith('#'),
        );
      }
    }
  },
};

export default {
  globs: ['packages/elements/src/**/*.component.ts', 'packages/elements/src/base/hub-element.ts'],
  exclude: ['**/*.test.ts'],
  outdir: '.',
  litelement: true,
  plugins: [publicApiOnly],
};
