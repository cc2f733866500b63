import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStore, shallowEqual } from './store.ts';

interface State {
  count: number;
  name: string;
  items: string[];
}

const initial = (): State => ({ count: 0, name: 'a', items: [] });

describe('createStore', () => {
  it('notifies a subscriber only when its selected slice changes', () => {
    const store = createStore(initial());
    const counts: number[] = [];
    store.subscribe(
      (state) => state.count,
      (count) => counts.push(count),
    );

    store.set({ name: 'b' });
    store.set({ count: 1 });
    store.set({ name: 'c' });
    store.set({ count: 2 });

    assert.deepEqual(counts, [1, 2]);
  });

  it('passes the previous slice along with the new one', () => {
    const store = createStore(initial());
    const calls: [number, number][] = [];
    store.subscribe(
      (state) => state.count,
      (next, previous) => calls.push([next, previous]),
    );
    store.set({ count: 5 });
    store.set({ count: 7 });
    assert.deepEqual(calls, [
      [5, 0],
      [7, 5],
    ]);
  });

  it('accepts an updater function and merges what it returns', () => {
    const store = createStore(initial());
    store.set((state) => ({ count: state.count + 1 }));
    store.set((state) => ({ count: state.count + 1 }));
    assert.deepEqual(store.get(), { count: 2, name: 'a', items: [] });
  });

  it('notifies nobody when a set changes nothing', () => {
    const store = createStore(initial());
    const before = store.get();
    let calls = 0;
    store.subscribe(
      (state) => state,
      () => calls++,
    );
    store.set({ count: 0, name: 'a' });
    assert.equal(calls, 0);
    assert.equal(store.get(), before, 'the state object is kept as is');
  });

  it('uses a custom equality for selectors that build new objects', () => {
    const store = createStore(initial());
    let plain = 0;
    let shallow = 0;
    const selector = (state: State) => ({ count: state.count });
    store.subscribe(selector, () => plain++);
    store.subscribe(selector, () => shallow++, shallowEqual);

    store.set({ name: 'b' });
    store.set({ count: 1 });

    assert.equal(plain, 2, 'Object.is sees a new object every time');
    assert.equal(shallow, 1, 'shallowEqual sees only the real change');
  });

  it('stops notifying after unsubscribe, also when unsubscribing during a notification', () => {
    const store = createStore(initial());
    const seen: string[] = [];
    const stopSecond = store.subscribe(
      (state) => state.count,
      () => seen.push('second'),
    );
    const stopFirst = store.subscribe(
      (state) => state.count,
      () => {
        seen.push('first');
        stopFirst();
      },
    );
    store.set({ count: 1 });
    store.set({ count: 2 });
    stopSecond();
    store.set({ count: 3 });
    assert.deepEqual(seen, ['second', 'first', 'second']);
  });

  it('gives every listener the latest slice when a listener sets the state again', () => {
    const store = createStore(initial());
    const seenByLater: number[] = [];
    store.subscribe(
      (state) => state.count,
      (count) => {
        if (count === 1) store.set({ count: 2 });
      },
    );
    store.subscribe(
      (state) => state.count,
      (count) => seenByLater.push(count),
    );
    store.set({ count: 1 });
    assert.deepEqual(seenByLater, [2], 'the stale value 1 is never delivered after 2');
    assert.equal(store.get().count, 2);
  });
});

describe('shallowEqual', () => {
  it('compares own entries of objects and arrays with Object.is', () => {
    const items: string[] = [];
    assert.equal(shallowEqual({ a: 1, b: items }, { a: 1, b: items }), true);
    assert.equal(shallowEqual({ a: 1, b: [] }, { a: 1, b: [] }), false);
    assert.equal(shallowEqual(['x', 'y'], ['x', 'y']), true);
    assert.equal(shallowEqual(['x'], { 0: 'x' }), false);
    assert.equal(shallowEqual({ a: 1 }, { a: 1, b: undefined }), false);
    assert.equal(shallowEqual(NaN, NaN), true);
  });
});
