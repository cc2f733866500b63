/**
 * Lazy registration for the one-script SDK (`/sdk/teacher-hub.js`): a host page pays only for the elements
 * it uses. Each tag is defined when it first appears in the document, by importing its module (which calls
 * `define()`, so a second copy of the SDK still only warns). The browser upgrades elements already on the
 * page, shadow trees included, once their tag is defined.
 *
 * A MutationObserver sees tags the host adds later. It cannot see into the host's own shadow roots: a host
 * that puts our tags there calls `discover(shadowRoot)` once, and that root is watched from then on.
 */

/** Every tag of the SDK and the module that defines it; one code-split chunk each. */
export const ELEMENT_MODULES: Readonly<Record<string, () => Promise<unknown>>> = {
  'teacher-hub': () => import('./teacher-hub/teacher-hub.ts'),
  'student-picker': () => import('./student-picker/student-picker.ts'),
  'session-calendar': () => import('./session-calendar/session-calendar.ts'),
  'session-scheduler': () => import('./session-scheduler/session-scheduler.ts'),
  'upcoming-sessions': () => import('./upcoming-sessions/upcoming-sessions.ts'),
  'hub-chat': () => import('./hub-chat/hub-chat.ts'),
  'call-overlay': () => import('./call-overlay/call-overlay.ts'),
  'notification-center': () => import('./notification-center/notification-center.ts'),
};

/** Tags whose module was asked for (loading or loaded), with the promise of their definition. */
const requested = new Map<string, Promise<void>>();
const observers = new Map<Node, MutationObserver>();

function pendingTags(): string[] {
  return Object.keys(ELEMENT_MODULES).filter((tag) => !requested.has(tag));
}

function load(tag: string): Promise<void> {
  let loading = requested.get(tag);
  if (loading === undefined) {
    loading = ELEMENT_MODULES[tag]!().then(
      () => undefined,
      (error: unknown) => {
        // A failed chunk (offline, a deploy swapped the files) is tried again the next time the tag appears.
        requested.delete(tag);
        console.error(`[teacher-hub] could not load <${tag}>`, error);
      },
    );
    requested.set(tag, loading);
  }
  return loading;
}

/** Loads the module of each of `tags` found in `root` (itself included); resolves when they are defined. */
function scan(root: Node, tags: readonly string[]): Promise<void>[] {
  const found: Promise<void>[] = [];
  const self = root instanceof Element ? root.localName : undefined;
  const searchable = root instanceof Element || root instanceof Document || root instanceof DocumentFragment;
  for (const tag of tags) {
    if (tag === self || (searchable && root.querySelector(tag) !== null)) found.push(load(tag));
  }
  if (pendingTags().length === 0) stopObserving();
  return found;
}

function stopObserving(): void {
  for (const observer of observers.values()) observer.disconnect();
  observers.clear();
}

function observe(root: Node): void {
  if (observers.has(root) || pendingTags().length === 0) return;
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) void scan(node, pendingTags());
      }
    }
  });
  observer.observe(root, { childList: true, subtree: true });
  observers.set(root, observer);
}

/**
 * Defines the SDK's tags found in `root` (the document by default, or a host's shadow root) and those added
 * to it later. Resolves once the tags found now are defined.
 */
export async function discover(root: Document | ShadowRoot | Element = document): Promise<void> {
  // Every tag, not just those not asked for yet: the promise covers tags still loading too.
  const found = scan(root, Object.keys(ELEMENT_MODULES));
  observe(root);
  await Promise.all(found);
}
