// When a session is, in words, in the viewer's own time zone: "in 15 minutes", "today at 16:00",
// "tomorrow at 16:00", "Monday at 16:00", "Mon, Dec 21 at 16:00". Plain `Intl`: no date library is needed
// for these, so the element's chunk stays small.

const MINUTE = 60_000;

/** The calendar day (local) of a timestamp, as a number of days that can be subtracted. */
function localDay(time: number): number {
  const date = new Date(time);
  return Math.round(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86_400_000);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat('en', { weekday: 'long' });
const shortDate = new Intl.DateTimeFormat('en', { weekday: 'short', month: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const minutes = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** The local time of day, in the viewer's locale ("16:00" or "4:00 PM"). */
export function timeOfDay(time: number): string {
  return clock.format(time);
}

/**
 * When an occurrence starts, relative to `now`: minutes within the hour ahead, else the day in words
 * with the local time. Past starts (a live session) read "started 5 minutes ago" or "started at 16:00".
 */
export function startsIn(startsAt: string, now: number): string {
  const start = Date.parse(startsAt);
  if (Number.isNaN(start)) return '';
  const ahead = start - now;
  if (ahead <= 0) {
    const ago = Math.round(-ahead / MINUTE);
    if (ago < 1) return 'starting now';
    return ago < 60 ? `started ${minutes.format(-ago, 'minute')}` : `started at ${timeOfDay(start)}`;
  }
  if (ahead < MINUTE) return 'starting now';
  if (ahead < 60 * MINUTE) return minutes.format(Math.round(ahead / MINUTE), 'minute');
  const days = localDay(start) - localDay(now);
  const at = timeOfDay(start);
  if (days === 0) return `today at ${at}`;
  if (days === 1) return `tomorrow at ${at}`;
  if (days < 7) return `${weekday.format(start)} at ${at}`;
  return `${shortDate.format(start)} at ${at}`;
}

/** The full local date and time, for tooltips ("Tuesday, December 8, 2026 at 16:00"). */
export function fullDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : full.format(time);
}

/** A duration in words: "45 min", "1 h", "1 h 30 min". */
export function duration(startsAt: string, endsAt: string): string {
  const total = Math.max(0, Math.round((Date.parse(endsAt) - Date.parse(startsAt)) / MINUTE));
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
