/** Email over SMTP with nodemailer: a small connection pool to the relay named by `SMTP_URL`. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Email, EmailResult, EmailSender } from './email-sender.ts';

export interface SmtpSenderOptions {
  /**
   * `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://user:pass@host:465`
   * (TLS from the start). Query parameters are nodemailer options, e.g. `?requireTLS=true`.
   */
  smtpUrl: string;
  /** The From address, e.g. `"Teacher Hub" <hub@school.example>`. */
  from: string;
  /** Extra trusted CA certificates for the relay's TLS (tests, private relays). */
  ca?: string | Buffer;
  /** Connections kept open to the relay. Default 2. */
  maxConnections?: number;
  /** Idle socket timeout. Default 30 s. */
  timeoutMs?: number;
}

/** The domain part of our Message-IDs. */
export const MESSAGE_ID_DOMAIN = 'teacher-hub';

/**
 * `<key@teacher-hub>`: the same idempotency key always gives the same Message-ID, so a resend after a crash
 * is recognisable as the same message. Characters a Message-ID may not hold (RFC 5322 dot-atom) are
 * percent-encoded, dots and `%` included, so distinct keys stay distinct.
 */
export function messageIdFor(idempotencyKey: string): string {
  const local = Array.from(Buffer.from(idempotencyKey, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9!#$&'*+\-/=?^_`{|}~]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<${local}@${MESSAGE_ID_DOMAIN}>`;
}

/** Node and nodemailer codes for a connection that failed or dropped before the relay answered. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EDNS',
  'ETLS',
  'EPROXY',
  'ECONNREFUSED',
  'ECONNRESET',
]);

export class SmtpEmailSender implements EmailSender {
  readonly kind = 'smtp' as const;
  readonly #from: string;
  readonly #transport: Transporter;

  constructor(options: SmtpSenderOptions) {
    const url = new URL(options.smtpUrl);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
    }
    this.#from = options.from;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 2,
      connectionTimeout: Math.min(timeoutMs, 10_000),
      greetingTimeout: Math.min(timeoutMs, 10_000),
      socketTimeout: timeoutMs,
      ...(options.ca ? { tls: { ca: options.ca } } : {}),
    });
  }

  async send(email: Email): Promise<EmailResult> {
    const messageId = messageIdFor(email.idempotencyKey);
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html !== undefined ? { html: email.html } : {}),
        messageId,
        attachments: (email.attachments ?? []).map((attachment) => ({
          filename: attachment.filename,
          content: attachment.content,
          contentType: attachment.contentType,
        })),
        // A text/calendar alternative with the method (what Outlook, Gmail and Apple Mail act on) plus an
        // invite.ics attachment, as calendar servers send invitations.
        ...(email.calendar
          ? {
              icalEvent: {
                method: email.calendar.method,
                content: email.calendar.content,
                filename: 'invite.ics',
              },
            }
          : {}),
      });
      return { status: 'sent', messageId };
    } catch (error) {
      return resultForError(error);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

function resultForError(error: unknown): EmailResult {
  const { code, responseCode, response, message } = error as {
    code?: string;
    responseCode?: number;
    response?: string;
    message?: string;
  };
  const reason = response ?? message ?? String(error);
  if (typeof responseCode === 'number') {
    // RFC 5321: 4yz is transient, 5yz permanent — but 503 (bad sequence of commands) is about the session.
    const transient = responseCode < 500 || responseCode === 503;
    return { status: transient ? 'retry' : 'failed', reason: `${responseCode} ${reason}` };
  }
  if (code && CONNECTION_ERROR_CODES.has(code)) return { status: 'retry', reason: `${code}: ${reason}` };
  return { status: 'failed', reason: code ? `${code}: ${reason}` : reason };
}
