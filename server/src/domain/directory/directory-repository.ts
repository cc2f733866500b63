import type {
  DirectoryEnrollment,
  DirectorySync,
  DirectorySyncResult,
  Person,
  Role,
} from '@teacher-hub/protocol';

/** A user as the directory stores them. */
export interface DirectoryUserRecord {
  id: string;
  name: string;
  email: string | null;
  role: Role;
}

/** A course and the members of one role in it. */
export interface CourseWithMembers {
  id: string;
  name: string;
  members: Person[];
}

/** What a write to the directory changed. */
export interface DirectoryChange {
  result: DirectorySyncResult;
  /**
   * Enrollments that no longer exist as they were (gone, or their role changed), with their old role.
   * Rule 9 acts on these.
   */
  removedEnrollments: DirectoryEnrollment[];
}

/** The directory's storage port; the Kysely adapter implements it on PGlite and PostgreSQL. */
export interface DirectoryRepository {
  findUser(id: string): Promise<DirectoryUserRecord | undefined>;
  listUsers(): Promise<DirectoryUserRecord[]>;
  /**
   * Adds the user unless one with that id exists; an existing user is never overwritten. Answers the
   * stored user: `user` when it was added, else the one the directory had.
   */
  insertUserIfMissing(user: DirectoryUserRecord): Promise<DirectoryUserRecord>;
  /** The courses where `userId` is enrolled as `role`, each with its members enrolled as `memberRole`. */
  coursesOf(userId: string, role: Role, memberRole: Role): Promise<CourseWithMembers[]>;
  /**
   * Makes the stored directory equal to `directory` in one transaction: upserts everything in it and
   * removes every user, course and enrollment that is not. The input is already checked for integrity.
   */
  replaceAll(directory: DirectorySync): Promise<DirectoryChange>;
  /**
   * Upserts `directory` without touching users and courses outside it; within its courses, enrollments
   * it does not list are removed (so the dev seed is exact however the demo data was changed).
   */
  upsertPart(directory: DirectorySync): Promise<DirectoryChange>;
}
