import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestDueAt, digestText, excerpt } from './chat-digest.ts';

const NAMES: Record<string, string> = {
  't-ada': 'Ada Lovelace',
  's-01': 'Amara Okafor',
  's-06': "Finn O'Brien",
};
const nameOf = (id: string) => NAMES[id] ?? id;
const group = { kind: 'group' as const, name: 'Algebra study group' };

describe('chat digests', () => {
  it('says how many messages, from whom and where, with the latest text', () => {
    const one = { messageCount: 1, senderIds: ['t-ada'], lastSenderId: 't-ada', lastText: 'Hello' };
    assert.deepEqual(digestText(one, nameOf, group), {
      title: 'New message from Ada Lovelace in Algebra study group',
      body: 'Hello',
    });
    assert.deepEqual(digestText({ ...one, messageCount: 3, lastText: 'Due Friday!' }, nameOf, group), {
      title: '3 new messages from Ada Lovelace in Algebra study group',
      body: 'Due Friday!',
    });
    assert.deepEqual(
      digestText({ ...one, messageCount: 2 }, nameOf, { kind: 'direct', name: null }).title,
      '2 new messages from Ada Lovelace',
    );
  });

  it('names the latest sender when several wrote, and sums up more than two', () => {
    const digest = { messageCount: 4, senderIds: ['t-ada', 's-01'], lastSenderId: 's-01', lastText: 'Ok' };
    assert.deepEqual(digestText(digest, nameOf, group), {
      title: '4 new messages from Ada Lovelace and Amara Okafor in Algebra study group',
      body: 'Amara Okafor: Ok',
    });
    assert.equal(
      digestText({ ...digest, senderIds: ['t-ada', 's-01', 's-06'] }, nameOf, group).title,
      '4 new messages from Ada Lovelace and 2 others in Algebra study group',
    );
  });

  it('stands in for a message without text, and shortens long ones on a character boundary', () => {
    const files = { messageCount: 1, senderIds: ['s-01'], lastSenderId: 's-01', lastText: '  ' };
    assert.equal(digestText(files, nameOf, group).body, 'Sent an attachment');
    assert.equal(excerpt('a  b\n\nc'), 'a b c');
    const long = excerpt('🙂'.repeat(200), 10);
    assert.equal([...long].length, 10);
    assert.ok(long.endsWith('…'));
  });

  it('runs at the end of the window, but not before the cooldown after the last notification', () => {
    const first = new Date('2026-12-01T09:00:00Z');
    assert.equal(digestDueAt(first, null).toISOString(), '2026-12-01T09:00:05.000Z');
    assert.equal(
      digestDueAt(first, new Date('2026-12-01T08:59:30Z')).toISOString(),
      '2026-12-01T09:00:30.000Z',
    );
    assert.equal(
      digestDueAt(first, new Date('2026-12-01T08:50:00Z')).toISOString(),
      '2026-12-01T09:00:05.000Z',
    );
  });
});
