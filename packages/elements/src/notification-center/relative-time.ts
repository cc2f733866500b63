// Relative times for the list. Only `formatDistanceToNowStrict` comes from date-fns (with its default
// English locale), and only when the panel first opens: times are shown nowhere else, so the SDK's first
// bundle carries none of it (about 3 kB gzipped, in its own chunk).
import type { formatDistanceToNowStrict as FormatDistance } from 'date-fns/formatDistanceToNowStrict';

/** Below this age a notification is "just now" (also absorbs a client clock a little behind the hub's). */
const JUST_NOW_MS = 45_000;

const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

let formatDistance: typeof FormatDistance | undefined;
let loading: Promise<void> | undefined;

/** Loads the formatter once; resolves at once when it is loaded. */
export function loadRelativeTime(): Promise<void> {
  loading ??= import('date-fns/formatDistanceToNowStrict').then((module) => {
    formatDistance = module.formatDistanceToNowStrict;
  });
  return loading;
}

/** "just now", "5 minutes ago", "3 days ago"; the full date until the formatter has loaded. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  if (now - time < JUST_NOW_MS) return 'just now';
  return formatDistance ? formatDistance(time, { addSuffix: true }) : fullDate.format(time);
}

/** The full local date and time, for the tooltip. */
export function absoluteTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : fullDate.format(time);
}
