/** Series expansion in the series' IANA time zone, independent of the process's `TZ` (README.md). */
export {
  expandOccurrences,
  findOccurrence,
  floatingUntil,
  originalLocalStarts,
  seriesWeekdays,
  upcomingOccurrences,
  weekdayOf,
} from './recurrence.ts';
export type { ExpandedOccurrence, SeriesException, SeriesTiming } from './recurrence.ts';
export { instantToLocal, isRepeatedLocal, localToInstant } from './time-zone.ts';
