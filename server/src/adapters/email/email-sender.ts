/** The port for email (SMTP through nodemailer in production, a mailbox in the database in dev mode). */

export interface EmailAttachment {
  filename: string;
  content: string;
  /** e.g. `text/calendar; method=REQUEST; charset=utf-8` for an invitation. */
  contentType: string;
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
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
