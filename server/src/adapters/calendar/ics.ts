import { TZDate, tzScan } from '@date-fns/tz';
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import type { ICalCalendar, ICalEventData } from 'ical-generator';
import {
  findOccurrence,
  instantToLocal,
  isRepeatedLocal,
  localToInstant,
  originalLocalStarts,
  seriesWeekdays,
} from '../../domain/recurrence/index.ts';
import type { ExpandedOccurrence, SeriesTiming } from '../../domain/recurrence/index.ts';
import { formatFloating, vtimezone } from './vtimezone.ts';

/*
 * iCalendar (RFC 5545 / iTIP RFC 5546) for invitations and the subscribable feed. Events keep the
 * series' own zone: DTSTART;TZID=<IANA zone> with a VTIMEZONE, and an RRULE counted in that zone's wall
 * clock, so calendar apps keep 09:00 at 09:00 across DST exactly as `expandOccurrences` does. (A UTC
 * DTSTART would make every app repeat the UTC time and drift by an hour at each DST change.) Cancelled
 * occurrences are EXDATEs, moved ones extra VEVENTs with the same UID and a RECURRENCE-ID.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PRODUCT = { company: 'Teacher Hub', product: 'Teacher Hub', language: 'EN' };

/** Someone on an invitation: the teacher (organizer) or an invited student. */
export interface CalendarPerson {
  name: string;
  email: string;
}

/** One session as an event: the whole series, with its exceptions. */
export interface CalendarEventInput {
  /** Stable per session (`<sessionId>@teacher-hub`): calendar apps update the event they hold. */
  uid: string;
  /** Increases with every change invitees' calendars must follow. */
  sequence: number;
  title: string;
  description: string;
  url?: string;
  series: SeriesTiming;
}

/** An email invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL). */
export interface SessionInvitationInput extends CalendarEventInput {
  method: 'REQUEST' | 'CANCEL';
  organizer: CalendarPerson;
  attendees: ReadonlyArray<CalendarPerson>;
  /** `cancelled` for a cancelled series (implied by a CANCEL without `occurrenceStart`). */
  status?: 'confirmed' | 'cancelled';
  /**
   * With METHOD:CANCEL: cancel only this occurrence (its original start). A REQUEST always carries the
   * whole series, moved occurrences included, which is how calendar apps take a reschedule.
   */
  occurrenceStart?: Date;
  /** DTSTAMP; default now. */
  stamp?: Date;
}

/** A subscribable feed (METHOD:PUBLISH): one user's sessions. */
export interface CalendarFeedInput {
  /** Shown by calendar apps as the calendar's name (X-WR-CALNAME). */
  name: string;
  events: ReadonlyArray<CalendarEventInput & { cancelled?: boolean }>;
  /** DTSTAMP; default now. */
  stamp?: Date;
}

/** An `.ics` invitation for email: METHOD:REQUEST, or METHOD:CANCEL for a series or one occurrence. */
export function sessionInvitation(input: SessionInvitationInput): string {
  const calendar = newCalendar(
    input.method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL,
    [input.series],
  );
  const people: Pick<ICalEventData, 'organizer' | 'attendees'> = {
    organizer: { name: input.organizer.name, email: input.organizer.email },
    attendees: input.attendees.map((attendee) => ({
      name: attendee.name,
      email: attendee.email,
      role: ICalAttendeeRole.REQ,
      rsvp: input.method === 'REQUEST',
      status: ICalAttendeeStatus.NEEDSACTION,
    })),
  };
  const stamp = input.stamp ?? new Date();
  // A one-off's only occurrence is the event itself: cancelling it cancels the event.
  if (input.method === 'CANCEL' && input.occurrenceStart && input.series.recurrence) {
    const occurrence = findOccurrence(input.series, input.occurrenceStart);
    if (!occurrence) throw new RangeError('the series has no occurrence at occurrenceStart');
    const fix = addOccurrence(
      calendar,
      { ...eventBasics(input, stamp), ...people, status: ICalEventStatus.CANCELLED },
      input.series.timeZone,
      occurrence,
      ruleLocals(input.series, dstEdgeStarts(input.series))(occurrence.occurrenceStart),
    );
    return applyLineFixes(calendar.toString(), fix ? [fix] : []);
  }
  const cancelled = input.method === 'CANCEL' || input.status === 'cancelled';
  const fixes = addSeries(calendar, input, stamp, cancelled, people);
  return applyLineFixes(calendar.toString(), fixes);
}

/** A subscribable calendar (METHOD:PUBLISH, X-WR-CALNAME) of the given sessions. */
export function calendarFeed(input: CalendarFeedInput): string {
  const calendar = newCalendar(
    ICalCalendarMethod.PUBLISH,
    input.events.map((event) => event.series),
  );
  calendar.name(input.name);
  const stamp = input.stamp ?? new Date();
  const fixes = input.events.flatMap((event) =>
    addSeries(calendar, event, stamp, event.cancelled ?? false, {}),
  );
  return applyLineFixes(calendar.toString(), fixes);
}

function newCalendar(method: ICalCalendarMethod, series: ReadonlyArray<SeriesTiming>): ICalCalendar {
  // Each zone's rules as of the year before its earliest series starts (vtimezone.ts).
  const referenceYears = new Map<string, number>();
  for (const { start, timeZone } of series) {
    const year = Number(start.slice(0, 4)) - 1;
    referenceYears.set(timeZone, Math.min(year, referenceYears.get(timeZone) ?? year));
  }
  return ical({
    prodId: PRODUCT,
    method,
    timezone: {
      name: null,
      generator: (timeZone) =>
        vtimezone(timeZone, referenceYears.get(timeZone) ?? new Date().getUTCFullYear()),
    },
  });
}

function eventBasics(event: CalendarEventInput, stamp: Date) {
  return {
    id: event.uid,
    sequence: event.sequence,
    stamp,
    summary: event.title,
    description: event.description,
    ...(event.url !== undefined ? { url: event.url } : {}),
  };
}

/**
 * A line ical-generator wrote that must read otherwise, in the VEVENTs of one UID. It writes instants,
 * and an instant's local time is not always the rule's: where the rule's time does not exist (02:30 on
 * the spring-forward day is really 03:30), DTSTART, EXDATE and RECURRENCE-ID must still say 02:30, or
 * calendar apps would repeat 03:30 or fail to match the occurrence.
 */
interface LineFix {
  uid: string;
  written: string;
  wanted: string;
}

function applyLineFixes(ics: string, fixes: ReadonlyArray<LineFix>): string {
  let fixed = ics;
  for (const { uid, written, wanted } of fixes) {
    // The main VEVENT is the first with this UID; the occurrences' VEVENTs follow it.
    const eventAt = fixed.indexOf(`BEGIN:VEVENT\r\nUID:${uid}\r\n`);
    const lineAt = fixed.indexOf(`\r\n${written}\r\n`, eventAt);
    if (eventAt < 0 || lineAt < 0) continue;
    fixed = fixed.slice(0, lineAt + 2) + wanted + fixed.slice(lineAt + 2 + written.length);
  }
  return fixed;
}

/**
 * The series' original local starts (the first `MAX_OCCURRENCES`) that calendar apps may read
 * differently: the time does not exist that day, or happens twice. Only days next to one of the zone's
 * offset changes are checked, so a long series costs little.
 */
function dstEdgeStarts(series: SeriesTiming): string[] {
  const locals = originalLocalStarts(series);
  const timeZone = series.timeZone;
  const first = locals[0];
  const last = locals.at(-1);
  if (first === undefined || last === undefined) return [];
  // Local times read as UTC are within a day of their instants; two days either side cover them.
  const changes = tzScan(timeZone, {
    start: new Date(Date.parse(`${first}Z`) - 2 * DAY),
    end: new Date(Date.parse(`${last}Z`) + 2 * DAY),
  });
  const days = new Set(
    changes.flatMap((change) =>
      [-DAY, 0, DAY].map((shift) =>
        instantToLocal(new Date(change.date.getTime() + shift), timeZone).slice(0, 10),
      ),
    ),
  );
  return locals.filter(
    (local) =>
      days.has(local.slice(0, 10)) &&
      (isRepeatedLocal(local, timeZone) ||
        instantToLocal(localToInstant(local, timeZone), timeZone) !== local),
  );
}

/** An original occurrence's local time in the rule, by its instant (they differ in a DST gap). */
function ruleLocals(series: SeriesTiming, edgeStarts: ReadonlyArray<string>): (instant: Date) => string {
  const byInstant = new Map(
    edgeStarts.map((local) => [localToInstant(local, series.timeZone).getTime(), local]),
  );
  return (instant) => byInstant.get(instant.getTime()) ?? instantToLocal(instant, series.timeZone);
}

/**
 * A VEVENT for one occurrence (moved, cancelled, or pinned at a DST edge) with a RECURRENCE-ID in the
 * rule's local time, which every app matches to the occurrence its own expansion makes there.
 */
function addOccurrence(
  calendar: ICalCalendar,
  event: Omit<ICalEventData, 'timezone' | 'start' | 'end' | 'recurrenceId'> & { id: string },
  timeZone: string,
  occurrence: { occurrenceStart: Date; startsAt: Date; endsAt: Date },
  ruleLocal: string,
): LineFix | undefined {
  const times = singleTimes(timeZone, occurrence);
  calendar.createEvent({ ...event, ...times });
  const written =
    times.timezone === null
      ? `RECURRENCE-ID:${formatFloating(occurrence.occurrenceStart)}Z`
      : `RECURRENCE-ID;TZID=${timeZone}:${icsLocal(instantToLocal(occurrence.occurrenceStart, timeZone))}`;
  const wanted = `RECURRENCE-ID;TZID=${timeZone}:${icsLocal(ruleLocal)}`;
  return written === wanted ? undefined : { uid: event.id, written, wanted };
}

/**
 * The series' main VEVENT (RRULE, EXDATE, DURATION) and one VEVENT per moved occurrence and per
 * occurrence at a DST edge; returns the lines to rewrite afterwards.
 */
function addSeries(
  calendar: ICalCalendar,
  event: CalendarEventInput,
  stamp: Date,
  cancelled: boolean,
  people: Pick<ICalEventData, 'organizer' | 'attendees'>,
): LineFix[] {
  const { series } = event;
  const timeZone = series.timeZone;
  const status = cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED;
  const basics = { ...eventBasics(event, stamp), ...people, status };

  if (!series.recurrence) {
    const startsAt = localToInstant(series.start, timeZone);
    const occurrence = findOccurrence(series, startsAt) ?? {
      startsAt,
      endsAt: new Date(startsAt.getTime() + series.durationMinutes * MINUTE),
      cancelled: false,
    };
    calendar.createEvent({
      ...basics,
      ...singleTimes(timeZone, { startsAt: occurrence.startsAt, endsAt: occurrence.endsAt }),
      status: cancelled || occurrence.cancelled ? ICalEventStatus.CANCELLED : status,
    });
    return [];
  }

  const edgeStarts = dstEdgeStarts(series);
  const ruleLocalOf = ruleLocals(series, edgeStarts);
  // DTSTART is the first occurrence the rule makes (RFC 5545 counts DTSTART as one even when it does not
  // match BYDAY; rrule.js does not), so COUNT means the same to both.
  const firstLocal = originalLocalStarts(series, 1)[0] ?? series.start;
  const firstStart = localToInstant(firstLocal, timeZone);
  const exdates: string[] = [];
  const ownEvents = new Map<number, ExpandedOccurrence>();
  for (const exception of series.exceptions) {
    const occurrence = findOccurrence(series, exception.occurrenceStart);
    if (occurrence?.cancelled) exdates.push(icsLocal(ruleLocalOf(occurrence.occurrenceStart)));
    else if (occurrence?.moved) ownEvents.set(occurrence.occurrenceStart.getTime(), occurrence);
  }
  // Where the rule's time does not exist or happens twice, apps differ (RFC 5545 agrees with the hub;
  // ical.js does not), so those occurrences get a VEVENT of their own that pins the hub's instant.
  for (const local of edgeStarts) {
    const occurrence = findOccurrence(series, localToInstant(local, timeZone));
    if (occurrence && !occurrence.cancelled && !ownEvents.has(occurrence.occurrenceStart.getTime())) {
      ownEvents.set(occurrence.occurrenceStart.getTime(), occurrence);
    }
  }
  calendar.createEvent({
    ...basics,
    timezone: timeZone,
    start: new TZDate(firstStart.getTime(), timeZone),
    // ical-generator writes these lines as given. DURATION rather than DTEND: every occurrence lasts
    // exactly that long, also one that spans a DST change or starts in a gap, where a local DTEND
    // minus DTSTART would not be the session's length.
    repeating: [
      rruleLine(series),
      ...(exdates.length > 0 ? [`EXDATE;TZID=${timeZone}:${exdates.join(',')}`] : []),
      `DURATION:${icsDuration(series.durationMinutes)}`,
    ].join('\r\n'),
  });
  const fixes: LineFix[] = [];
  const writtenStart = instantToLocal(firstStart, timeZone);
  if (writtenStart !== firstLocal) {
    fixes.push({
      uid: event.uid,
      written: `DTSTART;TZID=${timeZone}:${icsLocal(writtenStart)}`,
      wanted: `DTSTART;TZID=${timeZone}:${icsLocal(firstLocal)}`,
    });
  }
  const inOrder = [...ownEvents.values()].sort(
    (a, b) => a.occurrenceStart.getTime() - b.occurrenceStart.getTime(),
  );
  for (const occurrence of inOrder) {
    const fix = addOccurrence(
      calendar,
      basics,
      timeZone,
      occurrence,
      ruleLocalOf(occurrence.occurrenceStart),
    );
    if (fix) fixes.push(fix);
  }
  return fixes;
}

/**
 * DTSTART and DTEND of a single event: a one-off or one occurrence. In the series' zone, except when a
 * time happens twice there (the hour repeated when clocks fall back): RFC 5545 means the first, but
 * parsers differ (ical.js takes the second), and a UTC time is read the same everywhere. A single event
 * needs no zone to repeat in, so nothing is lost.
 */
function singleTimes(
  timeZone: string,
  occurrence: { startsAt: Date; endsAt: Date; occurrenceStart?: Date },
): Pick<ICalEventData, 'timezone' | 'start' | 'end' | 'recurrenceId'> {
  const instants = [occurrence.startsAt, occurrence.endsAt, occurrence.occurrenceStart];
  const repeated = instants.some(
    (instant) => instant && isRepeatedLocal(instantToLocal(instant, timeZone), timeZone),
  );
  const zoned = (instant: Date): TZDate => new TZDate(instant.getTime(), timeZone);
  return {
    timezone: repeated ? null : timeZone,
    start: zoned(occurrence.startsAt),
    end: zoned(occurrence.endsAt),
    ...(occurrence.occurrenceStart ? { recurrenceId: zoned(occurrence.occurrenceStart) } : {}),
  };
}

/** `RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=MO;UNTIL=20270331T215959Z`. */
function rruleLine(series: SeriesTiming): string {
  const recurrence = series.recurrence!;
  const parts = [`FREQ=${recurrence.freq === 'weekly' ? 'WEEKLY' : 'DAILY'}`];
  parts.push(`INTERVAL=${recurrence.interval ?? 1}`);
  const weekdays = seriesWeekdays(series);
  if (weekdays.length > 0) parts.push(`BYDAY=${weekdays.join(',')}`, 'WKST=MO');
  if (recurrence.count !== undefined) parts.push(`COUNT=${recurrence.count}`);
  if (recurrence.until !== undefined) {
    // With a TZID on DTSTART, UNTIL must be UTC (RFC 5545 3.3.10): the end of the local `until` day.
    const endOfDay = new Date(
      localToInstant(`${recurrence.until}T23:59`, series.timeZone).getTime() + 59_000,
    );
    parts.push(`UNTIL=${formatFloating(endOfDay)}Z`);
  }
  return `RRULE:${parts.join(';')}`;
}

/** 90 → `PT1H30M`. */
function icsDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return `PT${hours > 0 ? `${hours}H` : ''}${minutes % 60 > 0 || hours === 0 ? `${minutes % 60}M` : ''}`;
}

/** `2027-03-29T09:00` → `20270329T090000`. */
function icsLocal(local: string): string {
  return `${local.replace(/[-:]/g, '')}00`;
}
