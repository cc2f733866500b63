import type { CacheSlot } from './cache/client-cache.ts';
import { createStore } from './store.ts';
import type { Store } from './store.ts';

export const LOAD_STATUSES = ['idle', 'loading', 'ready', 'error'] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

export interface ResourceState<T> {
  status: LoadStatus;
  /**
   * The last value loaded; kept while a reload runs or fails, so views need not blank out. While the first
   * load runs it may be the value cached from an earlier visit (`status` stays `loading` until the fresh one).
   */
  data?: T | undefined;
  error?: unknown;
}

export interface ResourceOptions<T> {
  /**
   * Opens the cached copy of the value for one fetch (see `ClientCache.slot`): while a fetch runs and
   * nothing was loaded, the cached value is published as `data`; every fetched value is saved. The cache is
   * read beside the fetch, never before it, and a cached value that arrives after the fetch is dropped.
   */
  cache?: (() => CacheSlot<T>) | undefined;
}

/**
 * One piece of server state that several elements read: the first `load()` fetches, concurrent and later
 * calls share that fetch or its result, and `reload()` fetches again. Its `store` is what views subscribe to.
 */
export class Resource<T> {
  readonly store: Store<ResourceState<T>>;
  readonly #fetch: () => Promise<T>;
  readonly #cache: (() => CacheSlot<T>) | undefined;
  #pending: Promise<T> | undefined;

  constructor(fetcher: () => Promise<T>, options: ResourceOptions<T> = {}) {
    this.#fetch = fetcher;
    this.#cache = options.cache;
    this.store = createStore<ResourceState<T>>({ status: 'idle' });
  }

  get state(): ResourceState<T> {
    return this.store.get();
  }

  /** The loaded value; fetches only when nothing was loaded yet or the last attempt failed. */
  load(): Promise<T> {
    const { status, data } = this.store.get();
    if (status === 'ready') return Promise.resolve(data as T);
    return this.#run();
  }

  /** Fetches again even when a value is loaded (joins a fetch already running). */
  reload(): Promise<T> {
    return this.#run();
  }

  #run(): Promise<T> {
    if (this.#pending) return this.#pending;
    const slot = this.#cache?.();
    // Cleared before the store notifies, so a listener that reloads starts a new fetch.
    const pending = new Promise<T>((resolve) => resolve(this.#fetch())).then(
      (data) => {
        this.#pending = undefined;
        this.store.set({ status: 'ready', data, error: undefined });
        void slot?.write(data);
        return data;
      },
      (error: unknown) => {
        this.#pending = undefined;
        this.store.set({ status: 'error', error });
        throw error;
      },
    );
    this.#pending = pending;
    // After #pending is set, so a listener that calls load() joins this fetch.
    this.store.set({ status: 'loading', error: undefined });
    if (slot && this.store.get().data === undefined) {
      void slot.read().then((cached) => {
        // Only for this very fetch, and only while nothing fresher is shown.
        if (cached === undefined || this.#pending !== pending) return;
        if (this.store.get().data !== undefined) return;
        this.store.set({ data: cached });
      });
    }
    return pending;
  }
}
