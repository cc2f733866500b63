import type { DirectoryEnrollment, DirectorySync, ErrorDetail } from '@teacher-hub/protocol';

/** More details than this help nobody; the rest is summarised in one line. */
const MAX_DETAILS = 50;

/**
 * Checks a directory for what a schema cannot see: duplicate ids, enrollments that point at a user or
 * course the directory does not have, and students enrolled as teachers. Returns one detail per problem
 * (empty when the directory is sound).
 */
export function checkDirectory(directory: DirectorySync): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const userRoles = new Map<string, string>();
  directory.users.forEach((user, index) => {
    if (userRoles.has(user.id)) {
      details.push({ path: `users.${index}.id`, message: `user "${user.id}" is listed more than once` });
    }
    userRoles.set(user.id, user.role);
  });
  const courseIds = new Set<string>();
  directory.courses.forEach((course, index) => {
    if (courseIds.has(course.id)) {
      details.push({
        path: `courses.${index}.id`,
        message: `course "${course.id}" is listed more than once`,
      });
    }
    courseIds.add(course.id);
  });
  const enrollmentKeys = new Set<string>();
  directory.enrollments.forEach((enrollment, index) => {
    const path = `enrollments.${index}`;
    if (!courseIds.has(enrollment.courseId)) {
      details.push({ path: `${path}.courseId`, message: `unknown course "${enrollment.courseId}"` });
    }
    const userRole = userRoles.get(enrollment.userId);
    if (userRole === undefined) {
      details.push({ path: `${path}.userId`, message: `unknown user "${enrollment.userId}"` });
    } else if (userRole === 'student' && enrollment.role === 'teacher') {
      details.push({
        path: `${path}.role`,
        message: `user "${enrollment.userId}" is a student and cannot teach course "${enrollment.courseId}"`,
      });
    }
    const key = enrollmentKey(enrollment);
    if (enrollmentKeys.has(key)) {
      details.push({
        path,
        message: `user "${enrollment.userId}" is enrolled in course "${enrollment.courseId}" more than once`,
      });
    }
    enrollmentKeys.add(key);
  });
  if (details.length <= MAX_DETAILS) return details;
  return [
    ...details.slice(0, MAX_DETAILS),
    { path: '', message: `and ${details.length - MAX_DETAILS} more problems like these` },
  ];
}

export interface EnrollmentPlan {
  added: DirectoryEnrollment[];
  /** Gone, or now with another role (listed with the old role). */
  removed: DirectoryEnrollment[];
  kept: number;
}

/** What turns the `current` enrollments into the `next` ones. A changed role counts as removed and added. */
export function planEnrollments(
  current: readonly DirectoryEnrollment[],
  next: readonly DirectoryEnrollment[],
): EnrollmentPlan {
  const currentByKey = new Map(current.map((enrollment) => [enrollmentKey(enrollment), enrollment]));
  const nextKeys = new Set<string>();
  const added: DirectoryEnrollment[] = [];
  const removed: DirectoryEnrollment[] = [];
  let kept = 0;
  for (const enrollment of next) {
    const key = enrollmentKey(enrollment);
    nextKeys.add(key);
    const existing = currentByKey.get(key);
    if (!existing) {
      added.push(enrollment);
    } else if (existing.role === enrollment.role) {
      kept += 1;
    } else {
      removed.push(existing);
      added.push(enrollment);
    }
  }
  for (const [key, enrollment] of currentByKey) {
    if (!nextKeys.has(key)) removed.push(enrollment);
  }
  return { added, removed, kept };
}

function enrollmentKey(enrollment: Pick<DirectoryEnrollment, 'courseId' | 'userId'>): string {
  return `${enrollment.courseId}\u0000${enrollment.userId}`;
}
