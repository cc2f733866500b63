import type { DirectoryEnrollment, DirectorySync, Role } from '@teacher-hub/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import { planEnrollments } from '../../domain/directory/directory-plan.ts';
import type {
  CourseWithMembers,
  DirectoryChange,
  DirectoryRepository,
  DirectoryUserRecord,
} from '../../domain/directory/directory-repository.ts';
import type { HubDatabase } from './schema.ts';

type Tx = Transaction<HubDatabase>;

/**
 * The directory on PGlite or PostgreSQL. Bulk writes pass whole columns as arrays through `unnest`, so a
 * sync of any size is a handful of statements (and never hits the 65 535 bind-parameter limit).
 */
export class KyselyDirectoryRepository implements DirectoryRepository {
  readonly #db: Kysely<HubDatabase>;

  constructor(db: Kysely<HubDatabase>) {
    this.#db = db;
  }

  async findUser(id: string): Promise<DirectoryUserRecord | undefined> {
    return this.#db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'role'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listUsers(): Promise<DirectoryUserRecord[]> {
    return this.#db.selectFrom('users').select(['id', 'name', 'email', 'role']).orderBy('id').execute();
  }

  async insertUserIfMissing(user: DirectoryUserRecord): Promise<DirectoryUserRecord> {
    const inserted = await this.#db
      .insertInto('users')
      .values(user)
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning(['id', 'name', 'email', 'role'])
      .executeTakeFirst();
    // Nothing inserted: the user exists. (Removed again in between, they are as the token says.)
    return inserted ?? (await this.findUser(user.id)) ?? user;
  }

  async coursesOf(userId: string, role: Role, memberRole: Role): Promise<CourseWithMembers[]> {
    const rows = await this.#db
      .selectFrom('enrollments as mine')
      .innerJoin('courses', 'courses.id', 'mine.course_id')
      .leftJoin('enrollments as other', (join) =>
        join.onRef('other.course_id', '=', 'mine.course_id').on('other.role', '=', memberRole),
      )
      .leftJoin('users as member', 'member.id', 'other.user_id')
      .select([
        'courses.id as courseId',
        'courses.name as courseName',
        'member.id as memberId',
        'member.name as memberName',
      ])
      .where('mine.user_id', '=', userId)
      .where('mine.role', '=', role)
      .execute();
    const courses = new Map<string, CourseWithMembers>();
    for (const row of rows) {
      let course = courses.get(row.courseId);
      if (!course) {
        course = { id: row.courseId, name: row.courseName, members: [] };
        courses.set(row.courseId, course);
      }
      // A teacher is not their own co-teacher.
      if (row.memberId !== null && row.memberName !== null && row.memberId !== userId) {
        course.members.push({ id: row.memberId, name: row.memberName });
      }
    }
    return [...courses.values()];
  }

  replaceAll(directory: DirectorySync): Promise<DirectoryChange> {
    return this.#db.transaction().execute(async (tx) => {
      await lockDirectory(tx);
      const current = await selectEnrollments(tx);
      const plan = planEnrollments(current, directory.enrollments);
      await deleteEnrollments(tx, plan.removed);
      const userIds = directory.users.map((user) => user.id);
      const courseIds = directory.courses.map((course) => course.id);
      const removedUsers = await sql`delete from users where id <> all(${userIds}::text[])`.execute(tx);
      const removedCourses = await sql`delete from courses where id <> all(${courseIds}::text[])`.execute(tx);
      await upsertUsers(tx, directory);
      await upsertCourses(tx, directory);
      await upsertEnrollments(tx, plan.added);
      return {
        result: {
          users: { upserted: directory.users.length, removed: Number(removedUsers.numAffectedRows ?? 0) },
          courses: {
            upserted: directory.courses.length,
            removed: Number(removedCourses.numAffectedRows ?? 0),
          },
          enrollments: { added: plan.added.length, removed: plan.removed.length, kept: plan.kept },
        },
        removedEnrollments: plan.removed,
      };
    });
  }

  upsertPart(directory: DirectorySync): Promise<DirectoryChange> {
    return this.#db.transaction().execute(async (tx) => {
      await lockDirectory(tx);
      const courseIds = directory.courses.map((course) => course.id);
      const current = await selectEnrollments(tx, courseIds);
      const plan = planEnrollments(current, directory.enrollments);
      await deleteEnrollments(tx, plan.removed);
      await upsertUsers(tx, directory);
      await upsertCourses(tx, directory);
      await upsertEnrollments(tx, plan.added);
      return {
        result: {
          users: { upserted: directory.users.length, removed: 0 },
          courses: { upserted: directory.courses.length, removed: 0 },
          enrollments: { added: plan.added.length, removed: plan.removed.length, kept: plan.kept },
        },
        removedEnrollments: plan.removed,
      };
    });
  }
}

/** One directory write at a time; reads (rosters) go on meanwhile. */
async function lockDirectory(tx: Tx): Promise<void> {
  await sql`lock table users, courses, enrollments in share row exclusive mode`.execute(tx);
}

async function selectEnrollments(tx: Tx, inCourses?: string[]): Promise<DirectoryEnrollment[]> {
  let query = tx.selectFrom('enrollments').select(['course_id as courseId', 'user_id as userId', 'role']);
  if (inCourses) query = query.where(sql<boolean>`course_id = any(${inCourses}::text[])`);
  return query.execute();
}

async function deleteEnrollments(tx: Tx, enrollments: readonly DirectoryEnrollment[]): Promise<void> {
  if (enrollments.length === 0) return;
  await sql`
    delete from enrollments as e
    using unnest(${enrollments.map((e) => e.courseId)}::text[], ${enrollments.map((e) => e.userId)}::text[])
      as gone (course_id, user_id)
    where e.course_id = gone.course_id and e.user_id = gone.user_id
  `.execute(tx);
}

async function upsertUsers(tx: Tx, { users }: DirectorySync): Promise<void> {
  if (users.length === 0) return;
  await sql`
    insert into users (id, name, email, role)
    select * from unnest(
      ${users.map((user) => user.id)}::text[],
      ${users.map((user) => user.name)}::text[],
      ${users.map((user) => user.email ?? null)}::text[],
      ${users.map((user) => user.role)}::text[]
    )
    on conflict (id) do update
      set name = excluded.name, email = excluded.email, role = excluded.role, updated_at = now()
      where (users.name, users.email, users.role) is distinct from (excluded.name, excluded.email, excluded.role)
  `.execute(tx);
}

async function upsertCourses(tx: Tx, { courses }: DirectorySync): Promise<void> {
  if (courses.length === 0) return;
  await sql`
    insert into courses (id, name)
    select * from unnest(${courses.map((course) => course.id)}::text[], ${courses.map((course) => course.name)}::text[])
    on conflict (id) do update
      set name = excluded.name, updated_at = now()
      where courses.name is distinct from excluded.name
  `.execute(tx);
}

async function upsertEnrollments(tx: Tx, enrollments: readonly DirectoryEnrollment[]): Promise<void> {
  if (enrollments.length === 0) return;
  await sql`
    insert into enrollments (course_id, user_id, role)
    select * from unnest(
      ${enrollments.map((e) => e.courseId)}::text[],
      ${enrollments.map((e) => e.userId)}::text[],
      ${enrollments.map((e) => e.role)}::text[]
    )
    on conflict (course_id, user_id) do update set role = excluded.role
  `.execute(tx);
}
