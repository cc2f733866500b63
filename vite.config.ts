import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Builds the embeddable SDK: one ES module entry at `dist/sdk/teacher-hub.js` that a host page loads with
 * one `<script type="module">`, plus code-split chunks for what loads later (chat, calls).
 */
export default defineConfig({
  build: {
    outDir: 'dist/sdk',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: resolve(import.meta.dirname, 'packages/elements/src/index.ts'),
      formats: ['es'],
      fileName: () => 'teacher-hub.js',
    },
    rollupOptions: {
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
  esbuild: {
    tsconfigRaw: {
      compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false },
    },
  },
});
