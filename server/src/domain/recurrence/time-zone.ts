import { tzOffset } from '@date-fns/tz';

/*
 * Local wall-clock times and instants (DESIGN.md "Time"). Offsets come from `@date-fns/tz`, which reads
 * the runtime's IANA database through `Intl`, so nothing here depends on the process's `TZ`.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * A local `YYYY-MM-DDTHH:mm` read as if it were UTC: the "floating" time the recurrence rules count in.
 * Throws on a malformed value (the protocol's schemas have already refused those).
 */
export function floatingFromLocal(local: string): Date {
  const match = LOCAL_DATE_TIME.exec(local);
  if (!match) throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:mm): ${local}`);
  const [, year, month, day, hour, minute] = match.map(Number) as [number, ...number[]];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!));
}

/** The floating time (local wall-clock read as UTC) as local `YYYY-MM-DDTHH:mm`. */
export function localFromFloating(floating: Date): string {
  return floating.toISOString().slice(0, 16);
}

/** The zone's UTC offset at `instant`, in minutes (Berlin in summer: 120). */
export function offsetMinutes(timeZone: string, instant: Date): number {
  return tzOffset(timeZone, instant);
}

/**
 * The local wall-clock time in `timeZone` as an instant, with DESIGN.md's DST policy: a time that does
 * not exist (spring forward) moves forward by the gap; a time that happens twice (fall back) is the first.
 */
export function localToInstant(local: string, timeZone: string): Date {
  return floatingToInstant(floatingFromLocal(local), timeZone);
}

/** The instant as local `YYYY-MM-DDTHH:mm` in `timeZone` (seconds dropped). */
export function instantToLocal(instant: Date, timeZone: string): string {
  return localFromFloating(instantToFloating(instant, timeZone));
}

/** The instant's wall-clock time in `timeZone`, as a floating time. */
export function instantToFloating(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + offsetMinutes(timeZone, instant) * MINUTE);
}

/** Whether the local time happens twice in `timeZone` (the hour repeated when clocks fall back). */
export function isRepeatedLocal(local: string, timeZone: string): boolean {
  return instantsOf(floatingFromLocal(local), timeZone).length > 1;
}

/** Every instant whose wall-clock time in `timeZone` is `floating`, earliest first (none in a gap). */
function instantsOf(floating: Date, timeZone: string): number[] {
  const wallClock = floating.getTime();
  // The offsets in force a day either side cover every transition near this wall-clock time (zones do
  // not change their offset twice within two days).
  const offsets = new Set(
    [wallClock - DAY, wallClock + DAY].map((at) => offsetMinutes(timeZone, new Date(at))),
  );
  return [...offsets]
    .map((offset) => wallClock - offset * MINUTE)
    .filter((instant) => instantToFloating(new Date(instant), timeZone).getTime() === wallClock)
    .sort((a, b) => a - b);
}

/** {@link localToInstant} for a floating time. */
export function floatingToInstant(floating: Date, timeZone: string): Date {
  const wallClock = floating.getTime();
  // Twice (fall back): the first. Never (spring forward): read it with the offset before the gap, which
  // lands the same distance past the gap's end, i.e. moves it forward by the gap.
  const first = instantsOf(floating, timeZone)[0];
  return new Date(first ?? wallClock - offsetMinutes(timeZone, new Date(wallClock - DAY)) * MINUTE);
}
