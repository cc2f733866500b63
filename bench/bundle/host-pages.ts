import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { gzipSize } from './gzip.ts';

/** One JS file a page downloaded: its URL, its bytes as served, and their gzip size. */
export interface LoadedScript {
  url: string;
  bytes: number;
  gzipBytes: number;
}

export interface HostPage {
  /** Where the host LMS serves the page (see `serveHostPages`). */
  path: string;
  html: string;
  /** Resolves once the elements show what they loaded (the figure is the JS needed to get there). */
  rendered(page: Page): Promise<void>;
}

/** After the page shows its data, no new script for this long means nothing more is on its way. */
const QUIET_MS = 1_500;

/**
 * A stand-in host LMS on an origin of its own (`http://localhost:<port>`, which the dev hub allows), serving
 * the pages' HTML: the SDK then loads from the hub as on a real LMS page.
 */
export async function serveHostPages(
  pages: readonly Pick<HostPage, 'path' | 'html'>[],
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const page = pages.find((candidate) => candidate.path === request.url);
    response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page?.html ?? 'not found');
  });
  server.listen(0, 'localhost');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * Opens `host` from the host LMS at `origin` in a fresh browser context (empty cache, no service worker),
 * waits until it rendered its data and no script has been requested for a while, and returns every JS
 * response the page downloaded.
 */
export async function scriptsLoadedBy(
  browser: Browser,
  origin: string,
  host: HostPage,
): Promise<LoadedScript[]> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'block',
  });
  try {
    const page = await context.newPage();
    const pageUrl = new URL(host.path, origin).href;
    const pending = new Set<Promise<LoadedScript | undefined>>();
    let lastScriptAt = Date.now();
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      const isScript = response.request().resourceType() === 'script' || /javascript/.test(type);
      if (!isScript) return;
      lastScriptAt = Date.now();
      const body = response.body().then(
        (buffer) => ({ url: response.url(), bytes: buffer.length, gzipBytes: gzipSize(buffer) }),
        () => undefined,
      );
      pending.add(body);
    });
    page.on('request', (request) => {
      if (request.resourceType() === 'script') lastScriptAt = Date.now();
    });
    await page.goto(pageUrl);
    await host.rendered(page);
    while (Date.now() - lastScriptAt < QUIET_MS) await page.waitForTimeout(250);
    const scripts = (await Promise.all(pending)).filter((script) => script !== undefined);
    const failed = scripts.length < pending.size;
    if (failed) throw new Error(`${host.path}: the body of a script response could not be read`);
    return scripts;
  } finally {
    await context.close();
  }
}

/** A host page with the hub's one SDK module script and `body` (elements with their `token` attributes). */
export function hostHtml(hub: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <script type="module" src="${hub}/sdk/teacher-hub.js"></script>
  </head>
  <body>
    ${body}
  </body>
</html>`;
}
