/**
 * The one-script SDK entry (`/sdk/teacher-hub.js`): every tag works, but each element's code loads only
 * when its tag first appears on the page (see `autoload.ts`), so a page with a bell and a session list does
 * not download the calendar, the scheduler or the hub page. Exported: the headless client and the building
 * blocks every element needs anyway; the element classes live in their own chunks (take them from
 * `customElements.whenDefined(tag)`, or load `/sdk/teacher-hub.all.js`, which registers and exports all).
 */
import { discover } from './autoload.ts';

export * from '@teacher-hub/core';
export { discover } from './autoload.ts';
export { define } from './base/define.ts';
export { emit, emitNative } from './events/hub-events.ts';
export type { HubEvent, HubEventDetails, HubEventName } from './events/hub-events.ts';

void discover(document);
