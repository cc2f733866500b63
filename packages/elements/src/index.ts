/**
 * `@teacher-hub/elements`, also built as the eager SDK entry `/sdk/teacher-hub.all.js`: registers every
 * element at once and exports the classes, the building blocks for custom elements, and the headless client.
 * The default `/sdk/teacher-hub.js` (`sdk.ts`) registers lazily instead. Heavy parts (chat, calls) must stay
 * behind dynamic `import()` so that the first paint of any element needs neither.
 */
export * from '@teacher-hub/core';
export { discover } from './autoload.ts';
export { define } from './base/define.ts';
export { HubElement } from './base/hub-element.ts';
export { hubClientContext } from './context/hub-client-context.ts';
export type { HubClientContext } from './context/hub-client-context.ts';
export { StoreController } from './controllers/store-controller.ts';
export { emit, emitNative } from './events/hub-events.ts';
export type { HubEvent, HubEventDetails, HubEventName } from './events/hub-events.ts';
export { THEMES, reset, tokens } from './styles/tokens.ts';
export type { Theme } from './styles/tokens.ts';

export { StudentPicker } from './student-picker/student-picker.ts';
export { NotificationCenter } from './notification-center/notification-center.ts';
export { HubChatElement } from './hub-chat/hub-chat.ts';
export { CallOverlay } from './call-overlay/call-overlay.ts';
export { SessionCalendar } from './session-calendar/session-calendar.ts';
export { UpcomingSessions } from './upcoming-sessions/upcoming-sessions.ts';
export { SessionScheduler } from './session-scheduler/session-scheduler.ts';
export { TeacherHub } from './teacher-hub/teacher-hub.ts';
