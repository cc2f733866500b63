import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../storage/schema.ts';
import type { Email, EmailResult, EmailSender } from './email-sender.ts';

export interface MailboxMessage {
  id: string;
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  calendar: { method: string; content: string } | null;
  createdAt: string;
}

/**
 * Dev mode's email: mail is kept in the hub's database and shown at `/dev/mailbox`, so invitations can be
 * read without an SMTP server. A resend with the same idempotency key is kept once, as a mail server would.
 */
export class MailboxEmailSender implements EmailSender {
  readonly kind = 'mailbox' as const;

  constructor(
    private readonly db: Kysely<HubDatabase>,
    private readonly from = 'Teacher Hub <hub@localhost>',
  ) {}

  async send(email: Email): Promise<EmailResult> {
    const messageId = `<${email.idempotencyKey}@teacher-hub>`;
    await this.db
      .insertInto('mailbox')
      .values({
        id: randomUUID(),
        message_id: messageId,
        to_address: email.to,
        from_address: this.from,
        subject: email.subject,
        text_body: email.text,
        html_body: email.html ?? null,
        calendar: email.calendar ? JSON.stringify(email.calendar) : null,
      })
      .onConflict((conflict) => conflict.column('message_id').doNothing())
      .execute();
    return { status: 'sent', messageId };
  }

  async list(limit = 100): Promise<MailboxMessage[]> {
    const rows = await this.db
      .selectFrom('mailbox')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      to: row.to_address,
      from: row.from_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      calendar: row.calendar as MailboxMessage['calendar'],
      createdAt: new Date(row.created_at).toISOString(),
    }));
  }
}
