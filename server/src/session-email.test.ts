import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionResponse } from '@teacher-hub/protocol';
import ICAL from 'ical.js';
import { fixedClock } from './domain/clock.ts';
import { json, jsonBody } from './testing/http.ts';
import { startSmtpPeer, type SmtpPeer } from './testing/peers/smtp-peer.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

/** Session invitations over SMTP (a local SMTP server), as calendar apps receive them. */
describe('session invitations by email, received by an SMTP server', () => {
  let smtp: SmtpPeer;
  let hub: TestApp;

  before(async () => {
    smtp = await startSmtpPeer();
    hub = await createTestApp({
      env: { SMTP_URL: smtp.url(), SMTP_FROM: 'Teacher Hub <hub@example.edu>' },
      clock: fixedClock(new Date('2026-12-01T08:00:00Z')),
    });
  });
  after(async () => {
    await hub?.close();
    await smtp?.close();
  });

  /** The calendar part of the last mail to `address`, parsed by ical.js. */
  function lastCalendarTo(address: string): {
    method: string;
    event: ICAL.Event;
    sequence: number;
    tzid: unknown;
  } {
    const mail = smtp.mails.filter((received) => received.rcptTo.includes(address)).at(-1);
    assert.ok(mail, `no mail to ${address}`);
    const part = mail.parts.find((candidate) => candidate.contentType.startsWith('text/calendar'));
    assert.ok(part, 'the mail carries a text/calendar part');
    const calendar = new ICAL.Component(ICAL.parse(part.content));
    const vevent = calendar.getFirstSubcomponent('vevent');
    assert.ok(vevent);
    return {
      method: String(calendar.getFirstPropertyValue('method')),
      event: new ICAL.Event(vevent),
      sequence: Number(vevent.getFirstPropertyValue('sequence')),
      tzid: vevent.getFirstProperty('dtstart')?.getParameter('tzid'),
    };
  }

  it('sends a METHOD:REQUEST invitation, then a METHOD:CANCEL with a higher SEQUENCE, with the same UID', async () => {
    const { session } = await json<SessionResponse>(
      await hub.requestAs(
        't-ada',
        '/v1/sessions',
        jsonBody(
          {
            title: 'Algebra review',
            type: 'class',
            start: '2026-12-07T16:00',
            timeZone: 'Europe/Berlin',
            durationMinutes: 60,
            inviteeIds: ['s-01', 's-02'],
            recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'], count: 6 },
            emailInvitees: true,
          },
          { method: 'POST' },
        ),
      ),
      201,
    );
    await hub.services.notifications.worker.runDue();

    const invitation = lastCalendarTo('s-01@example.edu');
    assert.equal(invitation.method, 'REQUEST');
    assert.equal(invitation.event.summary, 'Algebra review');
    assert.equal(invitation.event.startDate.toJSDate().toISOString(), '2026-12-07T15:00:00.000Z');
    assert.equal(invitation.tzid, 'Europe/Berlin', 'DTSTART in the series’ own time zone');
    // ical.js expands the rule as a calendar app would: Mondays and Wednesdays at 16:00 Berlin, six times.
    const iterator = invitation.event.iterator();
    const starts: string[] = [];
    for (let next = iterator.next(); next && starts.length < 10; next = iterator.next()) {
      starts.push(next.toJSDate().toISOString());
    }
    assert.deepEqual(starts, [
      '2026-12-07T15:00:00.000Z',
      '2026-12-09T15:00:00.000Z',
      '2026-12-14T15:00:00.000Z',
      '2026-12-16T15:00:00.000Z',
      '2026-12-21T15:00:00.000Z',
      '2026-12-23T15:00:00.000Z',
    ]);
    assert.ok(lastCalendarTo('s-02@example.edu'), 'each invitee gets one');
    const mail = smtp.mails.find((received) => received.rcptTo.includes('s-01@example.edu'));
    assert.match(mail?.header('from') ?? '', /hub@example\.edu/);

    await json<SessionResponse>(
      await hub.requestAs(
        't-ada',
        `/v1/sessions/${session.id}/cancel`,
        jsonBody({ scope: 'series' }, { method: 'POST' }),
      ),
    );
    await hub.services.notifications.worker.runDue();
    const cancel = lastCalendarTo('s-01@example.edu');
    assert.equal(cancel.method, 'CANCEL');
    assert.equal(cancel.event.uid, invitation.event.uid);
    assert.ok(cancel.sequence > invitation.sequence, 'a later SEQUENCE replaces the invitation');
  });
});
