import type { Kysely } from 'kysely';
import type { HubDatabase } from './schema.ts';

/**
 * Rule 1 as one query: those of `studentIds` enrolled as students in at least one course `teacherId`
 * teaches. Chats and sessions both check their members with it.
 */
export async function studentsOfTeacher(
  db: Kysely<HubDatabase>,
  teacherId: string,
  studentIds: readonly string[],
): Promise<Set<string>> {
  if (studentIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('enrollments as taught')
    .innerJoin('enrollments as teaching', 'teaching.course_id', 'taught.course_id')
    .select('taught.user_id')
    .distinct()
    .where('teaching.user_id', '=', teacherId)
    .where('teaching.role', '=', 'teacher')
    .where('taught.role', '=', 'student')
    .where('taught.user_id', 'in', [...studentIds])
    .execute();
  return new Set(rows.map((row) => row.user_id));
}
