import rrulePackage from 'rrule';
import type { Weekday as RRuleWeekday } from 'rrule';
import { MAX_OCCURRENCES } from '@teacher-hub/protocol';
import type { Recurrence, Weekday } from '@teacher-hub/protocol';
import { floatingFromLocal, floatingToInstant, instantToFloating, localFromFloating } from './time-zone.ts';

// rrule ships CommonJS without named ESM exports.
const { RRule } = rrulePackage;

/*
 * Series expansion (DESIGN.md "Time"; README.md here). The rule is expanded in floating time — local
 * wall-clock values read as UTC, with no `tzid` — and each local time becomes an instant through the
 * series' IANA zone, so 09:00 stays 09:00 across DST whatever the process's `TZ` is.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Floating and real time differ by the zone's offset, never more than this (UTC−12 … UTC+14). */
const OFFSET_SLACK = 2 * DAY;
/** rrule counts up to year 9999; an open-ended search stops there (or when its callback says so). */
const LAST_DAY = new Date(Date.UTC(9999, 11, 31));

/** A series' timing as stored. `start` is local `YYYY-MM-DDTHH:mm` in `timeZone`. */
export interface SeriesTiming {
  start: string;
  timeZone: string;
  durationMinutes: number;
  /** `null`: a one-off session (one occurrence). */
  recurrence: Recurrence | null;
  exceptions: ReadonlyArray<SeriesException>;
}

/** A moved, resized or cancelled occurrence. */
export interface SeriesException {
  /** The original (unmoved) start instant: the occurrence's name. */
  occurrenceStart: Date;
  cancelled: boolean;
  /** Moved to: local `YYYY-MM-DDTHH:mm` in the series' time zone. */
  start?: string;
  durationMinutes?: number;
}

/** One occurrence of a series, as it stands after its exception (if any). */
export interface ExpandedOccurrence {
  /** The original start instant: names the occurrence (the ICS `RECURRENCE-ID`), also after a move. */
  occurrenceStart: Date;
  /** The actual start (moved or not). */
  startsAt: Date;
  endsAt: Date;
  cancelled: boolean;
  /** True when an exception gives this occurrence its own start or duration. */
  moved: boolean;
}

const RRULE_WEEKDAYS: Record<Weekday, RRuleWeekday> = {
  MO: RRule.MO,
  TU: RRule.TU,
  WE: RRule.WE,
  TH: RRule.TH,
  FR: RRule.FR,
  SA: RRule.SA,
  SU: RRule.SU,
};
const WEEKDAY_BY_UTC_DAY: readonly Weekday[] = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** The weekday of a local `YYYY-MM-DDTHH:mm` (or `YYYY-MM-DD`). */
export function weekdayOf(local: string): Weekday {
  const floating = floatingFromLocal(local.length === 10 ? `${local}T00:00` : local);
  return WEEKDAY_BY_UTC_DAY[floating.getUTCDay()]!;
}

/**
 * The weekdays a weekly series falls on (default: the start's weekday), in `MO…SU` order; `[]` for a
 * daily series. Shared with the ICS builder so both say the same `BYDAY`.
 */
export function seriesWeekdays(series: Pick<SeriesTiming, 'start' | 'recurrence'>): Weekday[] {
  const recurrence = series.recurrence;
  if (!recurrence || recurrence.freq !== 'weekly') return [];
  const days = new Set(recurrence.byWeekday ?? [weekdayOf(series.start)]);
  return Object.keys(RRULE_WEEKDAYS).filter((day): day is Weekday => days.has(day as Weekday));
}

/** The last floating instant of the inclusive local `until` day. */
export function floatingUntil(until: string): Date {
  return new Date(floatingFromLocal(`${until}T23:59`).getTime() + 59_999);
}

/**
 * The series' rule in floating time; `null` for a one-off. With `from`, a rule without `count` starts
 * a whole number of periods later, still before `from`: the same occurrences from there on, without
 * rrule walking every day since a long-running series began.
 */
function floatingRule(series: SeriesTiming, from?: Date): InstanceType<typeof RRule> | null {
  const recurrence = series.recurrence;
  if (!recurrence) return null;
  const weekdays = seriesWeekdays(series);
  const interval = recurrence.interval ?? 1;
  let start = floatingFromLocal(series.start);
  if (from && recurrence.count === undefined) {
    const period = interval * (recurrence.freq === 'weekly' ? 7 : 1) * DAY;
    // One period short, so a first week cut short by the later start ends before `from`.
    const periods = Math.floor((from.getTime() - start.getTime()) / period) - 1;
    if (periods > 0) start = new Date(start.getTime() + periods * period);
  }
  return new RRule({
    freq: recurrence.freq === 'weekly' ? RRule.WEEKLY : RRule.DAILY,
    interval,
    dtstart: start,
    wkst: RRule.MO,
    ...(weekdays.length > 0 ? { byweekday: weekdays.map((day) => RRULE_WEEKDAYS[day]) } : {}),
    ...(recurrence.count !== undefined ? { count: recurrence.count } : {}),
    ...(recurrence.until !== undefined ? { until: floatingUntil(recurrence.until) } : {}),
  });
}

/** Original floating starts in [from, to] (floating), at most `cap` of them. */
function floatingStartsBetween(series: SeriesTiming, from: Date, to: Date, cap: number): Date[] {
  const rule = floatingRule(series, from);
  if (!rule) {
    const start = floatingFromLocal(series.start);
    return start >= from && start <= to ? [start] : [];
  }
  return rule.between(from, to, true, (_date, index) => index < cap);
}

/** Applies the series' exception (if any) to the original occurrence starting at `original`. */
function occurrenceAt(
  series: SeriesTiming,
  original: Date,
  exceptions: ReadonlyMap<number, SeriesException>,
): ExpandedOccurrence {
  const exception = exceptions.get(original.getTime());
  const startsAt =
    exception?.start !== undefined
      ? floatingToInstant(floatingFromLocal(exception.start), series.timeZone)
      : original;
  const durationMinutes = exception?.durationMinutes ?? series.durationMinutes;
  return {
    occurrenceStart: original,
    startsAt,
    endsAt: new Date(startsAt.getTime() + durationMinutes * MINUTE),
    cancelled: exception?.cancelled ?? false,
    moved:
      exception !== undefined && (exception.start !== undefined || exception.durationMinutes !== undefined),
  };
}

function exceptionsByStart(series: SeriesTiming): Map<number, SeriesException> {
  return new Map(series.exceptions.map((exception) => [exception.occurrenceStart.getTime(), exception]));
}

function byStart(a: ExpandedOccurrence, b: ExpandedOccurrence): number {
  return (
    a.startsAt.getTime() - b.startsAt.getTime() || a.occurrenceStart.getTime() - b.occurrenceStart.getTime()
  );
}

/** The occurrences that exceptions give a start or duration of their own (only real occurrences). */
function movedOccurrences(
  series: SeriesTiming,
  exceptions: ReadonlyMap<number, SeriesException>,
): ExpandedOccurrence[] {
  return series.exceptions
    .filter((exception) => exception.start !== undefined || exception.durationMinutes !== undefined)
    .filter((exception) => isOriginalStart(series, exception.occurrenceStart))
    .map((exception) => occurrenceAt(series, exception.occurrenceStart, exceptions));
}

/** Whether the series has an (original) occurrence starting at this instant. */
function isOriginalStart(series: SeriesTiming, instant: Date): boolean {
  const floating = instantToFloating(instant, series.timeZone).getTime();
  // A start moved forward by a spring-forward gap reads back later than its rule time: look a day back.
  return floatingStartsBetween(series, new Date(floating - DAY), new Date(floating + MINUTE), Infinity).some(
    (start) => floatingToInstant(start, series.timeZone).getTime() === instant.getTime(),
  );
}

/**
 * Occurrences whose [startsAt, endsAt) overlaps [from, to), in startsAt order, cancelled ones included
 * (flagged). A moved occurrence counts where it moved to. At most `limit` (default `MAX_OCCURRENCES`).
 */
export function expandOccurrences(
  series: SeriesTiming,
  range: { from: Date; to: Date },
  limit: number = MAX_OCCURRENCES,
): ExpandedOccurrence[] {
  if (range.to <= range.from || limit <= 0) return [];
  const exceptions = exceptionsByStart(series);
  const overlaps = (occurrence: ExpandedOccurrence): boolean =>
    occurrence.startsAt < range.to && occurrence.endsAt > range.from;
  const longest = Math.max(
    series.durationMinutes,
    ...series.exceptions.map((exception) => exception.durationMinutes ?? 0),
  );
  const originals = floatingStartsBetween(
    series,
    new Date(range.from.getTime() - OFFSET_SLACK - longest * MINUTE),
    new Date(range.to.getTime() + OFFSET_SLACK),
    limit + series.exceptions.length + 64,
  )
    .map((floating) => occurrenceAt(series, floatingToInstant(floating, series.timeZone), exceptions))
    .filter((occurrence) => !occurrence.moved && overlaps(occurrence));
  const moved = movedOccurrences(series, exceptions).filter(overlaps);
  return [...originals, ...moved].sort(byStart).slice(0, limit);
}

/** The occurrence named by its original start, or `undefined` when the series has none there. */
export function findOccurrence(series: SeriesTiming, occurrenceStart: Date): ExpandedOccurrence | undefined {
  if (!isOriginalStart(series, occurrenceStart)) return undefined;
  return occurrenceAt(series, new Date(occurrenceStart.getTime()), exceptionsByStart(series));
}

/** The first `count` occurrences (not cancelled) that start at or after `after`, in start order. */
export function upcomingOccurrences(series: SeriesTiming, after: Date, count: number): ExpandedOccurrence[] {
  if (count <= 0) return [];
  const exceptions = exceptionsByStart(series);
  const wanted = (occurrence: ExpandedOccurrence): boolean =>
    !occurrence.cancelled && occurrence.startsAt >= after;
  const unmoved: ExpandedOccurrence[] = [];
  const collect = (floating: Date): boolean => {
    const occurrence = occurrenceAt(series, floatingToInstant(floating, series.timeZone), exceptions);
    if (!occurrence.moved && wanted(occurrence)) unmoved.push(occurrence);
    return unmoved.length < count;
  };
  const from = new Date(after.getTime() - OFFSET_SLACK);
  const rule = floatingRule(series, from);
  if (rule) rule.between(from, LAST_DAY, true, collect);
  else collect(floatingFromLocal(series.start));
  // Moved occurrences may have moved past later ones, or from before `after` to after it.
  const moved = movedOccurrences(series, exceptions).filter(wanted);
  return [...unmoved, ...moved].sort(byStart).slice(0, count);
}

/** The series' original occurrence starts as local `YYYY-MM-DDTHH:mm`, at most `limit` of them. */
export function originalLocalStarts(series: SeriesTiming, limit: number = MAX_OCCURRENCES): string[] {
  const rule = floatingRule(series);
  const starts = rule ? rule.all((_date, index) => index < limit) : [floatingFromLocal(series.start)];
  return starts.map(localFromFloating);
}
