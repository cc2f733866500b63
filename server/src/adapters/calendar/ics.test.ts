import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ICAL from 'ical.js';
import { expandOccurrences } from '../../domain/recurrence/index.ts';
import type { SeriesTiming } from '../../domain/recurrence/index.ts';
import { calendarFeed, sessionInvitation } from './ics.ts';
import type { SessionInvitationInput } from './ics.ts';

/*
 * The output is read back with ical.js, an independent parser that converts with the VTIMEZONE in the
 * file (it has no zone database of its own), and its expansion of RRULE, EXDATE and RECURRENCE-ID is
 * compared with the hub's own `expandOccurrences`.
 */

type Component = InstanceType<typeof ICAL.Component>;

const ADA = { name: 'Ada Lovelace', email: 'ada@school.example' };
const STUDENTS = [
  { name: 'Sam One', email: 's01@school.example' },
  { name: 'Kim Two', email: 's02@school.example' },
];
const STAMP = new Date('2027-02-01T12:00:00Z');

/** Weekly on Mondays and Wednesdays, 09:00 Berlin, across the spring-forward of 28 March 2027. */
const ALGEBRA: SeriesTiming = {
  start: '2027-03-15T09:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 60,
  recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], until: '2027-04-14' },
  exceptions: [
    // Wednesday 24 March is cancelled; Monday 29 March moves to Tuesday 30 March, 15:00, for 90 minutes.
    { occurrenceStart: new Date('2027-03-24T08:00:00Z'), cancelled: true },
    {
      occurrenceStart: new Date('2027-03-29T07:00:00Z'),
      cancelled: false,
      start: '2027-03-30T15:00',
      durationMinutes: 90,
    },
  ],
};

function invitation(overrides: Partial<SessionInvitationInput> = {}): SessionInvitationInput {
  return {
    method: 'REQUEST',
    uid: 'ses_algebra@teacher-hub',
    sequence: 3,
    organizer: ADA,
    attendees: STUDENTS,
    title: 'Algebra review',
    description: 'Chapter 4, bring your notes',
    url: 'https://hub.school.example/sessions/ses_algebra',
    series: ALGEBRA,
    stamp: STAMP,
    ...overrides,
  };
}

function parse(ics: string): { calendar: Component; events: Component[] } {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return { calendar, events: calendar.getAllSubcomponents('vevent') };
}

/** The occurrences a calendar app shows for the event with this UID: [start, end) as ISO instants. */
function expandWithIcalJs(ics: string, limit = 200): Array<[string, string]> {
  const { events } = parse(ics);
  const master = events.find((event) => !event.hasProperty('recurrence-id'));
  assert.ok(master, 'a main VEVENT');
  const exceptions = events.filter((event) => event.hasProperty('recurrence-id'));
  const event = new ICAL.Event(master, { exceptions });
  if (!event.isRecurring())
    return [[event.startDate.toJSDate().toISOString(), event.endDate.toJSDate().toISOString()]];
  const iterator = event.iterator();
  const occurrences: Array<[string, string]> = [];
  for (let next = iterator.next(); next && occurrences.length < limit; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    occurrences.push([details.startDate.toJSDate().toISOString(), details.endDate.toJSDate().toISOString()]);
  }
  return occurrences.sort(([a], [b]) => a.localeCompare(b));
}

function expandWithHub(series: SeriesTiming): Array<[string, string]> {
  return expandOccurrences(series, {
    from: new Date('2020-01-01T00:00:00Z'),
    to: new Date('2040-01-01T00:00:00Z'),
  })
    .filter((occurrence) => !occurrence.cancelled)
    .map((occurrence) => [occurrence.startsAt.toISOString(), occurrence.endsAt.toISOString()]);
}

function text(component: Component, name: string): string {
  return String(component.getFirstPropertyValue(name));
}

describe('sessionInvitation (METHOD:REQUEST)', () => {
  const ics = sessionInvitation(invitation());
  const { calendar, events } = parse(ics);
  const master = events.find((event) => !event.hasProperty('recurrence-id'))!;

  it('is a REQUEST for one event with a stable UID and the given SEQUENCE', () => {
    assert.equal(text(calendar, 'method'), 'REQUEST');
    assert.equal(events.length, 2, 'the series and its moved occurrence');
    for (const event of events) {
      assert.equal(text(event, 'uid'), 'ses_algebra@teacher-hub');
      assert.equal(event.getFirstPropertyValue('sequence'), 3);
    }
    assert.equal(text(master, 'summary'), 'Algebra review');
    assert.equal(text(master, 'description'), 'Chapter 4, bring your notes');
    assert.equal(text(master, 'url'), 'https://hub.school.example/sessions/ses_algebra');
    assert.equal(text(master, 'status'), 'CONFIRMED');
  });

  it('names the organizer and every invitee, asking them to reply', () => {
    const organizer = master.getFirstProperty('organizer')!;
    assert.equal(organizer.getFirstValue(), 'mailto:ada@school.example');
    assert.equal(organizer.getParameter('cn'), 'Ada Lovelace');
    const attendees = master.getAllProperties('attendee');
    assert.deepEqual(
      attendees.map((attendee) => [
        String(attendee.getFirstValue()).toLowerCase(),
        attendee.getParameter('cn'),
        attendee.getParameter('rsvp'),
        attendee.getParameter('partstat'),
      ]),
      [
        ['mailto:s01@school.example', 'Sam One', 'TRUE', 'NEEDS-ACTION'],
        ['mailto:s02@school.example', 'Kim Two', 'TRUE', 'NEEDS-ACTION'],
      ],
    );
  });

  it('starts at 09:00 in the series’ zone, with the VTIMEZONE that zone needs', () => {
    const dtstart = master.getFirstProperty('dtstart')!;
    assert.equal(dtstart.getParameter('tzid'), 'Europe/Berlin');
    assert.equal(String(dtstart.getFirstValue()), '2027-03-15T09:00:00');
    assert.deepEqual(
      calendar.getAllSubcomponents('vtimezone').map((zone) => zone.getFirstPropertyValue('tzid')),
      ['Europe/Berlin'],
    );
    assert.equal(String(master.getFirstPropertyValue('duration')), 'PT1H');
    assert.equal(master.hasProperty('dtend'), false, 'DURATION, exact for every occurrence');
    const event = new ICAL.Event(master);
    assert.equal(event.startDate.toJSDate().toISOString(), '2027-03-15T08:00:00.000Z');
    assert.equal(event.endDate.toJSDate().toISOString(), '2027-03-15T09:00:00.000Z');
  });

  it('repeats weekly on MO and WE until the end of the local `until` day, given in UTC', () => {
    assert.match(ics, /^RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;WKST=MO;UNTIL=20270414T215959Z\r$/m);
    const rule = master.getFirstPropertyValue('rrule') as InstanceType<typeof ICAL.Recur>;
    assert.equal(rule.freq, 'WEEKLY');
    assert.equal(rule.until?.toJSDate().toISOString(), '2027-04-14T21:59:59.000Z');
  });

  it('expands, in an independent parser, to exactly the hub’s occurrences: 09:00 across DST, the cancelled one gone, the moved one moved', () => {
    const parsed = expandWithIcalJs(ics);
    assert.deepEqual(parsed, expandWithHub(ALGEBRA));
    assert.deepEqual(parsed, [
      ['2027-03-15T08:00:00.000Z', '2027-03-15T09:00:00.000Z'],
      ['2027-03-17T08:00:00.000Z', '2027-03-17T09:00:00.000Z'],
      ['2027-03-22T08:00:00.000Z', '2027-03-22T09:00:00.000Z'],
      // 24 March: cancelled (EXDATE).
      ['2027-03-30T13:00:00.000Z', '2027-03-30T14:30:00.000Z'], // 29 March, moved (RECURRENCE-ID)
      ['2027-03-31T07:00:00.000Z', '2027-03-31T08:00:00.000Z'], // summer time: still 09:00 local
      ['2027-04-05T07:00:00.000Z', '2027-04-05T08:00:00.000Z'],
      ['2027-04-07T07:00:00.000Z', '2027-04-07T08:00:00.000Z'],
      ['2027-04-12T07:00:00.000Z', '2027-04-12T08:00:00.000Z'],
      ['2027-04-14T07:00:00.000Z', '2027-04-14T08:00:00.000Z'],
    ]);
  });

  it('marks the cancelled occurrence with an EXDATE and the moved one with a RECURRENCE-ID, both in local time', () => {
    const exdate = master.getFirstProperty('exdate')!;
    assert.equal(exdate.getParameter('tzid'), 'Europe/Berlin');
    assert.equal(String(exdate.getFirstValue()), '2027-03-24T09:00:00');
    const moved = events.find((event) => event.hasProperty('recurrence-id'))!;
    const recurrenceId = moved.getFirstProperty('recurrence-id')!;
    assert.equal(recurrenceId.getParameter('tzid'), 'Europe/Berlin');
    assert.equal(String(recurrenceId.getFirstValue()), '2027-03-29T09:00:00');
    assert.equal(String(moved.getFirstPropertyValue('dtstart')), '2027-03-30T15:00:00');
  });

  it('agrees with the hub across DST in other zones, daily and every second week, with count', () => {
    const zones: SeriesTiming[] = [
      {
        start: '2026-10-28T09:00',
        timeZone: 'America/New_York',
        durationMinutes: 45,
        recurrence: { freq: 'daily', count: 10 },
        exceptions: [],
      },
      {
        start: '2027-03-10T09:00',
        timeZone: 'America/New_York',
        durationMinutes: 45,
        recurrence: { freq: 'daily', count: 10 },
        exceptions: [],
      },
      {
        start: '2026-09-29T09:00',
        timeZone: 'Australia/Lord_Howe',
        durationMinutes: 60,
        recurrence: { freq: 'daily', count: 10 },
        exceptions: [{ occurrenceStart: new Date('2026-10-03T22:00:00Z'), cancelled: true }],
      },
      {
        start: '2027-03-30T02:15',
        timeZone: 'Australia/Lord_Howe',
        durationMinutes: 60,
        recurrence: { freq: 'daily', count: 10 },
        exceptions: [],
      },
      {
        start: '2027-03-02T16:00', // a Tuesday: the first occurrence is Wednesday 3 March
        timeZone: 'Europe/Berlin',
        durationMinutes: 60,
        recurrence: { freq: 'weekly', interval: 2, byWeekday: ['MO', 'WE'], count: 6 },
        exceptions: [],
      },
      {
        // Israel springs forward on the Friday before the last Sunday of March: in 2028 that is not
        // the last Friday, so the zone's rules cannot be one yearly RRULE each.
        start: '2027-03-05T09:00',
        timeZone: 'Asia/Jerusalem',
        durationMinutes: 60,
        recurrence: { freq: 'weekly', byWeekday: ['FR'], until: '2028-04-30' },
        exceptions: [],
      },
      {
        start: '2027-01-04T09:00',
        timeZone: 'Asia/Kolkata',
        durationMinutes: 30,
        recurrence: { freq: 'weekly', until: '2027-02-01' },
        exceptions: [],
      },
    ];
    for (const series of zones) {
      const ics = sessionInvitation(invitation({ series }));
      assert.deepEqual(
        expandWithIcalJs(ics),
        expandWithHub(series),
        `${series.timeZone} from ${series.start}`,
      );
    }
  });

  it('keeps the rule’s local time when the first occurrence falls in a spring-forward gap', () => {
    const fromGapDay: SeriesTiming = {
      start: '2027-03-28T02:30',
      timeZone: 'Europe/Berlin',
      durationMinutes: 30,
      recurrence: { freq: 'daily', count: 3 },
      exceptions: [],
    };
    const ics = sessionInvitation(invitation({ series: fromGapDay }));
    // 02:30 does not exist that day; RFC 5545 (3.3.5) reads it as 03:30 CEST, as the hub does. Written
    // as 03:30, every later day would be at 03:30 instead of 02:30.
    assert.match(ics, /^DTSTART;TZID=Europe\/Berlin:20270328T023000\r$/m);
    // ical.js reads a missing 02:30 its own way, so that occurrence also gets a VEVENT pinning 03:30.
    assert.deepEqual(expandWithIcalJs(ics), expandWithHub(fromGapDay));
    assert.deepEqual(expandWithIcalJs(ics), [
      ['2027-03-28T01:30:00.000Z', '2027-03-28T02:00:00.000Z'],
      ['2027-03-29T00:30:00.000Z', '2027-03-29T01:00:00.000Z'],
      ['2027-03-30T00:30:00.000Z', '2027-03-30T01:00:00.000Z'],
    ]);
  });

  it('pins occurrences at a time that does not exist or happens twice, and names them by the rule’s time', () => {
    const nightly: SeriesTiming = {
      start: '2027-03-26T02:30',
      timeZone: 'Europe/Berlin',
      durationMinutes: 45,
      recurrence: { freq: 'daily', count: 4 },
      exceptions: [],
    };
    const berlin = sessionInvitation(invitation({ series: nightly }));
    assert.deepEqual(expandWithIcalJs(berlin), expandWithHub(nightly));
    assert.match(berlin, /^RECURRENCE-ID;TZID=Europe\/Berlin:20270328T023000\r$/m);

    const cancelledInGap = sessionInvitation(
      invitation({
        series: {
          ...nightly,
          exceptions: [{ occurrenceStart: new Date('2027-03-28T01:30:00Z'), cancelled: true }],
        },
      }),
    );
    assert.match(cancelledInGap, /^EXDATE;TZID=Europe\/Berlin:20270328T023000\r$/m);
    assert.equal(expandWithIcalJs(cancelledInGap).length, 3);

    const movedFromGap: SeriesTiming = {
      ...nightly,
      exceptions: [
        { occurrenceStart: new Date('2027-03-28T01:30:00Z'), cancelled: false, start: '2027-03-28T20:00' },
      ],
    };
    assert.deepEqual(
      expandWithIcalJs(sessionInvitation(invitation({ series: movedFromGap }))),
      expandWithHub(movedFromGap),
    );

    const fallBack: SeriesTiming = {
      start: '2026-10-30T01:30',
      timeZone: 'America/New_York',
      durationMinutes: 30,
      recurrence: { freq: 'daily', count: 4 },
      exceptions: [],
    };
    const newYork = sessionInvitation(invitation({ series: fallBack }));
    assert.deepEqual(expandWithIcalJs(newYork), expandWithHub(fallBack));
    assert.deepEqual(expandWithHub(fallBack)[2], ['2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z']);
  });

  it('writes a one-off session as a single event without RRULE', () => {
    const once: SeriesTiming = {
      start: '2027-03-28T10:00',
      timeZone: 'Europe/Berlin',
      durationMinutes: 50,
      recurrence: null,
      exceptions: [],
    };
    const ics = sessionInvitation(invitation({ series: once }));
    const [event] = parse(ics).events as [Component];
    assert.equal(event.hasProperty('rrule'), false);
    assert.equal(event.getFirstProperty('dtstart')!.getParameter('tzid'), 'Europe/Berlin');
    assert.deepEqual(expandWithIcalJs(ics), [['2027-03-28T08:00:00.000Z', '2027-03-28T08:50:00.000Z']]);
  });

  it('writes a single event at a time that happens twice in UTC, at its first instance', () => {
    const twice: SeriesTiming = {
      start: '2026-11-01T01:30',
      timeZone: 'America/New_York',
      durationMinutes: 30,
      recurrence: null,
      exceptions: [],
    };
    const ics = sessionInvitation(invitation({ series: twice }));
    assert.match(ics, /^DTSTART:20261101T053000Z\r$/m);
    assert.deepEqual(expandWithIcalJs(ics), [['2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z']]);
  });
});

describe('sessionInvitation (METHOD:CANCEL)', () => {
  it('cancels the whole series: STATUS:CANCELLED on the same UID, with a higher SEQUENCE', () => {
    const { calendar, events } = parse(sessionInvitation(invitation({ method: 'CANCEL', sequence: 4 })));
    assert.equal(text(calendar, 'method'), 'CANCEL');
    const master = events.find((event) => !event.hasProperty('recurrence-id'))!;
    assert.equal(text(master, 'uid'), 'ses_algebra@teacher-hub');
    assert.equal(master.getFirstPropertyValue('sequence'), 4);
    assert.equal(text(master, 'status'), 'CANCELLED');
    assert.equal(master.getAllProperties('attendee').length, 2);
  });

  it('cancels one occurrence: a single VEVENT with that occurrence’s RECURRENCE-ID', () => {
    const ics = sessionInvitation(
      invitation({ method: 'CANCEL', sequence: 5, occurrenceStart: new Date('2027-04-05T07:00:00Z') }),
    );
    const { calendar, events } = parse(ics);
    assert.equal(text(calendar, 'method'), 'CANCEL');
    assert.equal(events.length, 1);
    const [event] = events as [Component];
    assert.equal(text(event, 'uid'), 'ses_algebra@teacher-hub');
    assert.equal(event.getFirstPropertyValue('sequence'), 5);
    assert.equal(text(event, 'status'), 'CANCELLED');
    assert.equal(event.hasProperty('rrule'), false);
    const recurrenceId = event.getFirstProperty('recurrence-id')!;
    assert.equal(recurrenceId.getParameter('tzid'), 'Europe/Berlin');
    assert.equal(String(recurrenceId.getFirstValue()), '2027-04-05T09:00:00');
    assert.equal(new ICAL.Event(event).recurrenceId?.toJSDate().toISOString(), '2027-04-05T07:00:00.000Z');
  });

  it('names a moved occurrence by its original start when cancelling it', () => {
    const ics = sessionInvitation(
      invitation({ method: 'CANCEL', occurrenceStart: new Date('2027-03-29T07:00:00Z') }),
    );
    const [event] = parse(ics).events as [Component];
    assert.equal(String(event.getFirstPropertyValue('recurrence-id')), '2027-03-29T09:00:00');
    assert.equal(String(event.getFirstPropertyValue('dtstart')), '2027-03-30T15:00:00');
  });

  it('cancels a one-off session as a whole, without RECURRENCE-ID', () => {
    const once: SeriesTiming = {
      start: '2027-03-28T10:00',
      timeZone: 'Europe/Berlin',
      durationMinutes: 50,
      recurrence: null,
      exceptions: [{ occurrenceStart: new Date('2027-03-28T08:00:00Z'), cancelled: true }],
    };
    const ics = sessionInvitation(
      invitation({ method: 'CANCEL', series: once, occurrenceStart: new Date('2027-03-28T08:00:00Z') }),
    );
    const [event] = parse(ics).events as [Component];
    assert.equal(text(event, 'status'), 'CANCELLED');
    assert.equal(event.hasProperty('recurrence-id'), false);
    assert.equal(new ICAL.Event(event).startDate.toJSDate().toISOString(), '2027-03-28T08:00:00.000Z');
  });

  it('refuses to cancel an occurrence the series does not have', () => {
    assert.throws(
      () =>
        sessionInvitation(
          invitation({ method: 'CANCEL', occurrenceStart: new Date('2027-03-16T08:00:00Z') }),
        ),
      RangeError,
    );
  });
});

describe('calendarFeed', () => {
  const ics = calendarFeed({
    name: 'Teacher Hub — Ada Lovelace',
    stamp: STAMP,
    events: [
      {
        uid: 'ses_algebra@teacher-hub',
        sequence: 3,
        title: 'Algebra review',
        description: '',
        url: 'https://hub.school.example/sessions/ses_algebra',
        series: ALGEBRA,
      },
      {
        uid: 'ses_office@teacher-hub',
        sequence: 0,
        title: 'Office hour',
        description: 'Questions welcome',
        series: {
          start: '2026-11-02T16:00',
          timeZone: 'America/New_York',
          durationMinutes: 30,
          recurrence: null,
          exceptions: [],
        },
      },
      {
        uid: 'ses_dropped@teacher-hub',
        sequence: 2,
        title: 'Dropped class',
        description: '',
        series: { ...ALGEBRA, exceptions: [] },
        cancelled: true,
      },
    ],
  });
  const { calendar, events } = parse(ics);

  it('is a PUBLISH calendar with a name calendar apps show', () => {
    assert.equal(text(calendar, 'method'), 'PUBLISH');
    assert.equal(text(calendar, 'x-wr-calname'), 'Teacher Hub — Ada Lovelace');
  });

  it('carries one VTIMEZONE per zone used', () => {
    assert.deepEqual(
      calendar
        .getAllSubcomponents('vtimezone')
        .map((zone) => String(zone.getFirstPropertyValue('tzid')))
        .sort(),
      ['America/New_York', 'Europe/Berlin'],
    );
  });

  it('lists each session with its UID and SEQUENCE, the series with its move and cancel', () => {
    assert.deepEqual(
      events.map((event) => [
        text(event, 'uid'),
        event.getFirstPropertyValue('sequence'),
        event.hasProperty('recurrence-id'),
        text(event, 'status'),
      ]),
      [
        ['ses_algebra@teacher-hub', 3, false, 'CONFIRMED'],
        ['ses_algebra@teacher-hub', 3, true, 'CONFIRMED'],
        ['ses_office@teacher-hub', 0, false, 'CONFIRMED'],
        ['ses_dropped@teacher-hub', 2, false, 'CANCELLED'],
      ],
    );
    const algebra = ICAL.stringify(
      new ICAL.Component([
        'vcalendar',
        [],
        [...calendar.getAllSubcomponents('vtimezone'), ...events.slice(0, 2)].map((component) =>
          component.toJSON(),
        ),
      ]).toJSON(),
    );
    assert.deepEqual(expandWithIcalJs(algebra), expandWithHub(ALGEBRA));
  });

  it('puts a one-off at its local time in its own zone', () => {
    const office = new ICAL.Event(events[2]!);
    assert.equal(office.startDate.zone.tzid, 'America/New_York');
    assert.equal(office.startDate.toJSDate().toISOString(), '2026-11-02T21:00:00.000Z');
    assert.equal(office.endDate.toJSDate().toISOString(), '2026-11-02T21:30:00.000Z');
  });
});
