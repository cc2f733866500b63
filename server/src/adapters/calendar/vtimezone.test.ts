import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vtimezone } from './vtimezone.ts';

function lines(zone: string, year = 2026): string[] {
  const component = vtimezone(zone, year);
  assert.ok(component, `a VTIMEZONE for ${zone}`);
  return component.split('\r\n');
}

describe('vtimezone', () => {
  it('writes Berlin as two yearly rules: last Sunday of March at 02:00, last Sunday of October at 03:00', () => {
    assert.deepEqual(lines('Europe/Berlin'), [
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'DTSTART:20260329T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'DTSTART:20261025T030000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  it('writes New York’s second Sunday of March and first Sunday of November', () => {
    const component = lines('America/New_York');
    assert.ok(component.includes('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU'));
    assert.ok(component.includes('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU'));
    assert.ok(component.includes('TZOFFSETTO:-0400'));
  });

  it('writes Lord Howe’s half-hour shift at 02:00 to the minute', () => {
    const component = lines('Australia/Lord_Howe');
    assert.deepEqual(
      component.filter((line) => /^(TZOFFSET|DTSTART)/.test(line)),
      [
        'TZOFFSETFROM:+1100',
        'TZOFFSETTO:+1030',
        'DTSTART:20260405T020000',
        'TZOFFSETFROM:+1030',
        'TZOFFSETTO:+1100',
        'DTSTART:20261004T020000',
      ],
    );
  });

  it('writes a zone without DST as one fixed offset', () => {
    assert.deepEqual(lines('Asia/Kolkata').slice(2, 6), [
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0530',
      'TZOFFSETTO:+0530',
      'DTSTART:19700101T000000',
    ]);
  });

  it('lists the transitions one by one when a yearly rule would be wrong in later years', () => {
    // Israel: the Friday before the last Sunday of March, which in 2028 is not the last Friday.
    const component = lines('Asia/Jerusalem');
    assert.ok(!component.some((line) => line.startsWith('RRULE')));
    assert.ok(component.includes('DTSTART:20270326T020000'));
    assert.ok(component.includes('DTSTART:20280324T020000'));
  });

  it('needs none for UTC', () => {
    assert.equal(vtimezone('UTC', 2026), null);
  });
});
