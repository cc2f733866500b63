// Browser tests: headless Debian Chromium, TypeScript through esbuild, and the REAL hub server.
//
// The hub is started once for the run (dev mode, in-memory PGlite) as a child process; tests find it at
// `window.HUB_TEST_SERVER` and get tokens from its `POST /v1/dev/token`. Set HUB_TEST_SERVER to a running
// hub's URL to test against that one instead (its HUB_ALLOWED_ORIGINS must include the runner's origin).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import commonjs from '@rollup/plugin-commonjs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fromRollup } from '@web/dev-server-rollup';
import { chromeLauncher } from '@web/test-runner-chrome';

// `stream-chat` (loaded by the chat service) ships CommonJS dependencies (axios' helpers, eventemitter-style
// modules) that the browser can only import once converted.
const commonjsPlugin = fromRollup(commonjs);

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HUB_BOOT_TIMEOUT_MS = 60_000;

/** @type {string | undefined} */
let hubUrl = process.env.HUB_TEST_SERVER;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `server/src/main.ts` for the run and stops it afterwards. */
function hubServerPlugin() {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let output = '';
  const stop = () => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  };

  return {
    name: 'teacher-hub-server',
    async serverStart({ config }) {
      if (hubUrl) return;
      const port = await freePort();
      const host = config.hostname ?? 'localhost';
      const origins = [
        `http://${host}:${config.port}`,
        `http://127.0.0.1:${config.port}`,
        `http://localhost:${config.port}`,
      ];
      child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
        env: {
          ...process.env,
          PORT: String(port),
          HUB_DATA_DIR: 'memory',
          HUB_ALLOWED_ORIGINS: [...new Set(origins)].join(','),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk) => (output += chunk));
      child.stderr?.on('data', (chunk) => (output += chunk));
      process.once('exit', stop);

      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + HUB_BOOT_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) {
          throw new Error(`The hub server exited with ${child.exitCode} before it was healthy:\n${output}`);
        }
        try {
          const response = await fetch(`${url}/health`);
          if (response.ok) {
            hubUrl = url;
            return;
          }
        } catch {
          // Not listening yet.
        }
        await delay(100);
      }
      stop();
      throw new Error(`The hub server was not healthy within ${HUB_BOOT_TIMEOUT_MS / 1000} s:\n${output}`);
    },
    async serverStop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      const timeout = delay(5_000).then(() => child?.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
    },
  };
}

/**
 * Plays a host LMS's token endpoint on the runner's own origin, for `token-url` tests:
 * `GET /test-lms/hub-token?userId=t-ada` answers `{token}` (the bare token with `&format=text`), got from the
 * hub's dev token route; an unknown user gets the hub's refusal status.
 * @type {import('koa').Middleware}
 */
async function testLmsTokenEndpoint(context, next) {
  if (context.path !== '/test-lms/hub-token' || !hubUrl) return next();
  const response = await fetch(`${hubUrl}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: context.query.userId }),
  });
  context.set('cache-control', 'no-store');
  if (!response.ok) {
    context.status = response.status;
    context.body = { error: 'not signed in' };
    return;
  }
  const { token } = await response.json();
  context.status = 200;
  context.body = context.query.format === 'text' ? token : { token };
}

/**
 * `executeServerCommand('grant-notifications')` allows notifications for the test page's origin (as if the
 * user had clicked "Allow"), `'reset-permissions'` takes that back. Headless Chromium cannot answer a
 * permission prompt, so web push tests set the permission this way.
 */
function permissionsPlugin() {
  return {
    name: 'teacher-hub-permissions',
    /** @param {{command: string, session: any}} options */
    async executeCommand({ command, session }) {
      if (command !== 'grant-notifications' && command !== 'reset-permissions') return undefined;
      if (session.browser.type !== 'puppeteer') throw new Error(`${command} needs a Chromium launcher.`);
      const page = session.browser.getPage(session.id);
      const context = page.browserContext();
      if (command === 'reset-permissions') await context.clearPermissionOverrides();
      else await context.overridePermissions(new URL(page.url()).origin, ['notifications']);
      return true;
    },
  };
}

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['packages/elements/src/**/*.test.ts', 'packages/core/src/**/*.browser.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'development'] },
  middleware: [testLmsTokenEndpoint],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [
          '--headless=new',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // Calls: a fake camera (a test pattern) and microphone (a beep), and "Allow" answered for the
          // camera, microphone and screen pickers. Autoplay keeps its real policy.
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          // Two peers on one machine connect through loopback host candidates, not mDNS names.
          '--disable-features=WebRtcHideLocalIpsWithMdns',
        ],
      },
    }),
  ],
  plugins: [
    commonjsPlugin({ include: ['**/node_modules/**'] }),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.base.json' }),
    hubServerPlugin(),
    permissionsPlugin(),
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Teacher Hub browser tests</title></head>
  <body>
    <script>window.HUB_TEST_SERVER = ${JSON.stringify(hubUrl ?? '')};</script>
    <script type="module" src="${testFramework}"></script>
  </body>
</html>`,
  testFramework: { config: { timeout: 10_000 } },
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  testsFinishTimeout: 180_000,
};
