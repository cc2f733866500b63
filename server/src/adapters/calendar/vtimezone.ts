import { tzOffset, tzScan } from '@date-fns/tz';
import type { TZChange } from '@date-fns/tz';

/*
 * VTIMEZONE components, which ical-generator leaves to a generator. Calendar apps that know IANA names
 * (Google, Apple, Thunderbird) go by the TZID; Outlook and strict parsers (ical.js) convert with the
 * component itself, so it must state the zone's real rules. The zone's transitions in one year, read
 * from the runtime's IANA database through `@date-fns/tz`, become yearly rules ("the last Sunday of
 * March at 02:00"); a zone without DST gets a single fixed offset.
 */

const MINUTE = 60_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

/**
 * The VTIMEZONE for `timeZone`, with rules as they stand in `referenceYear` (the observances start that
 * year, so use one before the first event). `null` for UTC, which needs none.
 */
export function vtimezone(timeZone: string, referenceYear: number): string | null {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return null;
  const yearStart = new Date(Date.UTC(referenceYear, 0, 1));
  const changes = transitions(timeZone, yearStart, new Date(Date.UTC(referenceYear + 1, 0, 1)));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  if (changes.length === 2) {
    for (const change of changes) {
      const from = change.offset - change.change;
      // The onset is written in the wall-clock time before the change (RFC 5545 3.6.5).
      const onset = new Date(change.date.getTime() + from * MINUTE);
      lines.push(
        ...observance(
          change.change > 0 ? 'DAYLIGHT' : 'STANDARD',
          from,
          change.offset,
          onset,
          yearlyRule(onset),
        ),
      );
    }
  } else if (changes.length === 0) {
    const offset = tzOffset(timeZone, yearStart);
    lines.push(...observance('STANDARD', offset, offset, new Date(Date.UTC(1970, 0, 1)), null));
  } else {
    // Irregular year (a zone changing its rules): the transitions themselves, ten years on.
    const later = transitions(timeZone, yearStart, new Date(Date.UTC(referenceYear + 10, 0, 1)));
    const first = tzOffset(timeZone, yearStart);
    lines.push(...observance('STANDARD', first, first, new Date(Date.UTC(referenceYear, 0, 1)), null));
    for (const change of later) {
      const from = change.offset - change.change;
      const onset = new Date(change.date.getTime() + from * MINUTE);
      lines.push(
        ...observance(change.change > 0 ? 'DAYLIGHT' : 'STANDARD', from, change.offset, onset, null),
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/**
 * The zone's offset changes in [start, end), to the minute. `tzScan` reports them on the hour after
 * the change (Lord Howe's 02:00 → 02:30 at 15:30 UTC comes back as 16:00 UTC), so each is narrowed down.
 */
function transitions(timeZone: string, start: Date, end: Date): TZChange[] {
  return tzScan(timeZone, { start, end }).map((change) => {
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

/** "The nth (or last) weekday of the month" for a transition's local onset. */
function yearlyRule(onset: Date): string {
  const day = onset.getUTCDate();
  const daysInMonth = new Date(Date.UTC(onset.getUTCFullYear(), onset.getUTCMonth() + 1, 0)).getUTCDate();
  const nth = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
  return `RRULE:FREQ=YEARLY;BYMONTH=${onset.getUTCMonth() + 1};BYDAY=${nth}${WEEKDAYS[onset.getUTCDay()]}`;
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
