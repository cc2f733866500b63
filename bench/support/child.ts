/**
 * Helper processes of a bench (a baseline server, a push service, SSE clients, a sender): `node --import
 * tsx <script>`, talking JSON lines. The child prints one JSON line when ready; the parent may then send
 * JSON lines on its stdin and read the answers. Its stderr goes to ours, as progress.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface HelperProcess {
  process: ChildProcess;
  /** The first JSON line the child printed. */
  ready: unknown;
  /** Sends one JSON line and waits for the next JSON line the child prints. */
  ask<T>(message: unknown): Promise<T>;
  /** Waits for the next JSON line without sending anything. */
  next<T>(): Promise<T>;
  stop(): Promise<void>;
}

export async function startHelper(
  script: string,
  options: {
    env?: NodeJS.ProcessEnv;
    args?: string[];
    /** Node flags before the script, e.g. `--cpu-prof` to see where a helper's time goes. */
    nodeArgs?: string[];
    readyTimeoutMs?: number;
  } = {},
): Promise<HelperProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...(options.args ?? [])],
    {
      cwd: REPO,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  const queued: unknown[] = [];
  const waiting: Array<{ resolve: (value: unknown) => void; reject: (error: Error) => void }> = [];
  lines.on('line', (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      process.stderr.write(`${line}\n`);
      return;
    }
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(value);
    else queued.push(value);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', (code) => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`${script} exited with ${code}`));
  });
  const next = <T>(timeoutMs = options.readyTimeoutMs ?? 120_000) =>
    new Promise<T>((resolve, reject) => {
      if (queued.length > 0) return resolve(queued.shift() as T);
      if (child.exitCode !== null) return reject(new Error(`${script} exited with ${child.exitCode}`));
      const timer = setTimeout(
        () => reject(new Error(`${script}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  let ready: unknown;
  try {
    ready = await next();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    process: child,
    ready,
    ask: (message) => {
      child.stdin?.write(`${JSON.stringify(message)}\n`);
      return next();
    },
    next: () => next(),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** In a helper: reads JSON lines from stdin and answers each with the handler's result. */
export function answerRequests(handler: (message: unknown) => Promise<unknown>): void {
  const lines = createInterface({ input: process.stdin });
  let chain = Promise.resolve();
  lines.on('line', (line) => {
    chain = chain.then(async () => {
      process.stdout.write(`${JSON.stringify(await handler(JSON.parse(line)))}\n`);
    });
  });
  lines.on('close', () => process.exit(0));
}
