import { readdirSync, readFileSync } from 'node:fs';

/** What Linux says about a process: its memory, the CPU time it has used, and its open descriptors. */
export interface ProcessSample {
  /** Resident set size now, in MiB (`VmRSS`). */
  rssMiB: number;
  /** The highest resident set size so far, in MiB (`VmHWM`). */
  peakRssMiB: number;
  /** User + system CPU time since the process started, in seconds. */
  cpuSeconds: number;
  openFds: number;
  /** When the sample was taken (`performance.now()`), to turn CPU deltas into a share of one core. */
  at: number;
}

/** `sysconf(_SC_CLK_TCK)`: 100 on every Linux this runs on (x86-64 and arm64 alike). */
const CLOCK_TICKS_PER_SECOND = 100;

const kibToMiB = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** Reads `/proc/<pid>/stat`, `status` and `fd`. */
export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) and stime (15)
  return {
    rssMiB: kibToMiB(field('VmRSS')),
    peakRssMiB: kibToMiB(field('VmHWM')),
    cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    openFds: readdirSync(`/proc/${pid}/fd`).length,
    at: performance.now(),
  };
}

/** CPU used between two samples as a share of one core, in percent. */
export function cpuPercent(from: ProcessSample, to: ProcessSample): number {
  const wallSeconds = (to.at - from.at) / 1000;
  return wallSeconds > 0 ? Math.round(((to.cpuSeconds - from.cpuSeconds) / wallSeconds) * 100) : 0;
}

/**
 * Waits until the process uses less than `belowPercent` of a core over a `windowMs` window (work queued
 * by earlier steps, such as webhooks and delivery jobs, has drained), or `timeoutMs` has passed.
 * Returns how long it waited.
 */
export async function waitUntilQuiet(
  pid: number,
  options: { belowPercent: number; windowMs: number; timeoutMs: number },
): Promise<number> {
  const started = performance.now();
  let previous = sampleProcess(pid);
  while (performance.now() - started < options.timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const current = sampleProcess(pid);
    if (cpuPercent(previous, current) < options.belowPercent) break;
    previous = current;
  }
  return performance.now() - started;
}
