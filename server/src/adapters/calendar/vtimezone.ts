import { tzOffset, tzScan } from '@date-fns/tz';
import type { TZChange } from '@date-fns/tz';

/*
 * VTIMEZONE components, which ical-generator leaves to a generator. Calendar apps that know IANA names
 * (Google, Apple, Thunderbird) go by the TZID; Outlook and strict parsers (ical.js) convert with the
 * component itself, so it must state the zone's real rules. The transitions come from the runtime's IANA
 * database through `@date-fns/tz`. Where a zone's two yearly changes follow "the nth (or last) weekday
 * of a month" for years ahead (most zones), they become yearly RRULEs; otherwise the transitions are
 * listed one by one for EXPLICIT_YEARS; a zone without DST gets one fixed offset.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
/** How many years ahead a yearly rule must match the database to be used. */
const CHECKED_YEARS = 12;
/** How many years of transitions an irregular zone lists. */
const EXPLICIT_YEARS = 25;

/** When a change happens, as a yearly rule: the nth (-1: last) weekday of a month, at a wall-clock time. */
interface YearlyRule {
  month: number;
  nth: number;
  weekday: number;
  minuteOfDay: number;
}

/**
 * The VTIMEZONE for `timeZone`, with rules from `referenceYear` on (the observances start that year, so
 * use one before the first event). `null` for UTC, which needs none.
 */
export function vtimezone(timeZone: string, referenceYear: number): string | null {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return null;
  const yearStart = new Date(Date.UTC(referenceYear, 0, 1));
  const changes = transitions(timeZone, referenceYear, referenceYear + 1);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  if (changes.length === 0) {
    const offset = tzOffset(timeZone, yearStart);
    lines.push(...observance('STANDARD', offset, offset, new Date(Date.UTC(1970, 0, 1)), null));
  } else if (changes.length === 2 && rulesHold(timeZone, changes, referenceYear)) {
    for (const change of changes) {
      const onset = onsetOf(change);
      const rule = ruleOf(onset);
      lines.push(
        ...observance(
          change.change > 0 ? 'DAYLIGHT' : 'STANDARD',
          change.offset - change.change,
          change.offset,
          onset,
          `RRULE:FREQ=YEARLY;BYMONTH=${rule.month + 1};BYDAY=${rule.nth}${WEEKDAYS[rule.weekday]}`,
        ),
      );
    }
  } else {
    const first = tzOffset(timeZone, yearStart);
    lines.push(...observance('STANDARD', first, first, yearStart, null));
    for (const change of transitions(timeZone, referenceYear, referenceYear + EXPLICIT_YEARS)) {
      const kind = change.change > 0 ? 'DAYLIGHT' : 'STANDARD';
      lines.push(...observance(kind, change.offset - change.change, change.offset, onsetOf(change), null));
    }
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/**
 * The zone's offset changes from the start of `fromYear` to the start of `toYear`, to the minute.
 * `tzScan` reports them on the hour after the change (Lord Howe's 02:00 → 02:30 at 15:30 UTC comes back
 * as 16:00 UTC), so each is narrowed down.
 */
function transitions(timeZone: string, fromYear: number, toYear: number): TZChange[] {
  const interval = { start: new Date(Date.UTC(fromYear, 0, 1)), end: new Date(Date.UTC(toYear, 0, 1)) };
  return tzScan(timeZone, interval).map((change) => {
    let before = change.date.getTime() - 60 * MINUTE;
    let after = change.date.getTime();
    while (after - before > MINUTE) {
      const middle = before + Math.floor((after - before) / MINUTE / 2) * MINUTE;
      if (tzOffset(timeZone, new Date(middle)) === change.offset) after = middle;
      else before = middle;
    }
    return { ...change, date: new Date(after) };
  });
}

/** The change's onset in the wall-clock time before it (RFC 5545 3.6.5), as a floating time. */
function onsetOf(change: TZChange): Date {
  return new Date(change.date.getTime() + (change.offset - change.change) * MINUTE);
}

/** "The nth (or last) weekday of the month" for a floating onset. */
function ruleOf(onset: Date): YearlyRule {
  const day = onset.getUTCDate();
  const daysInMonth = new Date(Date.UTC(onset.getUTCFullYear(), onset.getUTCMonth() + 1, 0)).getUTCDate();
  return {
    month: onset.getUTCMonth(),
    nth: day + 7 > daysInMonth ? -1 : Math.ceil(day / 7),
    weekday: onset.getUTCDay(),
    minuteOfDay: onset.getUTCHours() * 60 + onset.getUTCMinutes(),
  };
}

/** The rule's onset in `year`, as a floating time. */
function onsetIn(rule: YearlyRule, year: number): Date {
  const firstOfMonth = Date.UTC(year, rule.month, 1);
  const firstWeekday = new Date(firstOfMonth).getUTCDay();
  const firstMatch = 1 + ((rule.weekday - firstWeekday + 7) % 7);
  const daysInMonth = new Date(Date.UTC(year, rule.month + 1, 0)).getUTCDate();
  const day =
    rule.nth > 0
      ? firstMatch + (rule.nth - 1) * 7
      : firstMatch + Math.floor((daysInMonth - firstMatch) / 7) * 7;
  return new Date(firstOfMonth + (day - 1) * DAY + rule.minuteOfDay * MINUTE);
}

/** Whether the reference year's two changes, as yearly rules, match the database for years ahead. */
function rulesHold(timeZone: string, changes: ReadonlyArray<TZChange>, referenceYear: number): boolean {
  const expected = (year: number): string[] =>
    changes.map((change) => `${onsetIn(ruleOf(onsetOf(change)), year).toISOString()} ${change.offset}`);
  const actual = (year: number): string[] =>
    transitions(timeZone, year, year + 1).map(
      (change) => `${onsetOf(change).toISOString()} ${change.offset}`,
    );
  for (let year = referenceYear + 1; year <= referenceYear + CHECKED_YEARS; year += 1) {
    if (expected(year).join() !== actual(year).join()) return false;
  }
  return true;
}

function observance(
  kind: 'DAYLIGHT' | 'STANDARD',
  fromMinutes: number,
  toMinutes: number,
  onset: Date,
  rule: string | null,
): string[] {
  return [
    `BEGIN:${kind}`,
    `TZOFFSETFROM:${formatOffset(fromMinutes)}`,
    `TZOFFSETTO:${formatOffset(toMinutes)}`,
    `DTSTART:${formatFloating(onset)}`,
    ...(rule ? [rule] : []),
    `END:${kind}`,
  ];
}

/** `+0530`, `-0400`. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  return `${sign}${hours}${String(absolute % 60).padStart(2, '0')}`;
}

/** A floating time (wall clock read as UTC) as `YYYYMMDDTHHMMSS`. */
export function formatFloating(floating: Date): string {
  return floating.toISOString().slice(0, 19).replace(/[-:]/g, '');
}
