import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../errors.ts';
import type { ChatRecord } from './chat.ts';
import { directChatId } from './chat.ts';
import { assertAllEnrolled, assertOwner, decideDirect, type Party } from './chat-rules.ts';

const ada: Party = { id: 't-ada', role: 'teacher' };
const grace: Party = { id: 't-grace', role: 'teacher' };
const amara: Party = { id: 's-01', role: 'student' };
const ben: Party = { id: 's-02', role: 'student' };

const refusal = (code: string) => (error: unknown) => error instanceof ApiError && error.code === code;

describe('who may talk to whom', () => {
  it('pairs a teacher and an enrolled student, from either side, the same way round', () => {
    assert.deepEqual(decideDirect(ada, amara.id, amara, true), { teacherId: 't-ada', studentId: 's-01' });
    assert.deepEqual(decideDirect(amara, ada.id, ada, true), { teacherId: 't-ada', studentId: 's-01' });
    assert.equal(directChatId('t-ada', 's-01'), directChatId('s-01', 't-ada'));
    assert.match(directChatId('t-ada', 's-01'), /^d-[0-9a-f]{40}$/);
    assert.notEqual(directChatId('t-ada', 's-01'), directChatId('t-ada', 's-02'));
  });

  it('refuses students with students and teachers with teachers (403 FORBIDDEN), strangers with NOT_ENROLLED', () => {
    assert.throws(() => decideDirect(amara, ben.id, ben, false), refusal('FORBIDDEN'));
    assert.throws(() => decideDirect(ada, grace.id, grace, false), refusal('FORBIDDEN'));
    assert.throws(() => decideDirect(ada, amara.id, amara, false), refusal('NOT_ENROLLED'));
    assert.throws(() => decideDirect(amara, grace.id, grace, false), refusal('NOT_ENROLLED'));
    assert.throws(() => decideDirect(ada, 'nobody', undefined, false), refusal('NOT_ENROLLED'));
    assert.throws(() => decideDirect(ada, ada.id, ada, true), refusal('VALIDATION_FAILED'));
  });

  it('refuses a group member list with anyone not enrolled, pointing at each in the request', () => {
    assert.doesNotThrow(() =>
      assertAllEnrolled('memberIds', ['s-01', 't-ada'], new Set(['s-01']), new Set(['t-ada'])),
    );
    assert.throws(
      () => assertAllEnrolled('memberIds', ['s-01', 's-09', 't-grace'], new Set(['s-01'])),
      (error: unknown) =>
        error instanceof ApiError &&
        error.code === 'NOT_ENROLLED' &&
        JSON.stringify(error.details?.map((detail) => detail.path)) === '["memberIds.1","memberIds.2"]',
    );
  });

  it('lets only the owning teacher change a group; to others it does not exist or is not theirs', () => {
    const chat: ChatRecord = {
      id: 'g-1',
      kind: 'group',
      channelType: 'hub-group',
      name: 'G',
      ownerId: 't-ada',
      teacherId: 't-ada',
      memberIds: ['t-ada', 's-01'],
      createdAt: new Date(),
    };
    assert.equal(assertOwner(chat, ada, 'rename'), chat);
    assert.throws(() => assertOwner(chat, amara, 'rename'), refusal('FORBIDDEN'));
    assert.throws(() => assertOwner(chat, grace, 'rename'), refusal('NOT_FOUND'));
    assert.throws(() => assertOwner(undefined, ada, 'rename'), refusal('NOT_FOUND'));
    assert.throws(
      () => assertOwner({ ...chat, kind: 'direct', ownerId: null }, ada, 'rename'),
      refusal('FORBIDDEN'),
    );
  });
});
