/**
 * Where the client keeps what it last loaded, so elements paint at once and then refresh (`client.*`
 * stores read it while their first load runs). A port: `IdbHubCache` (IndexedDB) in browsers,
 * `MemoryHubCache` in tests, or the host's own. Keys are strings the client builds (server, user, name);
 * values are plain data (what `toPlainData` returns). Every method may fail: the client then simply works
 * without the cache.
 */
export interface HubCache {
  read<T>(key: string): Promise<T | undefined>;
  write(key: string, value: unknown): Promise<void>;
  /** Deletes the entries whose keys start with `prefix`, or every entry without one. */
  clear(prefix?: string): Promise<void>;
}

/**
 * `value` as plain, structured-clone-safe data: a JSON round trip, so functions, class instances' methods,
 * `undefined` fields and cycles' owners (which throw) never reach the store.
 */
export function toPlainData<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A `HubCache` in memory: for tests, and for hosts that want the cache only for a page's lifetime. */
export class MemoryHubCache implements HubCache {
  readonly entries = new Map<string, unknown>();

  read<T>(key: string): Promise<T | undefined> {
    return Promise.resolve(this.entries.get(key) as T | undefined);
  }

  write(key: string, value: unknown): Promise<void> {
    this.entries.set(key, structuredClone(value));
    return Promise.resolve();
  }

  clear(prefix?: string): Promise<void> {
    for (const key of [...this.entries.keys()]) {
      if (prefix === undefined || key.startsWith(prefix)) this.entries.delete(key);
    }
    return Promise.resolve();
  }
}
