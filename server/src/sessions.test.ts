import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import {
  MESH_CLOSE,
  type AttendanceResponse,
  type CalendarFeedResponse,
  type CreateSessionRequest,
  type DirectorySync,
  type JoinSessionResponse,
  type LiveNow,
  type Occurrence,
  type OccurrenceList,
  type OccurrenceResponse,
  type Session,
  type SessionResponse,
} from '@teacher-hub/protocol';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { DEMO_DIRECTORY } from './adapters/directory/demo-directory.ts';
import type { LiveEvent } from './adapters/live/live-bus.ts';
import type { ChatList } from './domain/chat/chat-api.ts';
import { fixedClock } from './domain/clock.ts';
import { serveHub, type ServedHub } from './serve.ts';
import { streamChannels } from './testing/chat.ts';
import { assertError, json, jsonBody } from './testing/http.ts';
import { startTestHmsPeer, type HmsPeer } from './testing/peers/hms-peer.ts';
import { createTestPki, type TestPki } from './testing/peers/tls.ts';
import { connectToMesh } from './testing/mesh.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

/** 2026-12-07 is a Monday; Berlin is UTC+1 in December, so 16:00 there is 15:00Z. */
const ALGEBRA_REVIEW: CreateSessionRequest = {
  title: 'Algebra review',
  description: 'Chapters 3 and 4',
  type: 'class',
  start: '2026-12-07T16:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 60,
  inviteeIds: ['s-01', 's-02', 's-03'],
  recurrence: { freq: 'weekly', byWeekday: ['MO', 'WE'] },
};

const MINUTE = 60_000;

async function schedule(hub: TestApp, body: unknown, as = 't-ada'): Promise<Session> {
  return (
    await json<SessionResponse>(
      await hub.requestAs(as, '/v1/sessions', jsonBody(body, { method: 'POST' })),
      201,
    )
  ).session;
}

async function occurrencesOf(hub: TestApp, as: string, query = ''): Promise<Occurrence[]> {
  return (await json<OccurrenceList>(await hub.requestAs(as, `/v1/sessions${query}`))).occurrences;
}

const send = (hub: TestApp, as: string, path: string, body?: unknown, method = 'POST') =>
  hub.requestAs(as, path, body === undefined ? { method } : jsonBody(body, { method }));

interface NotificationRow {
  user_id: string;
  kind: string;
  priority: string;
  title: string;
  data: { sessionId?: string; occurrenceStart?: string; chatId?: string };
}

async function notificationsOf(hub: TestApp, sessionId: string, kind?: string): Promise<NotificationRow[]> {
  const { rows } = await sql<NotificationRow>`
    select user_id, kind, priority, title, data from notifications
    where data->>'sessionId' = ${sessionId} and (${kind ?? null}::text is null or kind = ${kind ?? null})
    order by created_at, kind, user_id
  `.execute(hub.services.database.db);
  return rows;
}

async function reminderJobs(
  hub: TestApp,
  sessionId: string,
): Promise<Array<{ run_at: Date; status: string }>> {
  const { rows } = await sql<{ run_at: Date; status: string }>`
    select run_at, status from jobs where kind = 'session.reminder' and payload->>'sessionId' = ${sessionId}
    order by run_at
  `.execute(hub.services.database.db);
  return rows;
}

async function systemMessages(hub: TestApp, chatId: string): Promise<string[]> {
  const { rows } = await sql<{ text: string }>`
    select text from stream_messages where cid = ${`hub-session:${chatId}`} and type = 'system' order by created_at, id
  `.execute(hub.services.database.db);
  return rows.map((row) => row.text);
}

async function sessionCount(hub: TestApp): Promise<number> {
  const { rows } = await sql<{ count: string }>`select count(*) as count from sessions`.execute(
    hub.services.database.db,
  );
  return Number(rows[0]?.count ?? 0);
}

describe('scheduled sessions: scheduling, listing, editing, cancelling (a clock that stands still)', () => {
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));

  before(async () => {
    hub = await createTestApp({ clock });
  });
  after(async () => {
    await hub?.close();
  });

  describe('POST /v1/sessions', () => {
    it('schedules a weekly class with its own session chat, tells the invitees and keeps reminders ahead', async () => {
      const session = await schedule(hub, ALGEBRA_REVIEW);
      assert.equal(session.title, 'Algebra review');
      assert.equal(session.ownerId, 't-ada');
      assert.deepEqual(session.inviteeIds, ['s-01', 's-02', 's-03']);
      assert.equal(session.status, 'active');
      assert.equal(session.sequence, 0);
      assert.match(session.chatId, /^s-[0-9a-f]{32}$/);
      assert.deepEqual(session.recurrence, { freq: 'weekly', byWeekday: ['MO', 'WE'] });

      const { chats } = await json<ChatList>(await hub.requestAs('s-01', '/v1/chats'));
      const chat = chats.find((entry) => entry.id === session.chatId);
      assert.equal(chat?.kind, 'session');
      assert.equal(chat?.name, 'Algebra review');
      assert.deepEqual(chat?.memberIds, ['t-ada', 's-01', 's-02', 's-03']);
      const channel = (await streamChannels(hub)).find(
        (entry) => entry.cid === `hub-session:${session.chatId}`,
      );
      assert.deepEqual(channel?.members.sort(), ['s-01', 's-02', 's-03', 't-ada']);
      assert.deepEqual(channel?.moderators, ['t-ada']);

      const scheduled = await notificationsOf(hub, session.id, 'session.scheduled');
      assert.deepEqual(
        scheduled.map((row) => row.user_id),
        ['s-01', 's-02', 's-03'],
      );
      assert.equal(scheduled[0]?.title, 'Ada Lovelace scheduled Algebra review');

      const jobs = await reminderJobs(hub, session.id);
      assert.equal(jobs.length, 10);
      // Monday 7 December, 16:00 in Berlin (15:00Z), less the 15 minutes' lead.
      assert.equal(jobs[0]?.run_at.toISOString(), '2026-12-07T14:45:00.000Z');
      assert.equal(jobs[1]?.run_at.toISOString(), '2026-12-09T14:45:00.000Z');
    });

    it('refuses a student: only teachers schedule sessions', async () => {
      await assertError(
        await send(hub, 's-01', '/v1/sessions', { ...ALGEBRA_REVIEW, inviteeIds: ['s-02'] }),
        403,
        'FORBIDDEN',
      );
    });

    it('refuses a student who is not enrolled in any of the teacher’s courses, naming them, and creates nothing', async () => {
      const before = await sessionCount(hub);
      const error = await assertError(
        await send(hub, 't-ada', '/v1/sessions', { ...ALGEBRA_REVIEW, inviteeIds: ['s-01', 's-09'] }),
        403,
        'NOT_ENROLLED',
      );
      assert.deepEqual(
        error.error.details?.map((detail) => detail.path),
        ['inviteeIds.1'],
      );
      assert.match(error.error.message, /s-09/);
      assert.equal(await sessionCount(hub), before);
    });

    it('takes exactly one invitee for a one-on-one, and explains bad bodies field by field', async () => {
      const oneOnOne = await assertError(
        await send(hub, 't-ada', '/v1/sessions', { ...ALGEBRA_REVIEW, type: 'one_on_one' }),
        400,
        'VALIDATION_FAILED',
      );
      assert.ok(oneOnOne.error.details?.some((detail) => detail.path === 'inviteeIds'));
      const bad = await assertError(
        await send(hub, 't-ada', '/v1/sessions', {
          ...ALGEBRA_REVIEW,
          title: '',
          timeZone: 'Mars/Olympus',
          start: '2026-02-30T09:00',
        }),
        400,
        'VALIDATION_FAILED',
      );
      const paths = bad.error.details?.map((detail) => detail.path) ?? [];
      assert.ok(
        paths.includes('title') && paths.includes('timeZone') && paths.includes('start'),
        paths.join(),
      );
      const single = await schedule(hub, {
        ...ALGEBRA_REVIEW,
        type: 'one_on_one',
        inviteeIds: ['s-04'],
        recurrence: undefined,
      });
      assert.equal(single.type, 'one_on_one');
    });

    it('refuses a series that has no occurrence at all', async () => {
      await assertError(
        await send(hub, 't-ada', '/v1/sessions', {
          ...ALGEBRA_REVIEW,
          recurrence: { freq: 'daily', until: '2026-12-01' },
        }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('GET /v1/sessions and /v1/sessions/:id', () => {
    let session: Session;
    before(async () => {
      session = await schedule(hub, {
        ...ALGEBRA_REVIEW,
        title: 'Biology lab',
        inviteeIds: ['s-06', 's-07'],
      });
    });

    it('shows a student only the sessions they are invited to', async () => {
      const forS06 = await occurrencesOf(hub, 's-06');
      assert.ok(forS06.length > 0);
      assert.ok(forS06.every((occurrence) => occurrence.sessionId === session.id));
      const forS01 = await occurrencesOf(hub, 's-01');
      assert.ok(forS01.every((occurrence) => occurrence.sessionId !== session.id));
      await json<SessionResponse>(await hub.requestAs('s-06', `/v1/sessions/${session.id}`));
      await assertError(await hub.requestAs('s-01', `/v1/sessions/${session.id}`), 404, 'NOT_FOUND');
      await assertError(await hub.requestAs('t-grace', `/v1/sessions/${session.id}`), 404, 'NOT_FOUND');
      assert.deepEqual(await occurrencesOf(hub, 't-grace'), []);
    });

    it('lists the occurrences in a range, in start order, at the same wall-clock time across weeks', async () => {
      const occurrences = await occurrencesOf(
        hub,
        's-06',
        '?from=2026-12-07T00:00:00Z&to=2026-12-15T00:00:00Z',
      );
      assert.deepEqual(
        occurrences.map((occurrence) => occurrence.startsAt),
        ['2026-12-07T15:00:00.000Z', '2026-12-09T15:00:00.000Z', '2026-12-14T15:00:00.000Z'],
      );
      const [first] = occurrences;
      assert.equal(first?.endsAt, '2026-12-07T16:00:00.000Z');
      assert.equal(first?.status, 'scheduled');
      assert.equal(first?.chatId, session.chatId);
      assert.equal(first?.occurrenceStart, first?.startsAt);
      // The default range: a day back, 35 days ahead (to 5 January: nine Mondays and Wednesdays from 7 December).
      const byDefault = (await occurrencesOf(hub, 's-06')).filter(
        (occurrence) => occurrence.sessionId === session.id,
      );
      assert.equal(byDefault.length, 9);
      assert.equal(byDefault.at(-1)?.startsAt, '2027-01-04T15:00:00.000Z');
    });

    it('refuses a range of more than 400 days, or one that ends before it starts', async () => {
      await assertError(
        await hub.requestAs('s-06', '/v1/sessions?from=2026-01-01T00:00:00Z&to=2027-03-01T00:00:00Z'),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(
        await hub.requestAs('s-06', '/v1/sessions?from=2026-12-10T00:00:00Z&to=2026-12-01T00:00:00Z'),
        400,
        'VALIDATION_FAILED',
      );
      await assertError(await hub.requestAs('s-06', '/v1/sessions?from=tomorrow'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PATCH /v1/sessions/:id and POST /v1/sessions/:id/cancel', () => {
    let session: Session;
    const monday = '2026-12-07T15:00:00.000Z';
    const wednesday = '2026-12-09T15:00:00.000Z';
    const range = '?from=2026-12-07T00:00:00Z&to=2026-12-10T00:00:00Z';

    before(async () => {
      session = await schedule(hub, { ...ALGEBRA_REVIEW, title: 'Geometry', emailInvitees: true });
    });

    it('moves one occurrence: its name stays, its time changes, the sequence grows, the reminder moves', async () => {
      const { session: moved } = await json<SessionResponse>(
        await send(
          hub,
          't-ada',
          `/v1/sessions/${session.id}`,
          { scope: 'occurrence', occurrenceStart: wednesday, start: '2026-12-09T17:30' },
          'PATCH',
        ),
      );
      assert.equal(moved.sequence, 1);
      assert.deepEqual(moved.exceptions, [
        { occurrenceStart: wednesday, cancelled: false, start: '2026-12-09T17:30' },
      ]);
      const occurrences = (await occurrencesOf(hub, 's-01', range)).filter((o) => o.sessionId === session.id);
      const wed = occurrences.find((occurrence) => occurrence.occurrenceStart === wednesday);
      assert.equal(wed?.startsAt, '2026-12-09T16:30:00.000Z');
      assert.equal(wed?.endsAt, '2026-12-09T17:30:00.000Z');

      const runAts = (await reminderJobs(hub, session.id)).map((job) => job.run_at.toISOString());
      assert.ok(runAts.includes('2026-12-09T16:15:00.000Z'));
      assert.ok(!runAts.includes('2026-12-09T14:45:00.000Z'));
      const rescheduled = await notificationsOf(hub, session.id, 'session.rescheduled');
      assert.deepEqual(
        rescheduled.map((row) => row.user_id),
        ['s-01', 's-02', 's-03'],
      );
      assert.equal(rescheduled[0]?.data.occurrenceStart, wednesday);
      const messages = await systemMessages(hub, session.chatId);
      assert.match(messages.at(-1) ?? '', /Geometry on Wed 9 Dec, 16:00 was moved to Wed 9 Dec, 17:30/);
    });

    it('edits the series: new invitees join the chat, dropped ones leave it, each told what changed', async () => {
      const { session: edited } = await json<SessionResponse>(
        await send(
          hub,
          't-ada',
          `/v1/sessions/${session.id}`,
          { scope: 'series', title: 'Geometry review', inviteeIds: ['s-01', 's-03', 's-04'] },
          'PATCH',
        ),
      );
      assert.equal(edited.title, 'Geometry review');
      assert.deepEqual(edited.inviteeIds, ['s-01', 's-03', 's-04']);
      assert.equal(edited.sequence, 2);
      // Only the title changed: the moved occurrence stays moved.
      assert.equal(edited.exceptions.length, 1);
      const channel = (await streamChannels(hub)).find(
        (entry) => entry.cid === `hub-session:${session.chatId}`,
      );
      assert.deepEqual(channel?.members.sort(), ['s-01', 's-03', 's-04', 't-ada']);
      assert.equal(channel?.name, 'Geometry review');
      const { chats } = await json<ChatList>(await hub.requestAs('s-02', '/v1/chats'));
      assert.ok(!chats.some((chat) => chat.id === session.chatId));
      assert.deepEqual(
        (await notificationsOf(hub, session.id, 'session.scheduled')).map((row) => row.user_id),
        ['s-01', 's-02', 's-03', 's-04'],
      );
      assert.deepEqual(
        (await notificationsOf(hub, session.id, 'session.cancelled')).map((row) => row.user_id),
        ['s-02'],
      );
      await assertError(
        await send(
          hub,
          't-ada',
          `/v1/sessions/${session.id}`,
          { scope: 'series', inviteeIds: ['s-12'] },
          'PATCH',
        ),
        403,
        'NOT_ENROLLED',
      );
      await assertError(
        await send(
          hub,
          's-01',
          `/v1/sessions/${session.id}`,
          { scope: 'series', title: 'Mine now' },
          'PATCH',
        ),
        403,
        'FORBIDDEN',
      );
    });

    it('cancels one occurrence: listed as cancelled, its reminder dropped, the invitees told', async () => {
      const { session: after } = await json<SessionResponse>(
        await send(hub, 't-ada', `/v1/sessions/${session.id}/cancel`, {
          scope: 'occurrence',
          occurrenceStart: monday,
        }),
      );
      assert.equal(after.sequence, 3);
      const mon = (await occurrencesOf(hub, 's-01', range)).find(
        (occurrence) => occurrence.sessionId === session.id && occurrence.occurrenceStart === monday,
      );
      assert.equal(mon?.status, 'cancelled');
      const runAts = (await reminderJobs(hub, session.id)).map((job) => job.run_at.toISOString());
      assert.ok(!runAts.includes('2026-12-07T14:45:00.000Z'));
      const cancelled = (await notificationsOf(hub, session.id, 'session.cancelled')).filter(
        (row) => row.data.occurrenceStart === monday,
      );
      assert.deepEqual(
        cancelled.map((row) => row.user_id),
        ['s-01', 's-03', 's-04'],
      );
      assert.match(
        (await systemMessages(hub, session.chatId)).at(-1) ?? '',
        /Mon 7 Dec, 16:00 was cancelled/,
      );
    });

    it('emails invitations with an .ics (REQUEST, then CANCEL with a higher SEQUENCE) to the dev mailbox', async () => {
      await json<SessionResponse>(
        await send(hub, 't-ada', `/v1/sessions/${session.id}/cancel`, { scope: 'series' }),
      );
      await hub.services.notifications.worker.runDue();
      const mailbox = hub.services.notifications.mailbox;
      assert.ok(mailbox);
      const mail = (await mailbox.list()).filter((message) => message.to === 's-01@example.edu').reverse();
      const invitation = mail.find((message) => message.subject === 'Invitation: Geometry');
      assert.equal(invitation?.calendar?.method, 'REQUEST');
      assert.match(invitation?.calendar?.content ?? '', /METHOD:REQUEST/);
      assert.match(invitation?.calendar?.content ?? '', new RegExp(`UID:session-${session.id}@teacher-hub`));
      // An independent parser reads it: one series from Monday 7 December, 16:00 in Berlin, for s-01.
      const parsed = new ICAL.Component(ICAL.parse(invitation?.calendar?.content ?? ''));
      const vevent = parsed.getFirstSubcomponent('vevent');
      assert.ok(vevent);
      const event = new ICAL.Event(vevent);
      assert.equal(event.summary, 'Geometry');
      assert.equal(event.startDate.toJSDate().toISOString(), '2026-12-07T15:00:00.000Z');
      assert.ok(
        event.attendees.some((attendee) => /s-01@example\.edu/i.test(String(attendee.getFirstValue()))),
      );
      const cancel = mail.find((message) => message.subject === 'Cancelled: Geometry review');
      assert.equal(cancel?.calendar?.method, 'CANCEL');
      assert.match(cancel?.calendar?.content ?? '', /METHOD:CANCEL/);
      assert.match(cancel?.calendar?.content ?? '', /SEQUENCE:4/);
      // Sessions that do not email their invitees send none.
      assert.equal(mail.filter((message) => /Algebra review/.test(message.subject)).length, 0);
    });

    it('cancels the series: every occurrence cancelled, no reminder left, a cancelled session refuses edits', async () => {
      const occurrences = (await occurrencesOf(hub, 's-01', range)).filter((o) => o.sessionId === session.id);
      assert.ok(
        occurrences.length > 0 && occurrences.every((occurrence) => occurrence.status === 'cancelled'),
      );
      assert.deepEqual(
        (await reminderJobs(hub, session.id)).filter((job) => job.status === 'pending'),
        [],
      );
      await assertError(
        await send(hub, 't-ada', `/v1/sessions/${session.id}`, { scope: 'series', title: 'Again' }, 'PATCH'),
        409,
        'CONFLICT',
      );
    });
  });
});

describe('scheduled sessions: reminders on a fake clock', () => {
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));
  const start = new Date('2026-12-02T15:00:00Z');
  const reminders = async (sessionId: string) => notificationsOf(hub, sessionId, 'session.reminder');

  before(async () => {
    hub = await createTestApp({ clock });
  });
  after(async () => {
    await hub?.close();
  });

  it('sends the reminder once, at the start less the lead, with a message in the chat', async () => {
    const session = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-02T16:00',
      recurrence: undefined,
      inviteeIds: ['s-01'],
    });
    clock.set(new Date(start.getTime() - 16 * MINUTE));
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(await reminders(session.id), []);
    clock.set(new Date(start.getTime() - 15 * MINUTE));
    await hub.services.notifications.worker.runDue();
    const sent = await reminders(session.id);
    assert.deepEqual(
      sent.map((row) => [row.user_id, row.title]),
      [['s-01', 'Algebra review starts in 15 minutes']],
    );
    assert.deepEqual(await systemMessages(hub, session.chatId), ['Algebra review starts in 15 minutes.']);
    clock.advance(MINUTE);
    await hub.services.notifications.worker.runDue();
    assert.equal((await reminders(session.id)).length, 1);
  });

  it('moves the reminder with a rescheduled occurrence and drops it with a cancelled one', async () => {
    clock.set(new Date('2026-12-03T08:00:00Z'));
    const moved = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-04T16:00',
      recurrence: undefined,
    });
    const dropped = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-04T16:00',
      recurrence: undefined,
    });
    const original = '2026-12-04T15:00:00.000Z';
    await json<SessionResponse>(
      await send(
        hub,
        't-ada',
        `/v1/sessions/${moved.id}`,
        { scope: 'occurrence', occurrenceStart: original, start: '2026-12-04T18:00' },
        'PATCH',
      ),
    );
    await json<SessionResponse>(
      await send(hub, 't-ada', `/v1/sessions/${dropped.id}/cancel`, {
        scope: 'occurrence',
        occurrenceStart: original,
      }),
    );
    clock.set(new Date('2026-12-04T14:45:00Z'));
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(await reminders(moved.id), []);
    assert.deepEqual(await reminders(dropped.id), []);
    clock.set(new Date('2026-12-04T16:45:00Z'));
    await hub.services.notifications.worker.runDue();
    assert.equal((await reminders(moved.id)).length, 3);
    assert.deepEqual(await reminders(dropped.id), []);
  });

  it('sends no reminder for an occurrence the teacher started early', async () => {
    clock.set(new Date('2026-12-05T08:00:00Z'));
    const session = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-05T16:00',
      recurrence: undefined,
    });
    clock.set(new Date('2026-12-05T14:30:00Z'));
    await json<OccurrenceResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/start`));
    clock.set(new Date('2026-12-05T14:45:00Z'));
    await hub.services.notifications.worker.runDue();
    assert.deepEqual(await reminders(session.id), []);
  });

  it('keeps ten reminders ahead of a long series, one more each time one runs', async () => {
    clock.set(new Date('2026-12-06T08:00:00Z'));
    const session = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-07T09:00',
      recurrence: { freq: 'daily', count: 30 },
    });
    const pending = async () =>
      (await reminderJobs(hub, session.id)).filter((job) => job.status === 'pending');
    assert.equal((await pending()).length, 10);
    clock.set(new Date('2026-12-07T07:45:00Z'));
    await hub.services.notifications.worker.runDue();
    const after = await pending();
    assert.equal(after.length, 10);
    assert.equal(after.at(-1)?.run_at.toISOString(), '2026-12-17T07:45:00.000Z');
  });
});

describe('scheduled sessions: going live on the local mesh', () => {
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-07T14:00:00Z'));
  const events: LiveEvent[] = [];
  let session: Session;
  const occurrenceStart = '2026-12-07T15:00:00.000Z';

  before(async () => {
    hub = await createTestApp({ clock });
    for (const user of ['t-ada', 's-01', 's-06']) {
      hub.services.notifications.live.subscribe(user, (event) => {
        if (event.type === 'session') events.push({ ...event, userIds: [user] });
      });
    }
    session = await schedule(hub, { ...ALGEBRA_REVIEW, inviteeIds: ['s-01', 's-02', 's-03', 's-04'] });
  });
  after(async () => {
    await hub?.close();
  });

  it('refuses joins before the start, starts only for the owner, and only when an occurrence is due', async () => {
    await assertError(await send(hub, 's-01', `/v1/sessions/${session.id}/join`), 409, 'CONFLICT');
    await assertError(await send(hub, 's-06', `/v1/sessions/${session.id}/join`), 404, 'NOT_FOUND');
    await assertError(await send(hub, 's-01', `/v1/sessions/${session.id}/start`), 403, 'FORBIDDEN');
    // 14:00Z: the 15:00Z occurrence is more than an hour away.
    clock.set(new Date('2026-12-07T13:30:00Z'));
    await assertError(await send(hub, 't-ada', `/v1/sessions/${session.id}/start`), 409, 'CONFLICT');
  });

  it('goes live: the urgent session.live, the chat message, the live event and GET /v1/live', async () => {
    clock.set(new Date('2026-12-07T14:55:00Z'));
    const { occurrence } = await json<OccurrenceResponse>(
      await send(hub, 't-ada', `/v1/sessions/${session.id}/start`, {}),
    );
    assert.equal(occurrence.status, 'live');
    assert.equal(occurrence.occurrenceStart, occurrenceStart);
    const live = await notificationsOf(hub, session.id, 'session.live');
    assert.deepEqual(
      live.map((row) => [row.user_id, row.priority]),
      [
        ['s-01', 'urgent'],
        ['s-02', 'urgent'],
        ['s-03', 'urgent'],
        ['s-04', 'urgent'],
      ],
    );
    const { rows } = await sql<{ ttl_seconds: number }>`
      select d.ttl_seconds from deliveries d join notifications n on n.id = d.notification_id
      where n.kind = 'session.live' and n.data->>'sessionId' = ${session.id}
    `.execute(hub.services.database.db);
    assert.ok(rows.every((row) => row.ttl_seconds === 900));
    assert.deepEqual(await systemMessages(hub, session.chatId), ['Algebra review is live: join now.']);
    assert.deepEqual(events.map((event) => [event.userIds[0], (event.data as Occurrence).status]).sort(), [
      ['s-01', 'live'],
      ['t-ada', 'live'],
    ]);
    const now = await json<LiveNow>(await hub.requestAs('s-01', '/v1/live'));
    assert.deepEqual(
      (now.sessions as Occurrence[]).map((entry) => [entry.sessionId, entry.status]),
      [[session.id, 'live']],
    );
    assert.deepEqual((await json<LiveNow>(await hub.requestAs('s-06', '/v1/live'))).sessions, []);
  });

  it('lets the owner and invitees join while live, with a mesh grant', async () => {
    const joined = await json<JoinSessionResponse>(
      await send(hub, 's-01', `/v1/sessions/${session.id}/join`),
    );
    assert.equal(joined.occurrence.status, 'live');
    assert.equal(joined.video.engine, 'mesh');
    assert.ok(joined.video.authToken);
    assert.equal(await hub.services.sessions.service.isRoomOpen(joined.video.roomId), true);
    await json<JoinSessionResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/join`));
    // s-02 comes late, s-03 leaves early (as the mesh reports it), s-04 never comes.
    clock.set(new Date('2026-12-07T15:12:00Z'));
    await json<JoinSessionResponse>(await send(hub, 's-02', `/v1/sessions/${session.id}/join`));
    clock.set(new Date('2026-12-07T15:01:00Z'));
    await json<JoinSessionResponse>(await send(hub, 's-03', `/v1/sessions/${session.id}/join`));
    clock.set(new Date('2026-12-07T15:30:00Z'));
    await hub.services.sessions.service.leftRoom(joined.video.roomId, 's-03');
    await assertError(
      await send(
        hub,
        't-ada',
        `/v1/sessions/${session.id}`,
        { scope: 'series', start: '2026-12-08T16:00' },
        'PATCH',
      ),
      409,
      'CONFLICT',
    );
  });

  it('ends only for the owner: the room closes, and joins are refused after', async () => {
    await assertError(await send(hub, 's-01', `/v1/sessions/${session.id}/end`), 403, 'FORBIDDEN');
    clock.set(new Date('2026-12-07T16:00:00Z'));
    events.length = 0;
    const { occurrence } = await json<OccurrenceResponse>(
      await send(hub, 't-ada', `/v1/sessions/${session.id}/end`),
    );
    assert.equal(occurrence.status, 'ended');
    assert.deepEqual(
      events.map((event) => (event.data as Occurrence).status),
      ['ended', 'ended'],
    );
    await assertError(
      await send(hub, 's-01', `/v1/sessions/${session.id}/join`, { occurrenceStart }),
      409,
      'CONFLICT',
    );
    await assertError(await send(hub, 's-01', `/v1/sessions/${session.id}/join`), 409, 'CONFLICT');
    assert.deepEqual((await json<LiveNow>(await hub.requestAs('s-01', '/v1/live'))).sessions, []);
    const listed = (
      await occurrencesOf(hub, 's-01', '?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z')
    ).find((entry) => entry.occurrenceStart === occurrenceStart);
    assert.equal(listed?.status, 'ended');
  });

  it('reports attendance to the owner: present, late, left early, absent, with minutes', async () => {
    const { attendance } = await json<AttendanceResponse>(
      await hub.requestAs(
        't-ada',
        `/v1/sessions/${session.id}/attendance?occurrenceStart=${occurrenceStart}`,
      ),
    );
    assert.deepEqual(
      attendance.map((entry) => [entry.userId, entry.status, entry.minutes]),
      [
        ['s-01', 'present', 60],
        ['s-02', 'late', 48],
        ['s-03', 'left_early', 29],
        ['s-04', 'absent', 0],
      ],
    );
    assert.equal(attendance[0]?.name, 'Amara Okafor');
    await assertError(
      await hub.requestAs('s-01', `/v1/sessions/${session.id}/attendance?occurrenceStart=${occurrenceStart}`),
      403,
      'FORBIDDEN',
    );
  });
});

describe('the calendar feed', () => {
  let hub: TestApp;

  before(async () => {
    hub = await createTestApp({ clock: fixedClock(new Date('2026-12-01T08:00:00Z')) });
    await schedule(hub, ALGEBRA_REVIEW);
  });
  after(async () => {
    await hub?.close();
  });

  it('gives a private URL that stays the same, serves the sessions as text/calendar, and 404s once revoked', async () => {
    const { url } = await json<CalendarFeedResponse>(await hub.requestAs('s-01', '/v1/calendar/feed'));
    assert.match(url, /^http:\/\/localhost:\d+\/calendar\/[A-Za-z0-9_-]{32}\.ics$/);
    assert.equal(
      (await json<CalendarFeedResponse>(await hub.requestAs('s-01', '/v1/calendar/feed'))).url,
      url,
    );
    const path = new URL(url).pathname;
    const feed = await hub.app.request(path);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('Content-Type') ?? '', /^text\/calendar/);
    const text = await feed.text();
    assert.match(text, /BEGIN:VCALENDAR/);
    assert.match(text, /SUMMARY:Algebra review/);

    const other = await json<CalendarFeedResponse>(await hub.requestAs('s-06', '/v1/calendar/feed'));
    assert.doesNotMatch(await (await hub.app.request(new URL(other.url).pathname)).text(), /Algebra review/);

    const revoked = await hub.requestAs('s-01', '/v1/calendar/feed', { method: 'DELETE' });
    assert.equal(revoked.status, 204);
    await assertError(await hub.app.request(path), 404, 'NOT_FOUND');
    const fresh = await json<CalendarFeedResponse>(await hub.requestAs('s-01', '/v1/calendar/feed'));
    assert.notEqual(fresh.url, url);
    await assertError(await hub.app.request('/calendar/not-a-token-at-all-but-long.ics'), 404, 'NOT_FOUND');
  });
});

describe('scheduled sessions on 100ms (a local 100ms peer)', () => {
  let pki: TestPki;
  let peer: HmsPeer;
  let hub: TestApp;
  const clock = fixedClock(new Date('2026-12-07T08:00:00Z'));

  before(async () => {
    pki = await createTestPki();
    const hms = await startTestHmsPeer({ pki, now: () => clock.now().getTime() });
    peer = hms.peer;
    hub = await createTestApp({
      env: { ...hms.env },
      clock,
      services: { transport: { ca: pki.caPem } },
    });
  });
  after(async () => {
    await hub?.close();
    await peer?.close();
    await pki?.cleanup();
  });

  it('makes the room ahead of time with the reminder, goes live in it, and ends it locked', async () => {
    const session = await schedule(hub, { ...ALGEBRA_REVIEW, recurrence: undefined });
    const name = `session-${session.id}-${Date.parse('2026-12-07T15:00:00Z')}`;
    assert.equal(peer.roomByName(name), undefined);
    clock.set(new Date('2026-12-07T14:45:00Z'));
    await hub.services.notifications.worker.runDue();
    const room = peer.roomByName(name);
    assert.ok(room?.enabled, 'the reminder made the room');
    const roomsBefore = peer.rooms.size;

    clock.set(new Date('2026-12-07T14:58:00Z'));
    await json<OccurrenceResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/start`));
    assert.equal(peer.rooms.size, roomsBefore, 'the start used the room made ahead of time');
    const joined = await json<JoinSessionResponse>(
      await send(hub, 's-02', `/v1/sessions/${session.id}/join`),
    );
    assert.equal(joined.video.engine, 'hms');
    assert.equal(joined.video.roomId, room.id);

    await json<OccurrenceResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/end`));
    assert.equal(peer.roomByName(name)?.enabled, false, 'the room is locked');
  });

  it('ends a room made ahead of time when its occurrence is cancelled', async () => {
    clock.set(new Date('2026-12-08T08:00:00Z'));
    const session = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: '2026-12-08T16:00',
      recurrence: undefined,
    });
    clock.set(new Date('2026-12-08T14:45:00Z'));
    await hub.services.notifications.worker.runDue();
    const name = `session-${session.id}-${Date.parse('2026-12-08T15:00:00Z')}`;
    assert.equal(peer.roomByName(name)?.enabled, true);
    await json<SessionResponse>(
      await send(hub, 't-ada', `/v1/sessions/${session.id}/cancel`, {
        scope: 'occurrence',
        occurrenceStart: '2026-12-08T15:00:00.000Z',
      }),
    );
    assert.equal(peer.roomByName(name)?.enabled, false);
  });
});

describe('rule 9 for sessions', () => {
  let hub: TestApp;

  before(async () => {
    hub = await createTestApp({ clock: fixedClock(new Date('2026-12-01T08:00:00Z')) });
  });
  after(async () => {
    await hub?.close();
  });

  it('takes a student who left the teacher’s courses out of her invitations and the session chat', async () => {
    const session = await schedule(hub, { ...ALGEBRA_REVIEW, inviteeIds: ['s-01', 's-04', 's-06'] });
    const admin = { Authorization: `Bearer ${hub.config.admin.key}` };
    const drop = ['biology-1/s-06', 'biology-1/s-04'];
    const directory: DirectorySync = {
      ...DEMO_DIRECTORY,
      enrollments: DEMO_DIRECTORY.enrollments.filter((e) => !drop.includes(`${e.courseId}/${e.userId}`)),
    };
    await json(
      await hub.app.request('/v1/admin/directory', jsonBody(directory, { method: 'PUT', headers: admin })),
    );

    // s-06 was only in Biology; s-04 is in Algebra as well, so she stays.
    const { session: after } = await json<SessionResponse>(
      await hub.requestAs('t-ada', `/v1/sessions/${session.id}`),
    );
    assert.deepEqual(after.inviteeIds, ['s-01', 's-04']);
    await assertError(await hub.requestAs('s-06', `/v1/sessions/${session.id}`), 404, 'NOT_FOUND');
    assert.deepEqual(await occurrencesOf(hub, 's-06'), []);
    const channel = (await streamChannels(hub)).find(
      (entry) => entry.cid === `hub-session:${session.chatId}`,
    );
    assert.deepEqual(channel?.members.sort(), ['s-01', 's-04', 't-ada']);
    const { chats } = await json<ChatList>(await hub.requestAs('s-06', '/v1/chats'));
    assert.ok(!chats.some((chat) => chat.id === session.chatId));
  });
});

describe('reminders across a restart', () => {
  let dataDir: string;
  let first: TestApp | undefined;
  let second: TestApp | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hub-sessions-'));
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends a reminder that fell due while the hub was down once a new instance runs on the same data', async () => {
    const env = { HUB_DATA_DIR: dataDir, HUB_REMINDER_LEAD_MIN: '1' };
    const start = new Date('2026-12-07T15:00:00Z');
    // Each instance on a clock that stands still: the first schedules three minutes before the start and
    // stops; the reminder (a minute before) falls due while no instance runs; the second starts 30 s
    // before the start, on the same data directory.
    first = await createTestApp({ env, clock: fixedClock(new Date(start.getTime() - 3 * MINUTE)) });
    const session = await schedule(first, {
      ...ALGEBRA_REVIEW,
      start: start.toISOString().slice(0, 16),
      timeZone: 'UTC',
      recurrence: undefined,
      inviteeIds: ['s-05'],
    });
    const [job] = await reminderJobs(first, session.id);
    assert.equal(job?.run_at.toISOString(), new Date(start.getTime() - MINUTE).toISOString());
    await first.services.notifications.worker.runDue();
    assert.deepEqual(await notificationsOf(first, session.id, 'session.reminder'), [], 'not due yet');
    await first.close();
    first = undefined;

    second = await createTestApp({ env, clock: fixedClock(new Date(start.getTime() - 30_000)) });
    await second.services.notifications.worker.runDue();
    const sent = await notificationsOf(second, session.id, 'session.reminder');
    assert.deepEqual(
      sent.map((row) => [row.user_id, row.title]),
      [['s-05', 'Algebra review starts in 1 minute']],
    );
  });
});

describe('scheduled sessions on the local mesh, served over HTTP (the real clock)', () => {
  let hub: TestApp;
  let served: ServedHub;

  before(async () => {
    hub = await createTestApp();
    served = await serveHub(hub.services, hub.app, { port: 0, hostname: '127.0.0.1' });
  });
  after(async () => {
    served?.server.close();
    await hub?.close();
  });

  const connect = (video: JoinSessionResponse['video']) => connectToMesh(served, video);

  async function stays(sessionId: string): Promise<Array<{ user_id: string; open: boolean }>> {
    const { rows } = await sql<{ user_id: string; open: boolean }>`
      select user_id, left_at is null as open from session_attendance where session_id = ${sessionId} order by user_id
    `.execute(hub.services.database.db);
    return rows;
  }

  it('admits peers to a live occurrence’s room, records who left, and locks the room at the end', async () => {
    const start = new Date(Math.ceil(Date.now() / MINUTE) * MINUTE + 10 * MINUTE);
    const session = await schedule(hub, {
      ...ALGEBRA_REVIEW,
      start: start.toISOString().slice(0, 16),
      timeZone: 'UTC',
      recurrence: undefined,
      inviteeIds: ['s-01'],
    });
    await json<OccurrenceResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/start`));
    const teacher = await json<JoinSessionResponse>(
      await send(hub, 't-ada', `/v1/sessions/${session.id}/join`),
    );
    const student = await json<JoinSessionResponse>(
      await send(hub, 's-01', `/v1/sessions/${session.id}/join`),
    );
    assert.equal(student.video.engine, 'mesh');
    assert.equal(student.video.roomId, teacher.video.roomId);

    const ada = await connect(teacher.video);
    const amara = await connect(student.video);
    amara.socket.close();
    const deadline = Date.now() + 5_000;
    while (
      Date.now() < deadline &&
      (await stays(session.id)).some((row) => row.user_id === 's-01' && row.open)
    ) {
      await setTimeout(50);
    }
    assert.deepEqual(await stays(session.id), [
      { user_id: 's-01', open: false },
      { user_id: 't-ada', open: true },
    ]);

    await json<OccurrenceResponse>(await send(hub, 't-ada', `/v1/sessions/${session.id}/end`));
    assert.equal(await ada.closed, MESH_CLOSE.ended, 'the end closes the room for those in it');
    await assert.rejects(connect(student.video), /closed with 4410/, 'and nobody gets back in');
    assert.deepEqual(
      (await stays(session.id)).map((row) => row.open),
      [false, false],
    );
  });
});
