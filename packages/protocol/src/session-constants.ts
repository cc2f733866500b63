/*
 * The sessions' constants without zod, so browser code can import them (`@teacher-hub/protocol/session-constants`)
 * without pulling the schemas into the SDK's first chunk.
 */

export const SESSION_TYPES = ['class', 'one_on_one', 'group'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const OCCURRENCE_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

export const ATTENDANCE_STATUSES = ['present', 'late', 'left_early', 'absent'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** The longest a session may last, and the most occurrences a series may have. */
export const MAX_DURATION_MINUTES = 12 * 60;
export const MAX_OCCURRENCES = 500;

/** How long before its start the owner is offered Start for an occurrence (the hub accepts any time). */
export const START_EARLY_MINUTES = 15;
