export type Listener<T> = (value: T, previous: T) => void;
export type Equals<T> = (a: T, b: T) => boolean;
export type Selector<S, T> = (state: S) => T;
export type StateUpdate<S> = Partial<S> | ((state: S) => Partial<S>);

/** A tiny observable state container; consumers subscribe to a slice and hear only about its changes. */
export interface Store<S extends object> {
  get(): S;
  /** Shallow-merges a partial state (or what an updater returns). Setting equal values notifies nobody. */
  set(update: StateUpdate<S>): void;
  /**
   * Calls `listener(slice, previousSlice)` whenever `selector(state)` changes by `equals` (`Object.is`
   * unless given; see `shallowEqual` for selectors that build objects). Returns the unsubscribe function.
   */
  subscribe<T>(selector: Selector<S, T>, listener: Listener<T>, equals?: Equals<T>): () => void;
}

interface Subscription<S, T> {
  selector: Selector<S, T>;
  listener: Listener<T>;
  equals: Equals<T>;
  last: T;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const subscriptions = new Set<Subscription<S, unknown>>();

  return {
    get: () => state,
    set(update) {
      const partial = typeof update === 'function' ? update(state) : update;
      const keys = Object.keys(partial) as (keyof S)[];
      if (keys.every((key) => Object.is(state[key], partial[key]))) return;
      state = { ...state, ...partial };
      // A snapshot, so listeners may unsubscribe (or subscribe) while we notify.
      for (const subscription of [...subscriptions]) {
        if (!subscriptions.has(subscription)) continue;
        // Read the current state, not the one this call set: a listener may have set it again meanwhile.
        const next = subscription.selector(state);
        if (subscription.equals(subscription.last, next)) continue;
        const previous = subscription.last;
        subscription.last = next;
        subscription.listener(next, previous);
      }
    },
    subscribe<T>(selector: Selector<S, T>, listener: Listener<T>, equals: Equals<T> = Object.is) {
      const subscription: Subscription<S, T> = { selector, listener, equals, last: selector(state) };
      subscriptions.add(subscription as Subscription<S, unknown>);
      return () => {
        subscriptions.delete(subscription as Subscription<S, unknown>);
      };
    },
  };
}

/** Equal when both are the same value or objects/arrays with `Object.is`-equal own entries. */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every(
    (key) =>
      Object.prototype.hasOwnProperty.call(b, key) &&
      Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
