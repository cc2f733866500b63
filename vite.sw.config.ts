import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The service worker as one classic script (`dist/sdk/teacher-hub-sw.js`), so a host on another origin
 * can serve a one-line worker of its own that calls `importScripts()` on it.
 */
export default defineConfig({
  build: {
    outDir: 'dist/sdk',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: resolve(import.meta.dirname, 'packages/core/src/notifications/service-worker.ts'),
      formats: ['iife'],
      name: 'TeacherHubServiceWorker',
      fileName: () => 'teacher-hub-sw.js',
    },
  },
});
