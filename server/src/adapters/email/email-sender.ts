/** The port for email (SMTP through nodemailer in production, a mailbox in the database in dev mode). */

export interface EmailAttachment {
  filename: string;
  content: string;
  /** e.g. `text/calendar; method=REQUEST; charset=utf-8` for an invitation. */
  contentType: string;
}

/** An iCalendar (RFC 5545) object sent as an iMIP (RFC 6047) invitation or cancellation. */
export interface EmailCalendar {
  method: 'REQUEST' | 'CANCEL';
  /** The VCALENDAR text; its METHOD must match `method`. */
  content: string;
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
  /**
   * A session invitation or cancellation: calendar clients show it with accept / decline buttons. Senders put
   * it in the message as calendar clients expect (SMTP: a `text/calendar; method=…` alternative plus an
   * `invite.ics` attachment), so do not also pass it in `attachments`.
   */
  calendar?: EmailCalendar;
  /** Sent as the Message-ID so a retried send is recognisable as the same message. */
  idempotencyKey: string;
}

export type EmailResult =
  | { status: 'sent'; messageId: string }
  | { status: 'retry'; reason: string }
  | { status: 'failed'; reason: string };

export interface EmailSender {
  readonly kind: 'smtp' | 'mailbox';
  send(email: Email): Promise<EmailResult>;
  close?(): Promise<void>;
}
