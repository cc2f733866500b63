import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Equals, Selector, Store } from '@teacher-hub/core';

/**
 * Keeps `value` in step with one slice of a store and re-renders the host only when that slice changes.
 * The store may be swapped (an element's client can change with its attributes or its context).
 *
 * ```ts
 * #roster = new StoreController(this, client.roster.store, (state) => state.data);
 * render() { return html`${this.#roster.value?.courses.length}`; }
 * ```
 */
export class StoreController<S extends object, T> implements ReactiveController {
  /** The selected slice; `undefined` while there is no store. */
  value: T | undefined;
  readonly #host: ReactiveControllerHost;
  readonly #selector: Selector<S, T>;
  readonly #equals: Equals<T>;
  #store: Store<S> | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;

  constructor(
    host: ReactiveControllerHost,
    store: Store<S> | undefined,
    selector: Selector<S, T>,
    equals: Equals<T> = Object.is,
  ) {
    this.#host = host;
    this.#store = store;
    this.#selector = selector;
    this.#equals = equals;
    this.value = store ? selector(store.get()) : undefined;
    host.addController(this);
  }

  get store(): Store<S> | undefined {
    return this.#store;
  }

  /** Follows another store (or none). Safe to call on every update: the same store is a no-op. */
  setStore(store: Store<S> | undefined): void {
    if (store === this.#store) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#store = store;
    if (this.#connected) this.#subscribe();
    else this.value = store ? this.#selector(store.get()) : undefined;
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#subscribe();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #subscribe(): void {
    const store = this.#store;
    if (!store) {
      this.value = undefined;
      return;
    }
    // Catch up on what changed while disconnected, then hear about every later change of the slice.
    const current = this.#selector(store.get());
    if (this.value === undefined || !this.#equals(this.value, current)) {
      this.value = current;
      this.#host.requestUpdate();
    }
    this.#unsubscribe = store.subscribe(
      this.#selector,
      (value) => {
        this.value = value;
        this.#host.requestUpdate();
      },
      this.#equals,
    );
  }
}
