import type { AttendanceStatus } from '@teacher-hub/protocol';
import type { AttendanceInterval } from './session-repository.ts';

/** Joining later than this after the start is late; leaving earlier than this before the end is early. */
export const ATTENDANCE_GRACE_MS = 5 * 60_000;

export interface AttendanceSummary {
  status: AttendanceStatus;
  minutes: number;
}

/**
 * One invitee's attendance of an occurrence from their stays in its room. `endsAt` is when the occurrence
 * ended (the earlier of its scheduled end and the teacher's end); an interval still open counts until
 * `endsAt` (or `now`, when that is earlier). Absent: never joined. Late: the first join came more than five
 * minutes after the start. Left early: the last stay ended more than five minutes before the end (and
 * nothing followed). Otherwise present. Minutes: the time in the room within the occurrence, overlapping
 * stays (two tabs) counted once.
 */
export function summarizeAttendance(
  intervals: readonly AttendanceInterval[],
  occurrence: { startsAt: Date; endsAt: Date },
  now: Date,
): AttendanceSummary {
  if (intervals.length === 0) return { status: 'absent', minutes: 0 };
  const start = occurrence.startsAt.getTime();
  const end = occurrence.endsAt.getTime();
  const until = Math.min(end, now.getTime());
  const spans = intervals
    .map((interval) => ({
      from: interval.joinedAt.getTime(),
      to: interval.leftAt ? interval.leftAt.getTime() : Math.max(until, interval.joinedAt.getTime()),
      open: interval.leftAt === null,
    }))
    .sort((a, b) => a.from - b.from);

  let attendedMs = 0;
  let cursor = -Infinity;
  for (const span of spans) {
    const from = Math.max(span.from, start, cursor);
    const to = Math.min(span.to, end);
    if (to > from) attendedMs += to - from;
    cursor = Math.max(cursor, span.to);
  }
  const minutes = Math.round(attendedMs / 60_000);
  const firstJoin = spans[0]?.from ?? start;
  const stillIn = spans.some((span) => span.open);
  const lastLeave = Math.max(...spans.map((span) => span.to));

  let status: AttendanceStatus = 'present';
  if (firstJoin > start + ATTENDANCE_GRACE_MS) status = 'late';
  else if (!stillIn && lastLeave < end - ATTENDANCE_GRACE_MS) status = 'left_early';
  return { status, minutes };
}
