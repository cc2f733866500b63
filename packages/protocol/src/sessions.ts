import { z } from 'zod';
import { idSchema, STORABLE_TEXT } from './directory.ts';
import type { VideoGrant } from './calls.ts';
import {
  MAX_DURATION_MINUTES,
  MAX_OCCURRENCES,
  SESSION_TYPES,
  WEEKDAYS,
  type AttendanceStatus,
  type OccurrenceStatus,
  type SessionType,
} from './session-constants.ts';

/*
 * Scheduled sessions (CONTRACT.md "HTTP API", DESIGN.md rules 5–8 and "Time"). Local date-times are
 * wall-clock times in the session's IANA time zone, `YYYY-MM-DDTHH:mm`; instants are ISO-8601 UTC.
 */

export {
  ATTENDANCE_STATUSES,
  MAX_DURATION_MINUTES,
  MAX_OCCURRENCES,
  OCCURRENCE_STATUSES,
  SESSION_TYPES,
  WEEKDAYS,
} from './session-constants.ts';
export type { AttendanceStatus, OccurrenceStatus, SessionType, Weekday } from './session-constants.ts';

const LOCAL_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Far enough for any school, and far from PostgreSQL's and ISO-8601's four-digit years: 500 occurrences
 * 52 weeks apart from a start in 8999 still end before 9999 (a later instant was a 500 from the database).
 */
const LAST_YEAR = 9000;

/** `2026-12-01T09:00`: a wall-clock time in the session's time zone (no offset, no seconds). */
export const localDateTimeSchema = z
  .string()
  .regex(LOCAL_DATE_TIME, 'must be a local date and time like 2026-12-01T09:00')
  .refine(isRealDate, 'is not a real date')
  .refine(isBeforeLastYear, `must be before the year ${LAST_YEAR}`);

/** An IANA time zone the runtime knows (`Europe/Berlin`); checked with `Intl`, so it needs no table. */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');

export const recurrenceSchema = z
  .object({
    freq: z.enum(['daily', 'weekly']),
    /** Every `interval` days or weeks. Default 1. */
    interval: z.number().int().min(1).max(52).optional(),
    /** Weekly only: the weekdays; default the start's weekday. */
    byWeekday: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
    /** How many occurrences in all (at most `MAX_OCCURRENCES`). */
    count: z.number().int().min(1).max(MAX_OCCURRENCES).optional(),
    /** The last local day an occurrence may fall on (`2027-03-31`), inclusive. */
    until: z
      .string()
      .regex(LOCAL_DATE, 'must be a local date like 2027-03-31')
      .refine(isRealDate)
      .refine(isBeforeLastYear, `must be before the year ${LAST_YEAR}`)
      .optional(),
  })
  .strict()
  .refine((value) => !(value.count !== undefined && value.until !== undefined), {
    message: 'give count or until, not both',
    path: ['until'],
  })
  .refine((value) => value.freq === 'weekly' || value.byWeekday === undefined, {
    message: 'weekdays are for weekly series',
    path: ['byWeekday'],
  });
export type Recurrence = z.infer<typeof recurrenceSchema>;

const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters or unpaired surrogates');
const description = z
  .string()
  .max(5000, 'must be at most 5000 characters')
  .regex(STORABLE_TEXT, 'must not contain NUL or unpaired surrogates');
const durationMinutes = z.number().int().min(5, 'must be at least 5 minutes').max(MAX_DURATION_MINUTES);
const inviteeIds = z.array(idSchema).min(1, 'must invite at least one student').max(500);

/** `POST /v1/sessions`. */
export const createSessionSchema = z
  .object({
    title,
    description: description.optional(),
    type: z.enum(SESSION_TYPES),
    start: localDateTimeSchema,
    timeZone: timeZoneSchema,
    durationMinutes,
    inviteeIds,
    recurrence: recurrenceSchema.optional(),
    emailInvitees: z.boolean().optional(),
  })
  .strict()
  .refine((value) => value.type !== 'one_on_one' || value.inviteeIds.length === 1, {
    message: 'a one-on-one session takes exactly one invitee',
    path: ['inviteeIds'],
  });
export type CreateSessionRequest = z.infer<typeof createSessionSchema>;

/**
 * `PATCH /v1/sessions/:id`. `scope: 'series'` edits the whole series (any field); `scope: 'occurrence'`
 * moves or edits one occurrence (`occurrenceStart` names it; `start` and `durationMinutes` only).
 */
export const updateSessionSchema = z
  .object({
    scope: z.enum(['series', 'occurrence']),
    occurrenceStart: z.iso.datetime({ offset: true }).optional(),
    title: title.optional(),
    description: description.optional(),
    type: z.enum(SESSION_TYPES).optional(),
    start: localDateTimeSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    durationMinutes: durationMinutes.optional(),
    inviteeIds: inviteeIds.optional(),
    recurrence: recurrenceSchema.nullable().optional(),
    emailInvitees: z.boolean().optional(),
  })
  .strict()
  .refine((value) => value.scope === 'series' || value.occurrenceStart !== undefined, {
    message: 'name the occurrence to change',
    path: ['occurrenceStart'],
  })
  .refine(
    (value) =>
      value.scope === 'series' ||
      Object.keys(value).every((key) =>
        ['scope', 'occurrenceStart', 'start', 'durationMinutes'].includes(key),
      ),
    { message: 'one occurrence can only be moved (start) or resized (durationMinutes)', path: ['scope'] },
  );
export type UpdateSessionRequest = z.infer<typeof updateSessionSchema>;

/** `POST /v1/sessions/:id/cancel`. */
export const cancelSessionSchema = z
  .object({
    scope: z.enum(['series', 'occurrence']),
    occurrenceStart: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((value) => value.scope === 'series' || value.occurrenceStart !== undefined, {
    message: 'name the occurrence to cancel',
    path: ['occurrenceStart'],
  });
export type CancelSessionRequest = z.infer<typeof cancelSessionSchema>;

/** `POST /v1/sessions/:id/start` and `/end`: the occurrence (default: the one due now). */
export const occurrenceActionSchema = z
  .object({ occurrenceStart: z.iso.datetime({ offset: true }).optional() })
  .strict();
export type OccurrenceActionRequest = z.infer<typeof occurrenceActionSchema>;

/** A moved or cancelled occurrence of a series. */
export interface OccurrenceException {
  /** The occurrence's original start (ISO UTC): what names it, also after it moved. */
  occurrenceStart: string;
  cancelled: boolean;
  /** Where it moved to (local, in the series' time zone), when it moved. */
  start?: string;
  durationMinutes?: number;
}

export interface Session {
  id: string;
  title: string;
  description: string;
  type: SessionType;
  /** The first occurrence's local start. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  inviteeIds: string[];
  recurrence: Recurrence | null;
  emailInvitees: boolean;
  ownerId: string;
  /** The session's own chat (`hub-session`), with the teacher and the invitees. */
  chatId: string;
  status: 'active' | 'cancelled';
  exceptions: OccurrenceException[];
  /** Increases with every change that invitees' calendars must follow (the ICS `SEQUENCE`). */
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

export interface Occurrence {
  sessionId: string;
  /** The original start (ISO UTC): the occurrence's name, unchanged when it is moved. */
  occurrenceStart: string;
  title: string;
  type: SessionType;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: OccurrenceStatus;
  chatId: string;
  ownerId: string;
  inviteeIds: string[];
}

export interface SessionResponse {
  session: Session;
}

export interface OccurrenceList {
  occurrences: Occurrence[];
}

/** `POST /v1/sessions/:id/join`. */
export interface JoinSessionResponse {
  occurrence: Occurrence;
  video: VideoGrant;
}

/** `POST /v1/sessions/:id/start` and `/end`. */
export interface OccurrenceResponse {
  occurrence: Occurrence;
}

export interface AttendanceEntry {
  userId: string;
  name: string;
  status: AttendanceStatus;
  /** Minutes in the room during the occurrence. */
  minutes: number;
}

export interface AttendanceResponse {
  attendance: AttendanceEntry[];
}

/** `GET /v1/calendar/feed`. */
export interface CalendarFeedResponse {
  /** A private URL calendar apps subscribe to; `DELETE /v1/calendar/feed` revokes it. */
  url: string;
}

function isBeforeLastYear(value: string): boolean {
  return Number(value.slice(0, 4)) < LAST_YEAR;
}

function isRealDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value.includes('/') || value === 'UTC';
  } catch {
    return false;
  }
}
