// Helpers for browser tests that talk to the real hub started by web-test-runner.config.mjs. Not part of
// the SDK (nothing in src/index.ts imports this file).
import type { DevTokenResponse, DirectorySync, DevUsersResponse, Roster } from '@teacher-hub/protocol';

declare global {
  interface Window {
    /** The hub server the test run started (set by the runner's HTML). */
    HUB_TEST_SERVER?: string;
  }
}

/** Dev mode's admin key (`HUB_ADMIN_KEY` default). */
const DEV_ADMIN_KEY = 'dev-admin-key';

export function hubServer(): string {
  const url = window.HUB_TEST_SERVER;
  if (!url) throw new Error('No hub server: run the browser tests through web-test-runner.config.mjs.');
  return url;
}

/** A hub token for a seeded user, from the dev-mode `POST /v1/dev/token`. */
export async function devToken(userId: string): Promise<string> {
  const response = await fetch(`${hubServer()}/v1/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(`POST /v1/dev/token for ${userId} answered ${response.status}`);
  return ((await response.json()) as DevTokenResponse).token;
}

/** The runner's stand-in for a host LMS token endpoint (see web-test-runner.config.mjs). */
export function lmsTokenUrl(userId: string, format: 'json' | 'text' = 'json'): string {
  return `/test-lms/hub-token?userId=${encodeURIComponent(userId)}${format === 'text' ? '&format=text' : ''}`;
}

async function get<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${hubServer()}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function putDirectory(directory: DirectorySync): Promise<void> {
  const response = await fetch(`${hubServer()}/v1/admin/directory`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_ADMIN_KEY}` },
    body: JSON.stringify(directory),
  });
  if (!response.ok)
    throw new Error(`PUT /v1/admin/directory answered ${response.status}: ${await response.text()}`);
}

/**
 * The hub's current directory, read back through the API: users from the dev sign-in list, courses and
 * enrollments from every teacher's roster. `PUT /v1/admin/directory` replaces the whole directory, so a test
 * that adds to it must put back exactly this.
 */
async function readDirectory(): Promise<DirectorySync> {
  const { users } = await get<DevUsersResponse>('/v1/dev/users', await devToken('t-ada'));
  const courses = new Map<string, { id: string; name: string }>();
  const enrollments: DirectorySync['enrollments'] = [];
  for (const teacher of users.filter((user) => user.role === 'teacher')) {
    const roster = await get<Roster>('/v1/roster', await devToken(teacher.id));
    for (const course of roster.courses) {
      courses.set(course.id, { id: course.id, name: course.name });
      enrollments.push({ courseId: course.id, userId: teacher.id, role: 'teacher' });
      for (const student of course.students) {
        if (!enrollments.some((e) => e.courseId === course.id && e.userId === student.id)) {
          enrollments.push({ courseId: course.id, userId: student.id, role: 'student' });
        }
      }
    }
  }
  return {
    users: users.map(({ id, name, role, email }) => ({ id, name, role, email })),
    courses: [...courses.values()],
    enrollments,
  };
}

/**
 * Runs `body` with `additions` merged into the hub's directory (everything else unchanged, so test files
 * running alongside see the same seed), then puts the original directory back.
 */
export async function withDirectoryAdditions(
  additions: Partial<DirectorySync>,
  body: () => Promise<void>,
): Promise<void> {
  const original = await readDirectory();
  await putDirectory({
    users: [...original.users, ...(additions.users ?? [])],
    courses: [...original.courses, ...(additions.courses ?? [])],
    enrollments: [...original.enrollments, ...(additions.enrollments ?? [])],
  });
  try {
    await body();
  } finally {
    await putDirectory(original);
  }
}

function uniqueId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `body` as a teacher, added for the occasion, who is enrolled in nothing. */
export async function withTeacherWithoutCourses(
  body: (teacher: { id: string; token: string }) => Promise<void>,
): Promise<void> {
  const id = uniqueId('t-empty');
  await withDirectoryAdditions(
    { users: [{ id, name: 'Evan Empty', role: 'teacher', email: `${id}@example.edu` }] },
    async () => body({ id, token: await devToken(id) }),
  );
}

/** Runs `body` as a teacher, added for the occasion, with `courses` courses of `perCourse` new students each. */
export async function withLargeClass(
  courses: number,
  perCourse: number,
  body: (teacher: { id: string; token: string; studentCount: number }) => Promise<void>,
): Promise<void> {
  const id = uniqueId('t-large');
  const additions: DirectorySync = {
    users: [{ id, name: 'Lara Large', role: 'teacher', email: `${id}@example.edu` }],
    courses: [],
    enrollments: [],
  };
  for (let c = 0; c < courses; c++) {
    const courseId = `${id}-course-${c + 1}`;
    additions.courses.push({ id: courseId, name: `Large course ${c + 1}` });
    additions.enrollments.push({ courseId, userId: id, role: 'teacher' });
    for (let s = 0; s < perCourse; s++) {
      const studentId = `${id}-s-${c * perCourse + s + 1}`;
      additions.users.push({ id: studentId, name: `Student ${c * perCourse + s + 1}`, role: 'student' });
      additions.enrollments.push({ courseId, userId: studentId, role: 'student' });
    }
  }
  await withDirectoryAdditions(additions, async () =>
    body({ id, token: await devToken(id), studentCount: courses * perCourse }),
  );
}
