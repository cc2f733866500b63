import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeAttendance } from './attendance.ts';

const at = (time: string) => new Date(`2026-12-07T${time}:00Z`);
const occurrence = { startsAt: at('15:00'), endsAt: at('16:00') };
const after = at('17:00');
const stay = (joined: string, left: string | null) => ({
  userId: 's-01',
  joinedAt: at(joined),
  leftAt: left === null ? null : at(left),
});

describe('summarizeAttendance', () => {
  it('counts someone who never joined absent', () => {
    assert.deepEqual(summarizeAttendance([], occurrence, after), { status: 'absent', minutes: 0 });
  });

  it('counts someone who came early and stayed to the end present, for the occurrence’s minutes only', () => {
    assert.deepEqual(summarizeAttendance([stay('14:50', '16:00')], occurrence, after), {
      status: 'present',
      minutes: 60,
    });
  });

  it('forgives five minutes either side', () => {
    assert.deepEqual(summarizeAttendance([stay('15:05', '15:55')], occurrence, after), {
      status: 'present',
      minutes: 50,
    });
  });

  it('counts a first join more than five minutes after the start late', () => {
    assert.deepEqual(summarizeAttendance([stay('15:06', '16:00')], occurrence, after), {
      status: 'late',
      minutes: 54,
    });
  });

  it('counts a last leave more than five minutes before the end as leaving early, unless they came back', () => {
    assert.deepEqual(summarizeAttendance([stay('15:00', '15:30')], occurrence, after), {
      status: 'left_early',
      minutes: 30,
    });
    assert.deepEqual(
      summarizeAttendance([stay('15:00', '15:30'), stay('15:40', '16:00')], occurrence, after),
      {
        status: 'present',
        minutes: 50,
      },
    );
  });

  it('counts overlapping stays (two tabs) once, and a stay still open up to the end', () => {
    assert.deepEqual(summarizeAttendance([stay('15:00', '15:40'), stay('15:20', null)], occurrence, after), {
      status: 'present',
      minutes: 60,
    });
  });

  it('counts a stay still open during the occurrence up to now', () => {
    assert.deepEqual(summarizeAttendance([stay('15:00', null)], occurrence, at('15:30')), {
      status: 'present',
      minutes: 30,
    });
  });
});
