import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubNotification } from '@teacher-hub/protocol';
import {
  markItemsRead,
  markItemsUnread,
  mergeNotifications,
  nextPageBefore,
  reconcileUnread,
  unreadAmong,
} from './notification-list.ts';

function note(id: string, createdAt: string, readAt: string | null = null): HubNotification {
  return {
    id,
    kind: 'chat.message',
    priority: 'normal',
    title: `Title ${id}`,
    body: 'Body',
    data: {},
    createdAt,
    readAt,
  };
}

const T1 = '2026-11-20T10:00:00.000Z';
const T2 = '2026-11-20T11:00:00.000Z';
const T3 = '2026-11-20T12:00:00.000Z';
const READ = '2026-11-20T13:00:00.000Z';

describe('mergeNotifications', () => {
  it('lists each id once, newest first', () => {
    const merged = mergeNotifications([note('b', T2), note('a', T1)], [note('c', T3), note('b', T2)]);
    assert.deepEqual(
      merged.map((item) => item.id),
      ['c', 'b', 'a'],
    );
  });

  it('puts an incoming item above an existing one of the same instant', () => {
    const merged = mergeNotifications([note('old', T2)], [note('live', T2)]);
    assert.deepEqual(
      merged.map((item) => item.id),
      ['live', 'old'],
    );
  });

  it('takes the incoming copy, whose read mark wins unless the local one must be kept', () => {
    const local = [note('a', T1, READ)];
    assert.equal(mergeNotifications(local, [note('a', T1)])[0]!.readAt, null, 'the hub says unread');
    assert.equal(
      mergeNotifications(local, [note('a', T1)], (id) => id === 'a')[0]!.readAt,
      READ,
      'a read still on its way',
    );
    assert.equal(mergeNotifications([note('a', T1)], [note('a', T1, READ)])[0]!.readAt, READ);
  });

  it('drops duplicates within the incoming page too', () => {
    const merged = mergeNotifications([], [note('a', T1), note('a', T1)]);
    assert.equal(merged.length, 1);
  });

  it('returns the same array when there is nothing to merge', () => {
    const items = [note('a', T1)];
    assert.equal(mergeNotifications(items, []), items);
  });
});

describe('markItemsRead / markItemsUnread / unreadAmong', () => {
  it('marks only the unread ones asked for, and keeps earlier read times', () => {
    const items = [note('a', T3), note('b', T2, T2), note('c', T1)];
    const next = markItemsRead(items, ['a', 'b'], READ);
    assert.deepEqual(
      next.map((item) => item.readAt),
      [READ, T2, null],
    );
    assert.deepEqual(
      markItemsRead(items, 'all', READ).map((item) => item.readAt),
      [READ, T2, READ],
    );
  });

  it('returns the same array when nothing changes, so stores stay quiet', () => {
    const items = [note('a', T1, READ)];
    assert.equal(markItemsRead(items, ['a', 'zzz'], READ), items);
    assert.equal(markItemsUnread([note('a', T1)], ['a']).length, 1);
    const unread = [note('a', T1)];
    assert.equal(markItemsUnread(unread, ['a']), unread);
  });

  it('undoes a read', () => {
    assert.equal(markItemsUnread([note('a', T1, READ)], ['a'])[0]!.readAt, null);
  });

  it('finds the listed unread ids among those given', () => {
    const items = [note('a', T3), note('b', T2, T2), note('c', T1)];
    assert.deepEqual(unreadAmong(items, ['a', 'b', 'not-listed']), ['a']);
  });
});

describe('nextPageBefore', () => {
  it('asks from one millisecond after the oldest item, so items sharing its instant are not skipped', () => {
    assert.equal(nextPageBefore([note('b', T2), note('a', T1)]), '2026-11-20T10:00:00.001Z');
    assert.equal(nextPageBefore([]), undefined);
  });
});

describe('reconcileUnread', () => {
  it('subtracts reads the hub had not applied when it counted, and never goes below zero', () => {
    assert.equal(reconcileUnread(5, ['a', 'b']), 3);
    assert.equal(reconcileUnread(5, ['a', 'b'], ['a']), 4, 'a is in the hub count already');
    assert.equal(reconcileUnread(1, ['a', 'b', 'c']), 0);
    assert.equal(reconcileUnread(2, []), 2);
  });
});
