/**
 * The `hub-*` events elements send out, with their `detail` types. Each element adds its own entries here
 * so that `addEventListener('hub-…', (event) => event.detail…)` is typed for every host.
 */
export interface HubEventDetails {
  /** `<student-picker>`: the selection changed through the user (alongside the contract's `change`). */
  'hub-selection-change': { value: string[] };
}

export type HubEventName = keyof HubEventDetails;
export type HubEvent<K extends HubEventName> = CustomEvent<HubEventDetails[K]>;

declare global {
  interface GlobalEventHandlersEventMap {
    'hub-selection-change': HubEvent<'hub-selection-change'>;
  }
}

/**
 * Dispatches a typed `hub-*` event from `target`: bubbling and composed, so it leaves shadow roots and
 * reaches the host page. Cancelable "ask" events (names ending in `-request`) pass `cancelable: true` and
 * act only when this returns `true`.
 */
export function emit<K extends HubEventName>(
  target: EventTarget,
  name: K,
  detail: HubEventDetails[K],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}

/** Dispatches a plain DOM event such as `change` the way native controls do, but out of the shadow root. */
export function emitNative(target: EventTarget, name: 'change' | 'input'): boolean {
  return target.dispatchEvent(new Event(name, { bubbles: true, composed: true }));
}
