/**
 * Registers a custom element unless the tag is taken. A host page can end up with two copies of the SDK
 * (a theme bundles one, a plugin loads `/sdk/teacher-hub.js`); `customElements.define` would throw on the
 * second and break that page, so we keep the first definition and say so.
 */
export function define(tag: string, constructor: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === undefined) {
    customElements.define(tag, constructor);
    return;
  }
  if (existing !== constructor) {
    console.warn(
      `[teacher-hub] <${tag}> is already defined, probably by another copy of the Teacher Hub SDK on this page; ` +
        'keeping the first definition.',
    );
  }
}
