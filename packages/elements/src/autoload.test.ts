/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { discover } from './autoload.ts';

// The one-script SDK's lazy registration: a tag is defined once it appears (in the document, or in a shadow
// root handed to discover()), and only the tags that appear are loaded. Each test file runs in a page of
// its own, so the registry starts empty here.

describe('autoload (lazy registration of /sdk/teacher-hub.js)', () => {
  it('defines a tag present at the first scan and leaves absent ones alone', async () => {
    const element = document.createElement('upcoming-sessions');
    document.body.append(element);
    expect(customElements.get('upcoming-sessions')).to.equal(undefined, 'not defined before the scan');
    await discover(document);
    expect(customElements.get('upcoming-sessions')).not.to.equal(undefined);
    expect(element.shadowRoot, 'the element on the page upgraded').not.to.equal(null);
    expect(customElements.get('session-scheduler')).to.equal(
      undefined,
      'a tag not on the page is not loaded',
    );
    element.remove();
  });

  it('defines a tag the host adds later, seen by its MutationObserver', async () => {
    expect(customElements.get('session-calendar')).to.equal(undefined);
    const wrapper = document.createElement('section');
    wrapper.innerHTML = '<div><session-calendar></session-calendar></div>';
    document.body.append(wrapper);
    const calendar = await customElements.whenDefined('session-calendar');
    expect(wrapper.querySelector('session-calendar')).to.be.instanceOf(calendar);
    wrapper.remove();
  });

  it("does not see into a host's shadow root until discover() is given it, then watches it", async () => {
    const host = document.createElement('div');
    document.body.append(host);
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<student-picker></student-picker>';
    await new Promise((done) => setTimeout(done, 50));
    expect(customElements.get('student-picker')).to.equal(undefined, 'invisible to the document observer');
    await discover(shadow);
    expect(customElements.get('student-picker')).not.to.equal(undefined);

    shadow.append(document.createElement('call-overlay'));
    await customElements.whenDefined('call-overlay');
    host.remove();
  });

  it('keeps the first definition when another copy of the SDK defined the tag, and says so', async () => {
    class OtherCopy extends HTMLElement {}
    customElements.define('notification-center', OtherCopy);
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const element = document.createElement('notification-center');
      document.body.append(element);
      await discover(document);
      expect(customElements.get('notification-center')).to.equal(OtherCopy);
      expect(String(warnings[0]?.[0])).to.contain('<notification-center> is already defined');
      element.remove();
    } finally {
      console.warn = warn;
    }
  });
});
