import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectorySync } from '@teacher-hub/protocol';
import { checkDirectory, planEnrollments } from './directory-plan.ts';

const sound: DirectorySync = {
  users: [
    { id: 't-1', name: 'Teacher', role: 'teacher' },
    { id: 's-1', name: 'Student', role: 'student' },
  ],
  courses: [{ id: 'c-1', name: 'Course' }],
  enrollments: [
    { courseId: 'c-1', userId: 't-1', role: 'teacher' },
    { courseId: 'c-1', userId: 's-1', role: 'student' },
  ],
};

describe('checkDirectory', () => {
  it('finds nothing wrong with a sound directory', () => {
    assert.deepEqual(checkDirectory(sound), []);
  });

  it('points at enrollments to unknown users and courses', () => {
    const details = checkDirectory({
      ...sound,
      enrollments: [...sound.enrollments, { courseId: 'c-404', userId: 's-404', role: 'student' }],
    });
    assert.deepEqual(details, [
      { path: 'enrollments.2.courseId', message: 'unknown course "c-404"' },
      { path: 'enrollments.2.userId', message: 'unknown user "s-404"' },
    ]);
  });

  it('refuses duplicates and a student enrolled as a teacher', () => {
    const details = checkDirectory({
      users: [...sound.users, { id: 's-1', name: 'Again', role: 'student' }],
      courses: [...sound.courses, { id: 'c-1', name: 'Again' }],
      enrollments: [
        ...sound.enrollments,
        { courseId: 'c-1', userId: 's-1', role: 'student' },
        { courseId: 'c-1', userId: 's-1', role: 'teacher' },
      ],
    });
    assert.deepEqual(
      details.map((detail) => detail.path),
      ['users.2.id', 'courses.1.id', 'enrollments.2', 'enrollments.3.role', 'enrollments.3'],
    );
  });

  it('lets a teacher take a course as a student', () => {
    assert.deepEqual(
      checkDirectory({ ...sound, enrollments: [{ courseId: 'c-1', userId: 't-1', role: 'student' }] }),
      [],
    );
  });

  it('caps the details and says how many more there are', () => {
    const enrollments = Array.from({ length: 80 }, (_, index) => ({
      courseId: 'c-1',
      userId: `ghost-${index}`,
      role: 'student' as const,
    }));
    const details = checkDirectory({ ...sound, enrollments });
    assert.equal(details.length, 51);
    assert.deepEqual(details.at(-1), { path: '', message: 'and 30 more problems like these' });
  });
});

describe('planEnrollments', () => {
  it('sorts enrollments into added, removed and kept; a new role is removed and added', () => {
    const plan = planEnrollments(
      [
        { courseId: 'c', userId: 'kept', role: 'student' },
        { courseId: 'c', userId: 'gone', role: 'student' },
        { courseId: 'c', userId: 'promoted', role: 'student' },
      ],
      [
        { courseId: 'c', userId: 'kept', role: 'student' },
        { courseId: 'c', userId: 'promoted', role: 'teacher' },
        { courseId: 'c', userId: 'new', role: 'student' },
      ],
    );
    assert.deepEqual(plan, {
      added: [
        { courseId: 'c', userId: 'promoted', role: 'teacher' },
        { courseId: 'c', userId: 'new', role: 'student' },
      ],
      removed: [
        { courseId: 'c', userId: 'promoted', role: 'student' },
        { courseId: 'c', userId: 'gone', role: 'student' },
      ],
      kept: 1,
    });
  });
});
