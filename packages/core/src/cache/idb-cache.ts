import { clear, createStore, get, promisifyRequest, set } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';
import type { HubCache } from './hub-cache.ts';

/** The IndexedDB database the client's cache lives in (its own, so it never meets a host page's data). */
export const HUB_CACHE_DATABASE = 'teacher-hub-cache';

/**
 * The client's cache in IndexedDB (through `idb-keyval`), the default in browsers. The database is opened
 * on first use, so a client that never reads or writes opens nothing.
 */
export class IdbHubCache implements HubCache {
  readonly #databaseName: string;
  #store: UseStore | undefined;

  constructor(databaseName: string = HUB_CACHE_DATABASE) {
    this.#databaseName = databaseName;
  }

  get #entries(): UseStore {
    this.#store ??= createStore(this.#databaseName, 'entries');
    return this.#store;
  }

  read<T>(key: string): Promise<T | undefined> {
    return get<T>(key, this.#entries);
  }

  write(key: string, value: unknown): Promise<void> {
    return set(key, value, this.#entries);
  }

  clear(prefix?: string): Promise<void> {
    if (prefix === undefined) return clear(this.#entries);
    // Every string key starting with `prefix` sorts between it and `prefix` + the highest code unit.
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    return this.#entries('readwrite', (store) => {
      store.delete(range);
      return promisifyRequest(store.transaction);
    });
  }
}
