// The pure rules of the notification center's list: merging pages and live events without duplicates, read
// marks, the cursor for the next page, and the unread count when the hub's number meets local changes it
// has not seen yet. No I/O here, so Node tests cover every rule.
import type { HubNotification } from '@teacher-hub/protocol';

/** Newest first: `createdAt` descending (ISO-8601 UTC strings compare as text); ties keep their order. */
function byNewest(a: HubNotification, b: HubNotification): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

/**
 * `existing` and `incoming` as one list, newest first, each id once. An id in both takes `incoming`'s fields
 * (the fresher copy), but its read mark is `incoming.readAt ?? existing.readAt` when `keepRead(id)` says the
 * local mark must survive (a read not confirmed yet, or a live copy that can only be older news).
 * Incoming items come first among equal timestamps, so a live item lands on top.
 */
export function mergeNotifications(
  existing: readonly HubNotification[],
  incoming: readonly HubNotification[],
  keepRead: (id: string) => boolean = () => false,
): HubNotification[] {
  if (incoming.length === 0) return existing as HubNotification[];
  const byId = new Map<string, HubNotification>();
  for (const item of existing) byId.set(item.id, item);
  const merged: HubNotification[] = [];
  const seen = new Set<string>();
  for (const item of incoming) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    const old = byId.get(item.id);
    const readAt = item.readAt ?? (old && keepRead(item.id) ? old.readAt : null);
    merged.push(readAt === item.readAt ? item : { ...item, readAt });
  }
  for (const item of existing) {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      merged.push(item);
    }
  }
  return merged.sort(byNewest);
}

/**
 * Marks `ids` read at `readAt` (items already read keep their time). Returns the same array when nothing
 * changed, so a store set with it notifies nobody.
 */
export function markItemsRead(
  items: readonly HubNotification[],
  ids: Iterable<string> | 'all',
  readAt: string,
): HubNotification[] {
  const wanted = ids === 'all' ? undefined : new Set(ids);
  let changed = false;
  const next = items.map((item) => {
    if (item.readAt !== null || (wanted && !wanted.has(item.id))) return item;
    changed = true;
    return { ...item, readAt };
  });
  return changed ? next : (items as HubNotification[]);
}

/** Marks `ids` unread again (a mark-read the hub refused). Same array when nothing changed. */
export function markItemsUnread(items: readonly HubNotification[], ids: Iterable<string>): HubNotification[] {
  const wanted = new Set(ids);
  let changed = false;
  const next = items.map((item) => {
    if (item.readAt === null || !wanted.has(item.id)) return item;
    changed = true;
    return { ...item, readAt: null };
  });
  return changed ? next : (items as HubNotification[]);
}

/** The ids among `ids` that are listed and unread: what a mark-read changes locally. */
export function unreadAmong(items: readonly HubNotification[], ids: Iterable<string>): string[] {
  const wanted = new Set(ids);
  return items.filter((item) => item.readAt === null && wanted.has(item.id)).map((item) => item.id);
}

/**
 * The `before` cursor for the page after `items`: one millisecond past the oldest `createdAt`. The hub
 * pages by `created_at < before`, so notifications that share the oldest one's millisecond would fall
 * between two pages; asking from just after it fetches them again instead, and the merge drops the repeat.
 */
export function nextPageBefore(items: readonly HubNotification[]): string | undefined {
  let oldest: string | undefined;
  for (const item of items) if (oldest === undefined || item.createdAt < oldest) oldest = item.createdAt;
  if (oldest === undefined) return undefined;
  const time = Date.parse(oldest);
  return Number.isNaN(time) ? oldest : new Date(time + 1).toISOString();
}

/**
 * The unread count to show for a count the hub reported, given reads this client has made optimistically
 * and the hub had not applied yet when it counted (`pendingReads`; ids the hub's answer says it applied,
 * `applied`, are already in its count). Never below zero.
 */
export function reconcileUnread(
  hubCount: number,
  pendingReads: Iterable<string>,
  applied: Iterable<string> = [],
): number {
  const done = new Set(applied);
  let pending = 0;
  for (const id of pendingReads) if (!done.has(id)) pending += 1;
  return Math.max(0, hubCount - pending);
}
