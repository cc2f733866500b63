import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/browser.ts';
import { startHub } from '../tests/e2e/support/hub-server.ts';
import { connectChatUser, directChat, seedHistory } from './chat-render/seed.ts';
import { log, ms, quantile, round } from './support/stats.ts';
import type { Bench, BenchRow } from './types.ts';

const REPO = resolve(import.meta.dirname, '..');
const PROBE = resolve(import.meta.dirname, 'chat-render/probe.js');

/** The history the conversation is opened on. */
const HISTORY = 1_000;
/** Messages from the other member once it is open, at `INCOMING_PER_S`. */
const INCOMING = 50;
const INCOMING_PER_S = 10;
const TEACHER = 't-ada';
const STUDENT = 's-01';

interface Opened {
  start: number;
  end: number;
  rows: number;
}
interface Scrolled {
  steps: number[];
  reachedStart: boolean;
  rows: number;
  start: number;
  end: number;
}
interface LongTask {
  start: number;
  duration: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const wall = () => performance.timeOrigin + performance.now();

/** `dist/sdk` is what the hub serves to the page: built here when a fresh clone has none. */
function ensureSdk(): void {
  if (existsSync(resolve(REPO, 'dist/sdk/teacher-hub.js'))) return;
  const build = spawnSync('npm', ['run', 'build:sdk'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:sdk failed');
}

/**
 * Sends `texts` from `send` at `perSecond` (each on its own schedule, as people type, not one after the
 * other's answer) and resolves with the wall-clock instant each request left.
 */
async function sendPaced(
  send: (text: string) => Promise<unknown>,
  texts: readonly string[],
  perSecond: number,
): Promise<number[]> {
  const sentAt: number[] = [];
  const requests: Promise<unknown>[] = [];
  const begin = performance.now();
  for (const [index, text] of texts.entries()) {
    const due = begin + (index * 1000) / perSecond;
    if (due > performance.now()) await sleep(due - performance.now());
    sentAt.push(wall());
    requests.push(send(text));
  }
  await Promise.all(requests);
  return sentAt;
}

/**
 * Calls `window.chatBench[method](...args)` (bench/chat-render/probe.js) in the page. A function, not a
 * string: the demo's Content Security Policy forbids evaluating strings, and stays on.
 */
function probe<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([name, values]) =>
      (window as unknown as { chatBench: Record<string, (...args: unknown[]) => T> }).chatBench[name]!(
        ...values,
      ),
    [method, args] as const,
  );
}

/** Waits until the page has painted every one of `texts`; their wall-clock paint instants. */
async function paintedAt(page: Page, texts: readonly string[], limitMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const at = await probe<(number | null)[]>(page, 'arrivals', texts);
    if (at.every((value) => value !== null)) return at as number[];
    if (Date.now() > deadline) {
      throw new Error(`${at.filter((value) => value === null).length} incoming messages were never shown`);
    }
    await sleep(100);
  }
}

function longest(tasks: readonly LongTask[]): number {
  return tasks.reduce((max, task) => Math.max(max, task.duration), 0);
}

/**
 * Issue 9's `<hub-chat>` row, end to end: a hub in dev mode (GetStream emulator, PGlite), a direct chat of
 * a demo teacher and student with 1,000 messages written through `stream-chat`, and the demo's student page
 * in headless Chromium opening it. First render runs from the click on the chat in the list to the paint
 * after the newest message's row exists; then the teacher sends 50 messages at 10/s and each one's time
 * runs from its request leaving to the paint of its row. Long tasks (Chromium's `longtask` entries, over
 * 50 ms) are counted from the click to the last incoming paint. Going back through the whole history by
 * scrolling up, and messages arriving once all of it is loaded, are details.
 */
const chatRender: Bench = {
  id: 'chat-render',
  order: 20,
  async run(): Promise<BenchRow[]> {
    ensureSdk();
    const hub = await startHub();
    const closers: Array<() => Promise<unknown>> = [() => hub.stop()];
    try {
      const chat = await directChat(hub, TEACHER, STUDENT);
      const teacher = await connectChatUser(hub, TEACHER, chat.cid);
      closers.unshift(teacher.close);
      const student = await connectChatUser(hub, STUDENT, chat.cid);
      closers.unshift(student.close);
      log(`chat-render: writing ${HISTORY} messages into ${chat.cid}`);
      const seedStart = performance.now();
      await seedHistory([teacher, student], HISTORY);
      const seedMs = performance.now() - seedStart;
      await student.close();
      const newest = (await teacher.channel.query({ messages: { limit: 1 } })).messages.at(-1);
      if (!newest) throw new Error('the seeded history is empty');

      const browser = await launchChromium();
      closers.unshift(() => browser.close());
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript({ path: PROBE });
      const page = await context.newPage();
      await page.goto(hub.url);
      await page.getByRole('button', { name: new RegExp(STUDENT) }).click();
      await page.waitForURL(/\/student\.html$/);
      const listedBy = Date.now() + 30_000;
      while (!(await probe<boolean>(page, 'listed', chat.id))) {
        if (Date.now() > listedBy) throw new Error('the chat was not listed within 30 s');
        await sleep(100);
      }
      await page.waitForLoadState('networkidle');
      await sleep(1_000);

      log('chat-render: opening the chat as the student, then 50 messages from the teacher');
      const opened = await probe<Opened>(page, 'open', chat.id, newest.id);
      await probe(page, 'watchArrivals');
      const incoming = Array.from({ length: INCOMING }, (_, index) => `Incoming ${index + 1} from Ada`);
      const sentAt = await sendPaced(
        (text) => teacher.channel.sendMessage({ text }),
        incoming,
        INCOMING_PER_S,
      );
      const painted = await paintedAt(page, incoming);
      const windowEnd = await probe<number>(page, 'now');
      const latencies = painted.map((at, index) => at - sentAt[index]!);
      const tasks = await probe<LongTask[]>(page, 'longTasks', opened.start, windowEnd);
      const longestFrame = await probe<string>(page, 'longestFrame', opened.start, windowEnd);

      // Back through the whole history, then messages arriving with all of it loaded.
      log('chat-render: scrolling back to the start of the chat');
      const scrolled = await probe<Scrolled>(page, 'scrollToStart', 180_000);
      const scrollTasks = await probe<LongTask[]>(page, 'longTasks', scrolled.start, scrolled.end);
      const scrollLongestFrame = await probe<string>(page, 'longestFrame', scrolled.start, scrolled.end);
      const lateStart = await probe<number>(page, 'now');
      const late = Array.from({ length: 20 }, (_, index) => `Late ${index + 1} from Ada`);
      await sendPaced((text) => teacher.channel.sendMessage({ text }), late, INCOMING_PER_S);
      await sleep(1_500);
      const lateTasks = await probe<LongTask[]>(
        page,
        'longTasks',
        lateStart,
        await probe<number>(page, 'now'),
      );

      const firstRender = opened.end - opened.start;
      const p99 = quantile(latencies, 0.99);
      return [
        {
          id: 'chat-render.hub-chat-1000',
          figure: '<hub-chat> with 1,000 messages: first render, then 50 incoming messages',
          ours:
            `first render ${ms(firstRender)}; ${INCOMING} incoming p99 ${ms(p99)}; ` +
            `long tasks ${tasks.length} (longest ${ms(longest(tasks))})`,
          value: tasks.length,
          unit: 'long tasks',
          budget: 'no long task',
          pass: tasks.length === 0,
          details: {
            firstRenderMs: round(firstRender),
            rowsAfterFirstRender: opened.rows,
            incomingP50Ms: round(quantile(latencies, 0.5)),
            incomingP99Ms: round(p99),
            incomingMaxMs: round(Math.max(...latencies)),
            longestTaskMs: round(longest(tasks)),
            longestFrame,
            seedMs: Math.round(seedMs),
            scrollPages: scrolled.steps.length,
            scrollReachedStart: scrolled.reachedStart,
            scrollPageP50Ms: round(quantile(scrolled.steps, 0.5)),
            scrollPageP99Ms: round(quantile(scrolled.steps, 0.99)),
            scrollTotalMs: round(scrolled.end - scrolled.start),
            scrollLongTasks: scrollTasks.length,
            scrollLongestTaskMs: round(longest(scrollTasks)),
            scrollLongestFrame,
            rowsAfterScroll: scrolled.rows,
            incomingAfterHistoryLongTasks: lateTasks.length,
            incomingAfterHistoryLongestTaskMs: round(longest(lateTasks)),
          },
        },
      ];
    } finally {
      for (const close of closers) await close().catch(() => undefined);
    }
  },
};

export default chatRender;
