import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Call, CallMember } from '@teacher-hub/protocol';
import { LIVE_MEMBER_LIST_LIMIT, liveCall } from './call-service.ts';

const callOf = (students: number, state: (index: number) => CallMember['state'] = () => 'ringing'): Call => ({
  id: 'call-1',
  chatId: 'chat-1',
  chatName: 'Algebra',
  status: 'ringing',
  ringExpiresAt: '2026-12-01T09:00:30.000Z',
  startedBy: 't-1',
  startedAt: '2026-12-01T09:00:00.000Z',
  endedAt: null,
  members: [
    { userId: 't-1', name: 'Ada', role: 'teacher', state: 'joined' },
    ...Array.from({ length: students }, (_, index) => ({
      userId: `s-${index}`,
      name: `Student ${index}`,
      role: 'student' as const,
      state: state(index),
    })),
  ],
});

it('sends a small call with its whole member list', () => {
  const call = callOf(LIVE_MEMBER_LIST_LIMIT - 1);
  assert.equal(liveCall(call), call);
});

it('leaves the members still ringing out of a big call, and counts them', () => {
  const call = callOf(1_000, (index) => (index < 3 ? 'joined' : index === 3 ? 'declined' : 'ringing'));
  const live = liveCall(call);
  assert.equal(live.ringingUnlisted, 996);
  assert.deepEqual(
    live.members.map((member) => `${member.userId}:${member.state}`),
    ['t-1:joined', 's-0:joined', 's-1:joined', 's-2:joined', 's-3:declined'],
  );
  assert.deepEqual(
    { ...live, members: call.members, ringingUnlisted: undefined },
    { ...call, ringingUnlisted: undefined },
  );
  assert.ok(JSON.stringify(live).length < 1_000, 'a small event for every stream');
});

it('sends a big call nobody is rung in as it is', () => {
  const call = callOf(1_000, () => 'joined');
  assert.equal(liveCall(call), call);
});
