import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageResponse } from 'stream-chat';
import { ChatMessageCache, sameOr } from './message-cache.ts';

function streamMessage(id: string, change: Partial<MessageResponse> = {}): MessageResponse {
  return {
    id,
    text: `text of ${id}`,
    type: 'regular',
    user: { id: 'ada', name: 'Ada' },
    created_at: '2026-11-26T10:00:00.000Z',
    attachments: [],
    own_reactions: [],
    reaction_counts: {},
    reply_count: 0,
    pinned: false,
    ...change,
  } as MessageResponse;
}

describe('ChatMessageCache', () => {
  it('gives the same ChatMessage for the same unchanged Stream message', () => {
    const cache = new ChatMessageCache('bo');
    const source = streamMessage('m1');
    const first = cache.get(source);
    assert.equal(first.text, 'text of m1');
    assert.equal(cache.get(source), first);
  });

  it('converts again when stream-chat replaces the message', () => {
    const cache = new ChatMessageCache('bo');
    const source = streamMessage('m1');
    const before = cache.get(source);
    const after = cache.get({ ...source, reaction_counts: { like: 1 } });
    assert.notEqual(after, before);
    assert.deepEqual(after.reactionCounts, { like: 1 });
  });

  it('converts again when a field it reads was changed in place', () => {
    const cache = new ChatMessageCache('bo');
    const source = streamMessage('m1', {
      own_reactions: [{ type: 'like', user_id: 'bo' }] as MessageResponse['own_reactions'],
    });
    assert.deepEqual(cache.get(source).ownReactions, ['like']);
    // As stream-chat's local path for taking back a reaction does.
    source.own_reactions = [];
    assert.deepEqual(cache.get(source).ownReactions, []);
    source.text = 'edited';
    assert.equal(cache.get(source).text, 'edited');
  });
});

describe('sameOr', () => {
  it('keeps the previous array when every element is the same', () => {
    const a = { id: 'a' };
    const previous = [a];
    assert.equal(sameOr(previous, [a]), previous);
  });

  it('takes the new array when an element, or the length, differs', () => {
    const a = { id: 'a' };
    const next = [a, { id: 'b' }];
    assert.equal(sameOr([a], next), next);
    const other = [{ id: 'a' }];
    assert.equal(sameOr([a], other), other);
  });

  it('compares with the given equality', () => {
    const previous = [{ id: 'a', at: 1 }];
    const equal = (x: { at: number }, y: { at: number }) => x.at === y.at;
    assert.equal(sameOr(previous, [{ id: 'a', at: 1 }], equal), previous);
    assert.notEqual(sameOr(previous, [{ id: 'a', at: 2 }], equal), previous);
  });
});
