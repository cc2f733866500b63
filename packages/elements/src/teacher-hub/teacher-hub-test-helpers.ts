// What the teacher hub's tests (teacher-hub.test.ts, teacher-hub.hub.test.ts) read from its shadow DOM.
import type { TeacherHub } from './teacher-hub.ts';

export function text(node: ParentNode | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

export function root(hub: TeacherHub): ShadowRoot {
  return hub.shadowRoot!;
}

/** The button whose accessible name (its `aria-label`, else its text) is `name`. */
export function buttonNamed(scope: ParentNode, name: string): HTMLButtonElement {
  const found = [...scope.querySelectorAll('button')].find(
    (button) => (button.getAttribute('aria-label') ?? text(button)) === name,
  );
  if (!found) throw new Error(`no button named "${name}"`);
  return found;
}

export function tab(hub: TeacherHub, name: string): HTMLElement {
  const found = [...root(hub).querySelectorAll<HTMLElement>('[role="tab"]')].find(
    (candidate) => text(candidate.querySelector('.tab-label')) === name,
  );
  if (!found) throw new Error(`no tab "${name}"`);
  return found;
}
