/** iCalendar output: email invitations and the subscribable feed (ics.ts). */
export { calendarFeed, sessionInvitation } from './ics.ts';
export type { CalendarEventInput, CalendarFeedInput, CalendarPerson, SessionInvitationInput } from './ics.ts';
