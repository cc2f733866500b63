/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { define } from './define.ts';
import { StudentPicker } from '../student-picker/student-picker.ts';

describe('define()', () => {
  it('registers a tag that is free', () => {
    class FreshElement extends HTMLElement {}
    define('hub-test-fresh-element', FreshElement);
    expect(customElements.get('hub-test-fresh-element')).to.equal(FreshElement);
  });

  it('warns instead of throwing when a second copy of the SDK registers a tag again', () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      class SecondCopy extends HTMLElement {}
      expect(() => define('student-picker', SecondCopy)).not.to.throw();
      expect(customElements.get('student-picker')).to.equal(StudentPicker, 'the first definition stays');
      expect(warnings).to.have.length(1);
      expect(String(warnings[0]![0])).to.contain('<student-picker> is already defined');
    } finally {
      console.warn = warn;
    }
  });

  it('stays quiet when the same class is registered twice', () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      define('student-picker', StudentPicker);
      expect(warnings).to.have.length(0);
    } finally {
      console.warn = warn;
    }
  });
});
