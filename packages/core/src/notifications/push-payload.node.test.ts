import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepLink, isPushPayload } from './push-payload.ts';

describe('deepLink', () => {
  it('links a call, a session occurrence and a chat', () => {
    assert.equal(deepLink({ callId: 'call 1', chatId: 'c1' }), '#call/call%201');
    assert.equal(
      deepLink({ sessionId: 's1', occurrenceStart: '2026-12-07T15:00:00.000Z' }),
      '#session/s1/2026-12-07T15%3A00%3A00.000Z',
    );
    assert.equal(deepLink({ chatId: 'c1' }), '#chat/c1');
    assert.equal(deepLink({}), '#notifications');
    assert.equal(deepLink({ link: '#chat/x', chatId: 'y' }), '#chat/x');
  });
});

describe('isPushPayload', () => {
  it('accepts the hub payload and refuses anything else', () => {
    assert.equal(
      isPushPayload({
        notificationId: 'n1',
        kind: 'test',
        priority: 'normal',
        title: 'T',
        body: 'B',
        data: {},
        collapseKey: 'k',
      }),
      true,
    );
    assert.equal(isPushPayload({ title: 'no key' }), false);
    assert.equal(isPushPayload('text'), false);
    assert.equal(isPushPayload(null), false);
  });
});
