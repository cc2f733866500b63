import { z } from 'zod';

export const ROLES = ['teacher', 'student'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Ids come from the LMS. They are opaque, but they travel in URLs and channel ids, so they are kept
 * to a safe alphabet (GetStream allows `a-z0-9@_-` in user ids; we allow `.` as well and map it there).
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;
export const idSchema = z.string().regex(ID_PATTERN, 'must be 1–128 letters, digits, "_", "-", "." or "@"');

/**
 * Text PostgreSQL and GetStream can store: no NUL and no lone surrogates (ill-formed UTF-16, which JSON
 * columns refuse). Without this, such a name is a 5xx from the database instead of a 400.
 */
// eslint-disable-next-line no-control-regex -- NUL is what this refuses
export const STORABLE_TEXT = /^[^\u0000\p{Cs}]*$/u;
const STORABLE_TEXT_MESSAGE = 'must not contain NUL or unpaired surrogates';
const nameSchema = z.string().trim().min(1).max(200).regex(STORABLE_TEXT, STORABLE_TEXT_MESSAGE);

export const userSchema = z.object({
  id: idSchema,
  name: nameSchema,
  email: z.email().max(320).nullable().optional(),
  role: z.enum(ROLES),
});
export type DirectoryUser = z.infer<typeof userSchema>;

export const courseSchema = z.object({
  id: idSchema,
  name: nameSchema,
});
export type DirectoryCourse = z.infer<typeof courseSchema>;

export const enrollmentSchema = z.object({
  courseId: idSchema,
  userId: idSchema,
  role: z.enum(ROLES),
});
export type DirectoryEnrollment = z.infer<typeof enrollmentSchema>;

/** `PUT /v1/admin/directory`: the LMS's whole directory; what is not in it is removed. */
export const directorySyncSchema = z
  .object({
    users: z.array(userSchema).max(200_000),
    courses: z.array(courseSchema).max(50_000),
    enrollments: z.array(enrollmentSchema).max(1_000_000),
  })
  .strict();
export type DirectorySync = z.infer<typeof directorySyncSchema>;

export interface DirectorySyncResult {
  users: { upserted: number; removed: number };
  courses: { upserted: number; removed: number };
  enrollments: { added: number; removed: number; kept: number };
}

/** A person as another person sees them. */
export interface Person {
  id: string;
  name: string;
}

export interface Me {
  user: { id: string; name: string; role: Role; email?: string | null };
}

export interface RosterCourse {
  id: string;
  name: string;
  /** For a teacher: the course's students. For a student: named `students` too, but they are the course's teachers. */
  students: Person[];
}

export interface Roster {
  courses: RosterCourse[];
}

export const devTokenRequestSchema = z.object({ userId: idSchema }).strict();
export type DevTokenRequest = z.infer<typeof devTokenRequestSchema>;
export interface DevTokenResponse {
  token: string;
  expiresAt: string;
}

export interface DevUser extends Person {
  role: Role;
  email: string | null;
}
export interface DevUsersResponse {
  users: DevUser[];
}
