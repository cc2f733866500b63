import { resolve } from 'node:path';
import MagicString from 'magic-string';
import { defineConfig, parseAst } from 'vite';
import type { Plugin } from 'vite';

const ELEMENTS = resolve(import.meta.dirname, 'packages/elements/src');

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Collapses the whitespace of a static part of a `css` template, and drops its comments. */
const minifyCss = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1');

/** Whitespace in an `html` or `svg` template renders as one space (no element of ours is `pre`). */
const minifyMarkup = (text: string) => text.replace(/\s+/g, ' ');

/**
 * Minifies the static text of lit's `css`, `html` and `svg` templates in the elements: the JS minifier
 * leaves template literals as written, indentation, comments and all (about 5% of a chunk's gzip bytes).
 */
function minifyLitTemplates(): Plugin {
  return {
    name: 'teacher-hub:minify-lit-templates',
    apply: 'build',
    transform(code, id) {
      if (!id.startsWith(ELEMENTS) || !/\b(css|html|svg)`/.test(code)) return null;
      const output = new MagicString(code);
      const visit = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (typeof node !== 'object' || node === null) return;
        const current = node as Node;
        if (current.type === 'TaggedTemplateExpression') {
          const tag = (current.tag as Node & { name?: string }).name;
          const minify =
            tag === 'css' ? minifyCss : tag === 'html' || tag === 'svg' ? minifyMarkup : undefined;
          const quasis = (current.quasi as Node & { quasis: Node[] }).quasis;
          for (const quasi of minify ? quasis : []) {
            const raw = code.slice(quasi.start, quasi.end);
            const minified = minify!(raw);
            if (minified !== raw) output.overwrite(quasi.start, quasi.end, minified);
          }
        }
        for (const [key, value] of Object.entries(current)) if (key !== 'type') visit(value);
      };
      visit(parseAst(code));
      if (!output.hasChanged()) return null;
      return { code: output.toString(), map: output.generateMap({ hires: true, source: id }) };
    },
  };
}

/**
 * Builds the embeddable SDK into `dist/sdk`:
 * - `teacher-hub.js`, the one module script a host page loads: defines each tag when it first appears and
 *   loads only that element's code;
 * - `teacher-hub.all.js`, the eager entry: registers every element at once and exports the classes;
 * - code-split chunks (`chunks/`) for each element and for what loads later (chat, calls).
 *
 * Both entries are end products for browsers, not libraries for another bundler, so their whitespace is
 * minified too (Vite keeps it in ES library builds so that downstream bundlers can tree-shake).
 * `bench/bundle` builds its baselines with this same configuration.
 */
export default defineConfig({
  plugins: [minifyLitTemplates()],
  build: {
    outDir: 'dist/sdk',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: {
        'teacher-hub': resolve(ELEMENTS, 'sdk.ts'),
        'teacher-hub.all': resolve(ELEMENTS, 'index.ts'),
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: {
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
        minify: { compress: true, mangle: true, codegen: true },
        codeSplitting: {
          groups: [
            {
              name: 'hub-base',
              test: /node_modules[\\/](lit|lit-html|lit-element|@lit[\\/][\w-]+|idb-keyval)[\\/]|packages[\\/](core|protocol)[\\/]src[\\/]|packages[\\/]elements[\\/]src[\\/](base|controllers|context|styles|events)[\\/]/,
              minShareCount: 5,
            },
          ],
        },
        comments: { annotation: false },
      },
    },
  },
  esbuild: {
    tsconfigRaw: {
      compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false },
    },
  },
});
