import { createStore } from './store.ts';
import type { Store } from './store.ts';

export const LOAD_STATUSES = ['idle', 'loading', 'ready', 'error'] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

export interface ResourceState<T> {
  status: LoadStatus;
  /** The last value loaded; kept while a reload runs or fails, so views need not blank out. */
  data?: T | undefined;
  error?: unknown;
}

/**
 * One piece of server state that several elements read: the first `load()` fetches, concurrent and later
 * calls share that fetch or its result, and `reload()` fetches again. Its `store` is what views subscribe to.
 */
export class Resource<T> {
  readonly store: Store<ResourceState<T>>;
  readonly #fetch: () => Promise<T>;
  #pending: Promise<T> | undefined;

  constructor(fetcher: () => Promise<T>) {
    this.#fetch = fetcher;
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
    // Cleared before the store notifies, so a listener that reloads starts a new fetch.
    const pending = new Promise<T>((resolve) => resolve(this.#fetch())).then(
      (data) => {
        this.#pending = undefined;
        this.store.set({ status: 'ready', data, error: undefined });
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
    return pending;
  }
}
