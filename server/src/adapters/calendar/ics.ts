import { TZDate } from '@date-fns/tz';
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
import type { SeriesTiming } from '../../domain/recurrence/index.ts';
import { formatFloating, vtimezone } from './vtimezone.ts';

/*
 * iCalendar (RFC 5545 / iTIP RFC 5546) for invitations and the subscribable feed. Events keep the
 * series' own zone: DTSTART;TZID=<IANA zone> with a VTIMEZONE, and an RRULE counted in that zone's wall
 * clock, so calendar apps keep 09:00 at 09:00 across DST exactly as `expandOccurrences` does. (A UTC
 * DTSTART would make every app repeat the UTC time and drift by an hour at each DST change.) Cancelled
 * occurrences are EXDATEs, moved ones extra VEVENTs with the same UID and a RECURRENCE-ID.
 */

const MINUTE = 60_000;
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
    calendar.createEvent({
      ...eventBasics(input, stamp),
      ...people,
      ...singleTimes(input.series.timeZone, occurrence),
      status: ICalEventStatus.CANCELLED,
    });
    return calendar.toString();
  }
  const cancelled = input.method === 'CANCEL' || input.status === 'cancelled';
  const fix = addSeries(calendar, input, stamp, cancelled, people);
  return withRuleStarts(calendar.toString(), fix ? [fix] : []);
}

/** A subscribable calendar (METHOD:PUBLISH, X-WR-CALNAME) of the given sessions. */
export function calendarFeed(input: CalendarFeedInput): string {
  const calendar = newCalendar(
    ICalCalendarMethod.PUBLISH,
    input.events.map((event) => event.series),
  );
  calendar.name(input.name);
  const stamp = input.stamp ?? new Date();
  const fixes = input.events.flatMap(
    (event) => addSeries(calendar, event, stamp, event.cancelled ?? false, {}) ?? [],
  );
  return withRuleStarts(calendar.toString(), fixes);
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
 * A main VEVENT's DTSTART as the rule's local time where that time does not exist. ical-generator writes
 * instants, so a series whose first occurrence falls in a spring-forward gap (02:30 on the day clocks go
 * from 02:00 to 03:00) would get DTSTART 03:30 and every later occurrence at 03:30 too. RFC 5545 reads
 * a DTSTART in the gap as the hub does (moved forward by the gap), so the rule's 02:30 goes in instead.
 */
interface RuleStartFix {
  uid: string;
  written: string;
  wanted: string;
}

function withRuleStarts(ics: string, fixes: ReadonlyArray<RuleStartFix>): string {
  let fixed = ics;
  for (const { uid, written, wanted } of fixes) {
    // The main VEVENT is the first with this UID (moved occurrences follow it).
    const eventAt = fixed.indexOf(`BEGIN:VEVENT\r\nUID:${uid}\r\n`);
    const lineAt = fixed.indexOf(`\r\n${written}\r\n`, eventAt);
    if (eventAt < 0 || lineAt < 0) continue;
    fixed = fixed.slice(0, lineAt + 2) + wanted + fixed.slice(lineAt + 2 + written.length);
  }
  return fixed;
}

/**
 * The series' main VEVENT (RRULE, EXDATE) and one VEVENT per moved occurrence; returns the DTSTART to
 * rewrite when the first occurrence's local time does not exist.
 */
function addSeries(
  calendar: ICalCalendar,
  event: CalendarEventInput,
  stamp: Date,
  cancelled: boolean,
  people: Pick<ICalEventData, 'organizer' | 'attendees'>,
): RuleStartFix | undefined {
  const { series } = event;
  const timeZone = series.timeZone;
  const status = cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED;
  const zoned = (instant: Date): TZDate => new TZDate(instant.getTime(), timeZone);

  if (!series.recurrence) {
    const startsAt = localToInstant(series.start, timeZone);
    const occurrence = findOccurrence(series, startsAt) ?? {
      startsAt,
      endsAt: new Date(startsAt.getTime() + series.durationMinutes * MINUTE),
      cancelled: false,
    };
    calendar.createEvent({
      ...eventBasics(event, stamp),
      ...people,
      ...singleTimes(timeZone, { startsAt: occurrence.startsAt, endsAt: occurrence.endsAt }),
      status: cancelled || occurrence.cancelled ? ICalEventStatus.CANCELLED : status,
    });
    return undefined;
  }

  // DTSTART is the first occurrence the rule makes (RFC 5545 counts DTSTART as one even when it does not
  // match BYDAY; rrule.js does not), so COUNT means the same to both.
  const firstLocal = originalLocalStarts(series, 1)[0] ?? series.start;
  const firstStart = localToInstant(firstLocal, timeZone);
  const exdates: string[] = [];
  const moved: Array<{ occurrenceStart: Date; startsAt: Date; endsAt: Date }> = [];
  for (const exception of series.exceptions) {
    const occurrence = findOccurrence(series, exception.occurrenceStart);
    if (!occurrence) continue;
    if (occurrence.cancelled) exdates.push(icsLocal(instantToLocal(occurrence.occurrenceStart, timeZone)));
    else if (occurrence.moved) moved.push(occurrence);
  }
  calendar.createEvent({
    ...eventBasics(event, stamp),
    ...people,
    timezone: timeZone,
    start: zoned(firstStart),
    status,
    // ical-generator writes these lines as given. DURATION rather than DTEND: every occurrence lasts
    // exactly that long, also one that spans a DST change or starts in a gap, where a local DTEND
    // minus DTSTART would not be the session's length.
    repeating: [
      rruleLine(series),
      ...(exdates.length > 0 ? [`EXDATE;TZID=${timeZone}:${exdates.join(',')}`] : []),
      `DURATION:${icsDuration(series.durationMinutes)}`,
    ].join('\r\n'),
  });
  for (const occurrence of moved) {
    calendar.createEvent({
      ...eventBasics(event, stamp),
      ...people,
      ...singleTimes(timeZone, occurrence),
      status,
    });
  }
  const writtenLocal = instantToLocal(firstStart, timeZone);
  if (writtenLocal === firstLocal) return undefined;
  return {
    uid: event.uid,
    written: `DTSTART;TZID=${timeZone}:${icsLocal(writtenLocal)}`,
    wanted: `DTSTART;TZID=${timeZone}:${icsLocal(firstLocal)}`,
  };
}

/**
 * DTSTART, DTEND (and RECURRENCE-ID) of a single event: a one-off, a moved occurrence, a cancelled one.
 * In the series' zone, except when one of the times happens twice there (the hour repeated when clocks
 * fall back): RFC 5545 means the first, but parsers differ (ical.js takes the second), and a UTC time
 * is read the same everywhere. A single event needs no zone to repeat in, so nothing is lost.
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
