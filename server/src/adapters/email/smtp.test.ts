import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSmtpPeer, type SmtpPeer } from '../../testing/peers/smtp-peer.ts';
import { createTestPki, type TestPki } from '../../testing/peers/tls.ts';
import type { Email } from './email-sender.ts';
import { messageIdFor, SmtpEmailSender, type SmtpSenderOptions } from './smtp.ts';

const FROM = '"Teacher Hub" <hub@school.example>';
const LOGIN = { user: 'hub-relay', pass: 's3cret:pass@word' };

const INVITATION = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Teacher Hub//Sessions//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:ses-1@teacher-hub',
  'DTSTAMP:20261120T120000Z',
  'DTSTART;TZID=Europe/Berlin:20261201T090000',
  'DURATION:PT45M',
  'SUMMARY:Algebra I review',
  'ORGANIZER;CN=Ada Lovelace:mailto:t-ada@example.edu',
  'ATTENDEE;CN=Student One;RSVP=TRUE:mailto:s-01@example.edu',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

function email(overrides: Partial<Email> = {}): Email {
  return {
    to: 's-01@example.edu',
    subject: 'Algebra I review on Tue 1 Dec',
    text: 'Ada Lovelace invited you to Algebra I review, Tue 1 Dec 09:00 (Europe/Berlin).',
    html: '<p>Ada Lovelace invited you to <b>Algebra I review</b>.</p>',
    idempotencyKey: 'delivery-8f2c',
    ...overrides,
  };
}

describe('SmtpEmailSender', () => {
  let relay: SmtpPeer;
  const senders: SmtpEmailSender[] = [];
  const newSender = (overrides: Partial<SmtpSenderOptions> = {}) => {
    const sender = new SmtpEmailSender({ smtpUrl: relay.url(LOGIN), from: FROM, ...overrides });
    senders.push(sender);
    return sender;
  };

  before(async () => {
    relay = await startSmtpPeer({ auth: LOGIN });
  });

  beforeEach(() => relay.reset());

  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
  });

  after(async () => {
    await relay.close();
  });

  describe('delivery', () => {
    it('delivers the mail, logged in with the credentials of SMTP_URL, with a Message-ID made from the idempotency key', async () => {
      const result = await newSender().send(email());

      assert.deepEqual(result, { status: 'sent', messageId: '<delivery-8f2c@teacher-hub>' });
      const [mail] = relay.mails;
      assert.equal(mail?.user, LOGIN.user);
      assert.deepEqual(mail?.rcptTo, ['s-01@example.edu']);
      assert.equal(mail?.mailFrom, 'hub@school.example');
      assert.equal(mail?.header('message-id'), '<delivery-8f2c@teacher-hub>');
      assert.equal(mail?.header('subject'), 'Algebra I review on Tue 1 Dec');
      assert.deepEqual(
        mail?.parts.map((part) => [part.contentType.split(';')[0], part.content.trim()]),
        [
          ['text/plain', 'Ada Lovelace invited you to Algebra I review, Tue 1 Dec 09:00 (Europe/Berlin).'],
          ['text/html', '<p>Ada Lovelace invited you to <b>Algebra I review</b>.</p>'],
        ],
      );
    });

    it('sends a retry with the same Message-ID, so it is recognisable as the same message', async () => {
      const sender = newSender();
      await sender.send(email());
      await sender.send(email());

      assert.deepEqual(
        relay.mails.map((mail) => mail.header('message-id')),
        ['<delivery-8f2c@teacher-hub>', '<delivery-8f2c@teacher-hub>'],
      );
    });

    it('attaches files with their content type', async () => {
      await newSender().send(
        email({
          attachments: [
            { filename: 'agenda.txt', content: '1. Fractions\n2. Questions\n', contentType: 'text/plain' },
          ],
        }),
      );

      const attachment = relay.mails[0]?.parts.find((part) => part.filename === 'agenda.txt');
      assert.match(attachment?.contentType ?? '', /^text\/plain/);
      assert.match(attachment?.contentDisposition ?? '', /^attachment/);
      assert.equal(attachment?.content, '1. Fractions\n2. Questions\n');
    });

    it('sends a session invitation as a text/calendar; method=REQUEST alternative and an invite.ics attachment', async () => {
      await newSender().send(email({ calendar: { method: 'REQUEST', content: INVITATION } }));

      const parts = relay.mails[0]?.parts ?? [];
      const alternative = parts.find((part) => /^text\/calendar/i.test(part.contentType));
      assert.match(alternative?.contentType ?? '', /method=REQUEST/i);
      assert.equal(alternative?.content, INVITATION);
      const attachment = parts.find((part) => part.filename === 'invite.ics');
      assert.match(attachment?.contentDisposition ?? '', /^attachment/);
      assert.equal(attachment?.content, INVITATION);
    });

    it('delivers over implicit TLS (smtps://) to a relay whose certificate the given CA signed', async () => {
      const pki: TestPki = await createTestPki();
      const tlsRelay = await startSmtpPeer({ pki });
      try {
        const sender = newSender({ smtpUrl: tlsRelay.url(), ca: pki.caPem });

        const result = await sender.send(email());
        await sender.close();

        assert.equal(result.status, 'sent');
        assert.equal(tlsRelay.mails.length, 1);
      } finally {
        await tlsRelay.close();
        await pki.cleanup();
      }
    });
  });

  describe('refusals', () => {
    it('asks for a retry on 451 (local error, try later) at RCPT TO', async () => {
      relay.rejectNext(1, { code: 451, message: 'Greylisted, try again later' });

      const result = await newSender().send(email());

      assert.equal(result.status, 'retry');
      assert.match(result.status === 'retry' ? result.reason : '', /^451 /);
    });

    it('fails on 550 (mailbox unavailable) at RCPT TO', async () => {
      relay.rejectRecipient('s-01@example.edu', { code: 550, message: 'No such user' });

      const result = await newSender().send(email());

      assert.equal(result.status, 'failed');
      assert.match(result.status === 'failed' ? result.reason : '', /^550 /);
    });

    it('asks for a retry on 452 after DATA, and fails on 554 after DATA', async () => {
      const sender = newSender();
      relay.rejectNext(1, { code: 452, message: 'Insufficient system storage', stage: 'data' });
      const transient = await sender.send(email());
      relay.rejectNext(1, { code: 554, message: 'Message rejected as spam', stage: 'data' });
      const permanent = await sender.send(email());

      assert.deepEqual([transient.status, permanent.status], ['retry', 'failed']);
      assert.equal(relay.mails.length, 0);
    });

    it('fails when the relay refuses the login (535)', async () => {
      const result = await newSender({ smtpUrl: relay.url({ user: LOGIN.user, pass: 'wrong' }) }).send(
        email(),
      );

      assert.equal(result.status, 'failed');
    });

    it('asks for a retry when the relay cannot be reached', async () => {
      const down = await startSmtpPeer();
      const url = down.url();
      await down.close();

      const result = await newSender({ smtpUrl: url }).send(email());

      assert.equal(result.status, 'retry');
    });
  });

  describe('messageIdFor', () => {
    it('keeps keys that are valid in a Message-ID and percent-encodes the rest, so distinct keys stay distinct', () => {
      assert.equal(messageIdFor('delivery-8f2c'), '<delivery-8f2c@teacher-hub>');
      assert.equal(messageIdFor('session.invite:ses 1'), '<session%2Einvite%3Ases%201@teacher-hub>');
      assert.notEqual(messageIdFor('a.b'), messageIdFor('a%2Eb'));
      assert.match(messageIdFor('ünï:cødé <x>'), /^<[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+@teacher-hub>$/);
    });
  });

  it('refuses a URL that is not smtp:// or smtps://', () => {
    assert.throws(
      () => new SmtpEmailSender({ smtpUrl: 'https://relay.example', from: FROM }),
      /smtp:\/\/ or smtps:\/\//,
    );
  });
});
