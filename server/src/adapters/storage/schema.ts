import type { ColumnType } from 'kysely';
import type { Role } from '@teacher-hub/protocol';

/** A timestamptz column the database fills in (`default now()`), readable as a Date. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CoursesTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EnrollmentsTable {
  course_id: string;
  user_id: string;
  role: Role;
  created_at: CreatedAt;
}

export interface SettingsTable {
  key: string;
  /** jsonb: written as a JSON string, read back parsed. */
  value: ColumnType<unknown, string, string>;
  updated_at: UpdatedAt;
}

/** The hub's tables, as Kysely sees them. Later migrations add to it. */
export interface HubDatabase {
  users: UsersTable;
  courses: CoursesTable;
  enrollments: EnrollmentsTable;
  settings: SettingsTable;
}
