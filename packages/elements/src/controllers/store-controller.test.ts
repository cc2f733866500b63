/// <reference types="mocha" />
import { createStore } from '@teacher-hub/core';
import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { define } from '../base/define.ts';
import { StoreController } from './store-controller.ts';

interface CounterState {
  count: number;
  label: string;
}

const counters = createStore<CounterState>({ count: 0, label: 'a' });

class CountProbe extends LitElement {
  renders = 0;
  readonly count = new StoreController(this, counters, (state: CounterState) => state.count);
  override render() {
    this.renders++;
    return html`${this.count.value}`;
  }
}
define('hub-test-count-probe', CountProbe);

describe('StoreController', () => {
  beforeEach(() => counters.set({ count: 0, label: 'a' }));

  it('re-renders its host when the selected slice changes, and only then', async () => {
    const probe = await fixture<CountProbe>(html`<hub-test-count-probe></hub-test-count-probe>`);
    const before = probe.renders;

    counters.set({ label: 'b' });
    await probe.updateComplete;
    expect(probe.renders).to.equal(before);

    counters.set({ count: 3 });
    await probe.updateComplete;
    expect(probe.renders).to.equal(before + 1);
    expect(probe.shadowRoot!.textContent).to.contain('3');
  });

  it('stops listening while disconnected and catches up when connected again', async () => {
    const probe = await fixture<CountProbe>(html`<hub-test-count-probe></hub-test-count-probe>`);
    const parent = probe.parentElement!;
    probe.remove();
    const before = probe.renders;
    counters.set({ count: 9 });
    await probe.updateComplete;
    expect(probe.renders).to.equal(before);

    parent.append(probe);
    await probe.updateComplete;
    expect(probe.count.value).to.equal(9);
    expect(probe.shadowRoot!.textContent).to.contain('9');
  });

  it('follows a new store set with setStore()', async () => {
    const probe = await fixture<CountProbe>(html`<hub-test-count-probe></hub-test-count-probe>`);
    const other = createStore<CounterState>({ count: 42, label: 'x' });
    probe.count.setStore(other);
    await probe.updateComplete;
    expect(probe.count.value).to.equal(42);

    counters.set({ count: 1 });
    other.set({ count: 43 });
    await probe.updateComplete;
    expect(probe.count.value).to.equal(43);
  });
});
