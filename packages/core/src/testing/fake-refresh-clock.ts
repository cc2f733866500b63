import type { RefreshClock } from '../token-refresh.ts';

/**
 * A `RefreshClock` that stands still until the test moves it: `advance(ms)` fires the timers that fall due,
 * in order, and lets the promises they start settle, so a refresh's fetch (a real HTTP request included)
 * completes before the next timer is looked at.
 */
export class FakeRefreshClock implements RefreshClock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** When the next timer is due (`undefined`: none is set). */
  get nextAt(): number | undefined {
    const times = [...this.#timers.values()].map((timer) => timer.at);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time on by `ms`, firing each timer that falls due at its own instant. */
  async advance(ms: number, settle: () => Promise<void> = settleSoon): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.#timers.delete(id);
      this.#now = timer.at;
      timer.callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}

/** Lets microtasks and a few macrotask turns run (enough for an in-memory promise chain). */
async function settleSoon(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}
