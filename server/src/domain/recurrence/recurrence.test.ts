import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expandOccurrences,
  findOccurrence,
  instantToLocal,
  isRepeatedLocal,
  localToInstant,
  upcomingOccurrences,
} from './index.ts';
import type { ExpandedOccurrence, SeriesTiming } from './index.ts';

/*
 * Every expectation is a literal UTC instant: recurrence-tz.test.ts runs this file again under TZ=UTC,
 * America/New_York, Europe/Berlin, Australia/Lord_Howe and Asia/Kolkata, and each run must agree.
 */

const WIDE = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };

function series(timing: Partial<SeriesTiming> & Pick<SeriesTiming, 'start' | 'timeZone'>): SeriesTiming {
  return { durationMinutes: 60, recurrence: null, exceptions: [], ...timing };
}

function starts(occurrences: ReadonlyArray<ExpandedOccurrence>): string[] {
  return occurrences.map((occurrence) => occurrence.startsAt.toISOString());
}

function all(timing: SeriesTiming): string[] {
  return starts(expandOccurrences(timing, WIDE));
}

describe(`recurrence (process TZ=${process.env.TZ ?? 'unset'})`, () => {
  describe('localToInstant and instantToLocal', () => {
    it('reads an ordinary local time with the offset in force then', () => {
      assert.equal(
        localToInstant('2027-01-15T09:00', 'Europe/Berlin').toISOString(),
        '2027-01-15T08:00:00.000Z',
      );
      assert.equal(
        localToInstant('2027-07-15T09:00', 'Europe/Berlin').toISOString(),
        '2027-07-15T07:00:00.000Z',
      );
      assert.equal(
        localToInstant('2027-03-14T09:00', 'Asia/Kolkata').toISOString(),
        '2027-03-14T03:30:00.000Z',
      );
      assert.equal(localToInstant('2027-01-15T09:00', 'UTC').toISOString(), '2027-01-15T09:00:00.000Z');
    });

    it('moves a time that does not exist (spring forward) forward by the gap', () => {
      const berlin = localToInstant('2027-03-28T02:30', 'Europe/Berlin');
      assert.equal(berlin.toISOString(), '2027-03-28T01:30:00.000Z');
      assert.equal(instantToLocal(berlin, 'Europe/Berlin'), '2027-03-28T03:30');
      const newYork = localToInstant('2027-03-14T02:30', 'America/New_York');
      assert.equal(newYork.toISOString(), '2027-03-14T07:30:00.000Z');
      assert.equal(instantToLocal(newYork, 'America/New_York'), '2027-03-14T03:30');
      // Lord Howe springs forward by 30 minutes, 02:00 → 02:30.
      const lordHowe = localToInstant('2026-10-04T02:15', 'Australia/Lord_Howe');
      assert.equal(lordHowe.toISOString(), '2026-10-03T15:45:00.000Z');
      assert.equal(instantToLocal(lordHowe, 'Australia/Lord_Howe'), '2026-10-04T02:45');
    });

    it('takes the first of a time that happens twice (fall back), the one with the summer offset', () => {
      assert.equal(
        localToInstant('2026-10-25T02:30', 'Europe/Berlin').toISOString(),
        '2026-10-25T00:30:00.000Z',
      );
      assert.equal(
        localToInstant('2026-11-01T01:30', 'America/New_York').toISOString(),
        '2026-11-01T05:30:00.000Z',
      );
      // Lord Howe falls back by 30 minutes, 02:00 → 01:30: 01:45 happens twice.
      assert.equal(
        localToInstant('2027-04-04T01:45', 'Australia/Lord_Howe').toISOString(),
        '2027-04-03T14:45:00.000Z',
      );
      assert.equal(isRepeatedLocal('2026-10-25T02:30', 'Europe/Berlin'), true);
      assert.equal(isRepeatedLocal('2026-10-25T03:00', 'Europe/Berlin'), false);
      assert.equal(isRepeatedLocal('2027-03-28T02:30', 'Europe/Berlin'), false, 'a gap is not a repeat');
      // The second 02:30 still reads back as 02:30.
      assert.equal(instantToLocal(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin'), '2026-10-25T02:30');
    });
  });

  describe('weekly and daily series across DST', () => {
    it('keeps a weekly 09:00 at 09:00 in Berlin across spring forward (2027-03-28)', () => {
      const weekly = series({
        start: '2027-03-22T09:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', count: 3 },
      });
      assert.deepEqual(all(weekly), [
        '2027-03-22T08:00:00.000Z',
        '2027-03-29T07:00:00.000Z',
        '2027-04-05T07:00:00.000Z',
      ]);
      assert.deepEqual(
        expandOccurrences(weekly, WIDE).map((occurrence) =>
          instantToLocal(occurrence.startsAt, 'Europe/Berlin'),
        ),
        ['2027-03-22T09:00', '2027-03-29T09:00', '2027-04-05T09:00'],
      );
    });

    it('keeps a weekly 09:00 at 09:00 in Berlin across fall back (2026-10-25)', () => {
      const weekly = series({
        start: '2026-10-19T09:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', count: 3 },
      });
      assert.deepEqual(all(weekly), [
        '2026-10-19T07:00:00.000Z',
        '2026-10-26T08:00:00.000Z',
        '2026-11-02T08:00:00.000Z',
      ]);
    });

    it('keeps a daily 09:00 at 09:00 in New York across spring forward (2027-03-14) and fall back (2026-11-01)', () => {
      const spring = series({
        start: '2027-03-13T09:00',
        timeZone: 'America/New_York',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.deepEqual(all(spring), [
        '2027-03-13T14:00:00.000Z',
        '2027-03-14T13:00:00.000Z',
        '2027-03-15T13:00:00.000Z',
      ]);
      const fall = series({
        start: '2026-10-31T09:00',
        timeZone: 'America/New_York',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.deepEqual(all(fall), [
        '2026-10-31T13:00:00.000Z',
        '2026-11-01T14:00:00.000Z',
        '2026-11-02T14:00:00.000Z',
      ]);
    });

    it('follows Lord Howe’s 30-minute DST shift both ways', () => {
      const spring = series({
        start: '2026-10-03T09:00',
        timeZone: 'Australia/Lord_Howe',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.deepEqual(all(spring), [
        '2026-10-02T22:30:00.000Z',
        '2026-10-03T22:00:00.000Z',
        '2026-10-04T22:00:00.000Z',
      ]);
      const fall = series({
        start: '2027-04-03T09:00',
        timeZone: 'Australia/Lord_Howe',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.deepEqual(all(fall), [
        '2027-04-02T22:00:00.000Z',
        '2027-04-03T22:30:00.000Z',
        '2027-04-04T22:30:00.000Z',
      ]);
    });

    it('moves a daily 02:30 forward to 03:30 on the spring-forward day only', () => {
      const daily = series({
        start: '2027-03-27T02:30',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'daily', count: 3 },
      });
      const occurrences = expandOccurrences(daily, WIDE);
      assert.deepEqual(starts(occurrences), [
        '2027-03-27T01:30:00.000Z',
        '2027-03-28T01:30:00.000Z',
        '2027-03-29T00:30:00.000Z',
      ]);
      assert.deepEqual(
        occurrences.map((occurrence) => instantToLocal(occurrence.startsAt, 'Europe/Berlin')),
        ['2027-03-27T02:30', '2027-03-28T03:30', '2027-03-29T02:30'],
      );
    });

    it('takes the first 02:30 on the fall-back day', () => {
      const daily = series({
        start: '2026-10-24T02:30',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.deepEqual(all(daily), [
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
      ]);
    });

    it('has no DST in Kolkata: 09:00 is always 03:30 UTC', () => {
      const daily = series({
        start: '2027-03-13T09:00',
        timeZone: 'Asia/Kolkata',
        recurrence: { freq: 'daily', count: 2 },
      });
      assert.deepEqual(all(daily), ['2027-03-13T03:30:00.000Z', '2027-03-14T03:30:00.000Z']);
    });
  });

  describe('the rule', () => {
    it('defaults a weekly series to the start’s weekday', () => {
      const weekly = series({
        start: '2027-03-03T16:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', count: 2 },
      });
      assert.deepEqual(all(weekly), ['2027-03-03T15:00:00.000Z', '2027-03-10T15:00:00.000Z']);
    });

    it('repeats every second week on Mondays and Wednesdays', () => {
      const biweekly = series({
        start: '2027-03-01T16:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', interval: 2, byWeekday: ['MO', 'WE'], count: 6 },
      });
      assert.deepEqual(all(biweekly), [
        '2027-03-01T15:00:00.000Z',
        '2027-03-03T15:00:00.000Z',
        '2027-03-15T15:00:00.000Z',
        '2027-03-17T15:00:00.000Z',
        '2027-03-29T14:00:00.000Z',
        '2027-03-31T14:00:00.000Z',
      ]);
    });

    it('starts on the first matching weekday when the start is not one of them', () => {
      const weekly = series({
        start: '2027-03-02T16:00', // a Tuesday
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 3 },
      });
      assert.deepEqual(all(weekly), [
        '2027-03-03T15:00:00.000Z',
        '2027-03-08T15:00:00.000Z',
        '2027-03-10T15:00:00.000Z',
      ]);
    });

    it('includes occurrences on the `until` day, a local date', () => {
      const weekly = (until: string): SeriesTiming =>
        series({
          start: '2027-03-01T18:00',
          timeZone: 'Europe/Berlin',
          recurrence: { freq: 'weekly', until },
        });
      assert.deepEqual(all(weekly('2027-03-15')), [
        '2027-03-01T17:00:00.000Z',
        '2027-03-08T17:00:00.000Z',
        '2027-03-15T17:00:00.000Z',
      ]);
      assert.deepEqual(all(weekly('2027-03-14')), ['2027-03-01T17:00:00.000Z', '2027-03-08T17:00:00.000Z']);
      // 02:00 in Kolkata is the previous day in UTC; the local day is what counts.
      const early = series({
        start: '2027-01-01T02:00',
        timeZone: 'Asia/Kolkata',
        recurrence: { freq: 'daily', until: '2027-01-03' },
      });
      assert.deepEqual(all(early), [
        '2026-12-31T20:30:00.000Z',
        '2027-01-01T20:30:00.000Z',
        '2027-01-02T20:30:00.000Z',
      ]);
    });

    it('counts cancelled occurrences in `count`, as RFC 5545 does', () => {
      const daily = series({
        start: '2027-05-10T09:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'daily', count: 3 },
        exceptions: [{ occurrenceStart: new Date('2027-05-11T07:00:00Z'), cancelled: true }],
      });
      const occurrences = expandOccurrences(daily, WIDE);
      assert.deepEqual(starts(occurrences), [
        '2027-05-10T07:00:00.000Z',
        '2027-05-11T07:00:00.000Z',
        '2027-05-12T07:00:00.000Z',
      ]);
      assert.deepEqual(
        occurrences.map((occurrence) => occurrence.cancelled),
        [false, true, false],
      );
      assert.deepEqual(starts(upcomingOccurrences(daily, new Date('2027-05-01T00:00:00Z'), 10)), [
        '2027-05-10T07:00:00.000Z',
        '2027-05-12T07:00:00.000Z',
      ]);
    });

    it('has one occurrence for a one-off session', () => {
      const once = series({ start: '2027-03-28T10:00', timeZone: 'Europe/Berlin', durationMinutes: 45 });
      const occurrences = expandOccurrences(once, WIDE);
      assert.equal(occurrences.length, 1);
      assert.equal(occurrences[0]!.startsAt.toISOString(), '2027-03-28T08:00:00.000Z');
      assert.equal(occurrences[0]!.endsAt.toISOString(), '2027-03-28T08:45:00.000Z');
    });

    it('runs on without an end, within the range asked for', () => {
      const open = series({
        start: '2026-01-05T09:00',
        timeZone: 'America/New_York',
        recurrence: { freq: 'weekly' },
      });
      assert.deepEqual(
        starts(
          expandOccurrences(open, {
            from: new Date('2030-06-01T00:00:00Z'),
            to: new Date('2030-06-15T00:00:00Z'),
          }),
        ),
        ['2030-06-03T13:00:00.000Z', '2030-06-10T13:00:00.000Z'],
      );
    });
  });

  describe('long-running series', () => {
    it('keeps the every-third-week rhythm of a series that began years ago', () => {
      const since2020 = series({
        start: '2020-01-08T09:00', // a Wednesday
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', interval: 3, byWeekday: ['MO', 'WE'] },
      });
      const spring = { from: new Date('2027-04-01T00:00:00Z'), to: new Date('2027-06-01T00:00:00Z') };
      assert.deepEqual(starts(expandOccurrences(since2020, spring)), [
        '2027-04-05T07:00:00.000Z',
        '2027-04-07T07:00:00.000Z',
        '2027-04-26T07:00:00.000Z',
        '2027-04-28T07:00:00.000Z',
        '2027-05-17T07:00:00.000Z',
        '2027-05-19T07:00:00.000Z',
      ]);
      assert.deepEqual(starts(upcomingOccurrences(since2020, new Date('2027-05-01T00:00:00Z'), 3)), [
        '2027-05-17T07:00:00.000Z',
        '2027-05-19T07:00:00.000Z',
        '2027-06-07T07:00:00.000Z',
      ]);
      assert.equal(findOccurrence(since2020, new Date('2027-04-26T07:00:00Z'))?.moved, false);
      assert.equal(findOccurrence(since2020, new Date('2027-05-03T07:00:00Z')), undefined, 'an off week');
    });

    it('keeps an every-other-day series until its last local day', () => {
      const everyOtherDay = series({
        start: '2021-03-01T18:30',
        timeZone: 'America/New_York',
        recurrence: { freq: 'daily', interval: 2, until: '2027-03-16' },
      });
      assert.deepEqual(starts(upcomingOccurrences(everyOtherDay, new Date('2027-03-10T00:00:00Z'), 10)), [
        '2027-03-10T23:30:00.000Z',
        '2027-03-12T23:30:00.000Z',
        '2027-03-14T22:30:00.000Z',
        '2027-03-16T22:30:00.000Z',
      ]);
    });
  });

  describe('exceptions', () => {
    const weekly = series({
      start: '2027-03-22T09:00',
      timeZone: 'Europe/Berlin',
      recurrence: { freq: 'weekly', count: 4 },
      exceptions: [
        // 29 March moves to Tuesday 30 March, 15:00 for 90 minutes; 5 April is cancelled.
        {
          occurrenceStart: new Date('2027-03-29T07:00:00Z'),
          cancelled: false,
          start: '2027-03-30T15:00',
          durationMinutes: 90,
        },
        { occurrenceStart: new Date('2027-04-05T07:00:00Z'), cancelled: true },
      ],
    });

    it('moves one occurrence and keeps its original start as its name', () => {
      const occurrences = expandOccurrences(weekly, WIDE);
      assert.deepEqual(
        occurrences.map((occurrence) => ({
          occurrenceStart: occurrence.occurrenceStart.toISOString(),
          startsAt: occurrence.startsAt.toISOString(),
          endsAt: occurrence.endsAt.toISOString(),
          cancelled: occurrence.cancelled,
          moved: occurrence.moved,
        })),
        [
          {
            occurrenceStart: '2027-03-22T08:00:00.000Z',
            startsAt: '2027-03-22T08:00:00.000Z',
            endsAt: '2027-03-22T09:00:00.000Z',
            cancelled: false,
            moved: false,
          },
          {
            occurrenceStart: '2027-03-29T07:00:00.000Z',
            startsAt: '2027-03-30T13:00:00.000Z',
            endsAt: '2027-03-30T14:30:00.000Z',
            cancelled: false,
            moved: true,
          },
          {
            occurrenceStart: '2027-04-05T07:00:00.000Z',
            startsAt: '2027-04-05T07:00:00.000Z',
            endsAt: '2027-04-05T08:00:00.000Z',
            cancelled: true,
            moved: false,
          },
          {
            occurrenceStart: '2027-04-12T07:00:00.000Z',
            startsAt: '2027-04-12T07:00:00.000Z',
            endsAt: '2027-04-12T08:00:00.000Z',
            cancelled: false,
            moved: false,
          },
        ],
      );
    });

    it('counts a moved occurrence where it moved to', () => {
      const monday = { from: new Date('2027-03-29T00:00:00Z'), to: new Date('2027-03-30T00:00:00Z') };
      const tuesday = { from: new Date('2027-03-30T00:00:00Z'), to: new Date('2027-03-31T00:00:00Z') };
      assert.deepEqual(starts(expandOccurrences(weekly, monday)), []);
      assert.deepEqual(starts(expandOccurrences(weekly, tuesday)), ['2027-03-30T13:00:00.000Z']);
    });

    it('sorts an occurrence moved past later ones by where it is now', () => {
      const movedLate = series({
        start: '2027-03-22T09:00',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'weekly', count: 3 },
        exceptions: [
          { occurrenceStart: new Date('2027-03-22T08:00:00Z'), cancelled: false, start: '2027-04-06T09:00' },
        ],
      });
      assert.deepEqual(all(movedLate), [
        '2027-03-29T07:00:00.000Z',
        '2027-04-05T07:00:00.000Z',
        '2027-04-06T07:00:00.000Z',
      ]);
    });

    it('ignores an exception that names no occurrence of the series', () => {
      const stray = series({
        ...weekly,
        exceptions: [
          { occurrenceStart: new Date('2027-03-23T08:00:00Z'), cancelled: false, start: '2027-03-24T09:00' },
        ],
      });
      assert.deepEqual(all(stray), [
        '2027-03-22T08:00:00.000Z',
        '2027-03-29T07:00:00.000Z',
        '2027-04-05T07:00:00.000Z',
        '2027-04-12T07:00:00.000Z',
      ]);
    });

    it('finds an occurrence by its original start, moved or not, and nothing where the series has none', () => {
      const moved = findOccurrence(weekly, new Date('2027-03-29T07:00:00Z'));
      assert.equal(moved?.startsAt.toISOString(), '2027-03-30T13:00:00.000Z');
      assert.equal(moved?.moved, true);
      assert.equal(findOccurrence(weekly, new Date('2027-04-05T07:00:00Z'))?.cancelled, true);
      assert.equal(findOccurrence(weekly, new Date('2027-03-29T08:00:00Z')), undefined, 'an hour off');
      assert.equal(findOccurrence(weekly, new Date('2027-03-30T13:00:00Z')), undefined, 'where it moved to');
      assert.equal(findOccurrence(weekly, new Date('2027-04-19T07:00:00Z')), undefined, 'after count');
    });

    it('finds an occurrence moved forward by a spring-forward gap by its real start', () => {
      const daily = series({
        start: '2027-03-27T02:30',
        timeZone: 'Europe/Berlin',
        recurrence: { freq: 'daily', count: 3 },
      });
      assert.equal(
        findOccurrence(daily, new Date('2027-03-28T01:30:00Z'))?.startsAt.toISOString(),
        '2027-03-28T01:30:00.000Z',
      );
    });

    it('lists the next occurrences, skipping cancelled ones and including one moved into the window', () => {
      assert.deepEqual(starts(upcomingOccurrences(weekly, new Date('2027-03-29T12:00:00Z'), 5)), [
        '2027-03-30T13:00:00.000Z',
        '2027-04-12T07:00:00.000Z',
      ]);
      assert.deepEqual(starts(upcomingOccurrences(weekly, new Date('2027-03-01T00:00:00Z'), 2)), [
        '2027-03-22T08:00:00.000Z',
        '2027-03-30T13:00:00.000Z',
      ]);
      assert.deepEqual(starts(upcomingOccurrences(weekly, new Date('2027-04-12T07:00:00Z'), 1)), [
        '2027-04-12T07:00:00.000Z',
      ]);
      assert.deepEqual(starts(upcomingOccurrences(weekly, new Date('2027-04-12T07:00:01Z'), 1)), []);
    });
  });

  describe('expandOccurrences ranges', () => {
    // 1 March 2027, 09:00–10:00 Berlin: [08:00, 09:00) UTC, then daily.
    const daily = series({
      start: '2027-03-01T09:00',
      timeZone: 'Europe/Berlin',
      recurrence: { freq: 'daily', count: 5 },
    });
    const at = (iso: string): Date => new Date(iso);

    it('includes an occurrence that overlaps the range only partly', () => {
      assert.deepEqual(
        starts(
          expandOccurrences(daily, { from: at('2027-03-01T08:30:00Z'), to: at('2027-03-01T08:45:00Z') }),
        ),
        ['2027-03-01T08:00:00.000Z'],
      );
      assert.deepEqual(
        starts(
          expandOccurrences(daily, { from: at('2027-03-01T08:59:00Z'), to: at('2027-03-02T08:01:00Z') }),
        ),
        ['2027-03-01T08:00:00.000Z', '2027-03-02T08:00:00.000Z'],
      );
    });

    it('treats the range as half-open: ending where an occurrence starts, or starting where it ends, excludes it', () => {
      assert.deepEqual(
        starts(
          expandOccurrences(daily, { from: at('2027-03-01T00:00:00Z'), to: at('2027-03-01T08:00:00Z') }),
        ),
        [],
      );
      assert.deepEqual(
        starts(
          expandOccurrences(daily, { from: at('2027-03-01T09:00:00Z'), to: at('2027-03-02T08:00:00Z') }),
        ),
        [],
      );
    });

    it('returns at most `limit` occurrences, the earliest', () => {
      assert.deepEqual(starts(expandOccurrences(daily, WIDE, 2)), [
        '2027-03-01T08:00:00.000Z',
        '2027-03-02T08:00:00.000Z',
      ]);
    });
  });
});
