import type { SeriesTiming } from '../recurrence/index.ts';

/*
 * The calendar port: the domain hands over what an invitation or a feed says, an adapter writes the
 * iCalendar text (`adapters/calendar/ics.ts`). Wired in `server/src/sessions.ts`.
 */

export interface CalendarPerson {
  name: string;
  email: string;
}

/** An emailed invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL). */
export interface InvitationRequest {
  method: 'REQUEST' | 'CANCEL';
  /** Stable for the session's whole life: calendars match updates to it. */
  uid: string;
  /** Increases with every change (the session's `sequence`). */
  sequence: number;
  organizer: CalendarPerson;
  attendees: CalendarPerson[];
  title: string;
  description: string;
  url?: string;
  series: SeriesTiming;
  /** One occurrence only (RECURRENCE-ID): a moved or cancelled occurrence. */
  occurrenceStart?: Date;
}

export interface FeedEvent {
  uid: string;
  sequence: number;
  title: string;
  description: string;
  url?: string;
  series: SeriesTiming;
  cancelled?: boolean;
}

/** Writes iCalendar text. */
export interface CalendarWriter {
  /** A `.ics` invitation to attach to an email. */
  invitation(request: InvitationRequest): string;
  /** A subscribable VCALENDAR of the events. */
  feed(request: { name: string; events: FeedEvent[] }): string;
}
