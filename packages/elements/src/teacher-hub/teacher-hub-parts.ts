/**
 * The children `<teacher-hub>` shows only in one area or dialog, loaded the first time that area or dialog
 * is needed: the page opens on Chats, and a teacher who only chats never downloads the calendar, the
 * scheduler or the picker (the bundle budget of `<teacher-hub>` with its chat list depends on it; see
 * `tests/e2e/bundle-budgets.test.ts`). The bell, the call overlay and the chat load with the hub itself.
 */
const PARTS = {
  sessions: () =>
    Promise.all([
      import('../session-calendar/session-calendar.ts'),
      import('../upcoming-sessions/upcoming-sessions.ts'),
      import('./hub-past-sessions.ts'),
    ]),
  picker: () => import('../student-picker/student-picker.ts'),
  scheduler: () => import('../session-scheduler/session-scheduler.ts'),
} as const;

export type HubPart = keyof typeof PARTS;

const loading = new Map<HubPart, Promise<void>>();

/** Defines the part's elements (once); elements already rendered upgrade in place. */
export function loadPart(part: HubPart): Promise<void> {
  let done = loading.get(part);
  if (done === undefined) {
    done = PARTS[part]().then(
      () => undefined,
      (error: unknown) => {
        // Tried again the next time the area or dialog opens.
        loading.delete(part);
        console.error(`[teacher-hub] could not load the ${part} part`, error);
      },
    );
    loading.set(part, done);
  }
  return done;
}
