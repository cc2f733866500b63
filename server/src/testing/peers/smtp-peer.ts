/**
 * A local SMTP server (`smtp-server`) that keeps what it receives, parses it just enough for tests (headers
 * and the leaf MIME parts, decoded), and can refuse mail the way relays do: 451 (try later) or 550 (no).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { TestPki } from './tls.ts';

export interface MimePart {
  /** The full Content-Type value, e.g. `text/calendar; charset=utf-8; method=REQUEST`. */
  contentType: string;
  contentDisposition?: string;
  filename?: string;
  /** Decoded from base64 or quoted-printable, as UTF-8 text. */
  content: string;
}

export interface ReceivedMail {
  /** The SMTP envelope. */
  mailFrom: string;
  rcptTo: string[];
  /** The authenticated user, when the client logged in. */
  user?: string;
  raw: string;
  /** The first value of a top-level header, unfolded; `name` is case-insensitive. */
  header(name: string): string | undefined;
  /** The leaf MIME parts in order (text, html, calendar alternative, attachments). */
  parts: MimePart[];
  receivedAt: number;
}

export interface SmtpReply {
  code: number;
  message?: string;
  /** When to refuse: at `RCPT TO` (default) or after `DATA`. */
  stage?: 'rcpt' | 'data';
}

export interface SmtpPeer {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps) when started with a PKI. */
  readonly secure: boolean;
  /** `smtp(s)://[user:pass@]127.0.0.1:<port>` for the sender. */
  url(credentials?: { user: string; pass: string }): string;
  readonly mails: ReceivedMail[];
  /** Refuse the next `count` messages with `reply`. */
  rejectNext(count: number, reply: SmtpReply): void;
  /** Refuse every message to this address with `reply` (undefined to stop). */
  rejectRecipient(address: string, reply: SmtpReply | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export interface SmtpPeerOptions {
  /** With a PKI the peer speaks implicit TLS (smtps://); without, plain SMTP with STARTTLS disabled. */
  pki?: TestPki;
  /** Require this login (AUTH PLAIN/LOGIN); without it any or no login is accepted. */
  auth?: { user: string; pass: string };
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const certificate = options.pki ? await options.pki.issue() : undefined;
  const mails: ReceivedMail[] = [];
  const refusedRecipients = new Map<string, SmtpReply>();
  let refusals: { remaining: number; reply: SmtpReply } | undefined;

  const refusalFor = (recipients: string[], stage: 'rcpt' | 'data'): SmtpReply | undefined => {
    for (const recipient of recipients) {
      const reply = refusedRecipients.get(recipient.toLowerCase());
      if (reply && (reply.stage ?? 'rcpt') === stage) return reply;
    }
    if (refusals && refusals.remaining > 0 && (refusals.reply.stage ?? 'rcpt') === stage) {
      refusals.remaining -= 1;
      return refusals.reply;
    }
    return undefined;
  };

  const server = new SMTPServer({
    secure: Boolean(certificate),
    ...(certificate
      ? { key: certificate.keyPem, cert: certificate.certPem }
      : { disabledCommands: ['STARTTLS'] }),
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    // close() ends client connections (pooled senders keep theirs open) after this, not after 30 s.
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      if (options.auth && (auth.username !== options.auth.user || auth.password !== options.auth.pass)) {
        return callback(smtpError({ code: 535, message: 'Authentication credentials invalid' }));
      }
      return callback(null, { user: auth.username });
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const reply = refusalFor([address.address], 'rcpt');
      callback(reply ? smtpError(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const rcptTo = session.envelope.rcptTo.map((address) => address.address);
        const reply = refusalFor(rcptTo, 'data');
        if (reply) return callback(smtpError(reply));
        const raw = Buffer.concat(chunks).toString('utf8');
        const entity = parseEntity(raw);
        const mailFrom = session.envelope.mailFrom;
        mails.push({
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          raw,
          header: (name) => entity.headers.get(name.toLowerCase()),
          parts: leafParts(entity),
          receivedAt: Date.now(),
        });
        return callback(null);
      });
    },
  });
  server.on('error', () => {
    // A client that drops its connection is not the peer's failure.
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const secure = Boolean(certificate);

  return {
    host: '127.0.0.1',
    port,
    secure,
    url(credentials) {
      const login = credentials
        ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@`
        : '';
      return `${secure ? 'smtps' : 'smtp'}://${login}127.0.0.1:${port}`;
    },
    mails,
    rejectNext(count, reply) {
      refusals = { remaining: count, reply };
    },
    rejectRecipient(address, reply) {
      if (reply) refusedRecipients.set(address.toLowerCase(), reply);
      else refusedRecipients.delete(address.toLowerCase());
    },
    reset() {
      mails.length = 0;
      refusedRecipients.clear();
      refusals = undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function smtpError(reply: SmtpReply): Error {
  const message = reply.message ?? (reply.code >= 500 ? 'Requested action not taken' : 'Try again later');
  return Object.assign(new Error(message), { responseCode: reply.code });
}

interface MimeEntity {
  headers: Map<string, string>;
  body: string;
}

function parseEntity(raw: string): MimeEntity {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function leafParts(entity: MimeEntity): MimePart[] {
  const contentType = entity.headers.get('content-type') ?? 'text/plain';
  if (/^multipart\//i.test(contentType)) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    const sections = entity.body.split(
      new RegExp(`\\r?\\n?--${escapeRegExp(boundary)}(?:--)?[ \\t]*\\r?\\n?`),
    );
    // The first section is the preamble, the last the epilogue after the closing boundary.
    return sections
      .slice(1, -1)
      .filter((section) => section.trim() !== '')
      .flatMap((section) => leafParts(parseEntity(section)));
  }
  const disposition = entity.headers.get('content-disposition');
  const filename =
    /filename="?([^";]+)"?/i.exec(disposition ?? '')?.[1] ?? /name="?([^";]+)"?/i.exec(contentType)?.[1];
  return [
    {
      contentType,
      ...(disposition !== undefined ? { contentDisposition: disposition } : {}),
      ...(filename !== undefined ? { filename } : {}),
      content: decodeBody(entity.body, entity.headers.get('content-transfer-encoding')),
    },
  ];
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const bytes: number[] = [];
      const text = body.replace(/=\r?\n/g, '');
      for (let i = 0; i < text.length; i += 1) {
        const hex = text.slice(i + 1, i + 3);
        if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else {
          bytes.push(...Buffer.from(text[i] as string, 'utf8'));
        }
      }
      return Buffer.from(bytes).toString('utf8');
    }
    default:
      return body;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
