/*
 * Calendar arithmetic in any IANA time zone with `Intl` alone. Days are local calendar days written as
 * `YYYY-MM-DD` ("day keys"); day arithmetic is plain calendar math on them (UTC dates, no DST), and only the
 * edges of a visible range are turned into instants, through the zone's offset at that moment.
 */

/** The browser's own time zone. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of `instant` in `timeZone`. */
export function wallClock(
  instant: Date,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const fields: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? 1970,
    month: fields['month'] ?? 1,
    day: fields['day'] ?? 1,
    hour: (fields['hour'] ?? 0) % 24,
    minute: fields['minute'] ?? 0,
    second: fields['second'] ?? 0,
  };
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** The local day of `instant` in `timeZone`, `YYYY-MM-DD`. */
export function dayKeyOf(instant: Date, timeZone: string): string {
  const { year, month, day } = wallClock(instant, timeZone);
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The local date-time of `instant` in `timeZone`, `YYYY-MM-DDTHH:mm` (the contract's local form). */
export function localDateTimeOf(instant: Date, timeZone: string): string {
  const { hour, minute } = wallClock(instant, timeZone);
  return `${dayKeyOf(instant, timeZone)}T${pad(hour)}:${pad(minute)}`;
}

/** How far `timeZone`'s clocks are ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const { year, month, day, hour, minute, second } = wallClock(new Date(instant), timeZone);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a local date-time (`YYYY-MM-DDTHH:mm`) in `timeZone`. A time skipped by a spring-forward
 * comes out shifted by the gap, as the hub does (DESIGN.md "Time").
 */
export function instantOf(localDateTime: string, timeZone: string): Date {
  const [date = '', time = '00:00'] = localDateTime.split('T');
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offsetAt(wall, timeZone);
  // Once more with the offset of the guess: right on both sides of a DST change.
  instant = wall - offsetAt(instant, timeZone);
  return new Date(instant);
}

/** The instant local midnight starts `dayKey` in `timeZone` (the first instant of that day). */
export function startOfDay(dayKey: string, timeZone: string): Date {
  return instantOf(`${dayKey}T00:00`, timeZone);
}

function utcDate(dayKey: string): Date {
  const [year, month, day] = dayKey.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day));
}

function keyOfUtc(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** `dayKey` moved by `days` calendar days. */
export function addDays(dayKey: string, days: number): string {
  const date = utcDate(dayKey);
  date.setUTCDate(date.getUTCDate() + days);
  return keyOfUtc(date);
}

/** `dayKey` moved by `months` months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(dayKey: string, months: number): string {
  const date = utcDate(dayKey);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return keyOfUtc(target);
}

/** 0 = Monday … 6 = Sunday (the order of `WEEKDAYS`). */
export function weekdayIndex(dayKey: string): number {
  return (utcDate(dayKey).getUTCDay() + 6) % 7;
}

/** The Monday of `dayKey`'s week. */
export function startOfWeek(dayKey: string): string {
  return addDays(dayKey, -weekdayIndex(dayKey));
}

/** The first day of `dayKey`'s month. */
export function startOfMonth(dayKey: string): string {
  return `${dayKey.slice(0, 7)}-01`;
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDate(to).getTime() - utcDate(from).getTime()) / 86_400_000);
}

/** Formats a day key (a calendar date, so in UTC) with `options`. */
export function formatDay(dayKey: string, options: Intl.DateTimeFormatOptions, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(utcDate(dayKey));
}

/** The time of `instant` in `timeZone` as the user's locale writes it: `16:00`, `00:30` or `4:00 PM`. */
export function formatTime(instant: Date, timeZone: string, locale?: string): string {
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  // 24-hour clocks pad the hour (00:30); 12-hour ones do not (4:00 PM).
  const hour = cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric';
  return new Intl.DateTimeFormat(locale, { timeZone, hour, minute: '2-digit' }).format(instant);
}
