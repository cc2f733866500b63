import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { DirectorySync, HubNotification } from '@teacher-hub/protocol';
import { startHubProcess, type HubProcess } from '../../server/src/testing/hub-process.ts';
import { claimsFor, signWithSecret } from '../../server/src/testing/tokens.ts';
import { cpuPercent, sampleProcess, waitUntilQuiet, type ProcessSample } from './support/proc-stats.ts';
import { openLoadClients, quantile, type LoadClient } from './support/sse-clients.ts';

const CLIENTS = 2_000;
/** POST /v1/chats and POST /v1/chats/:id/members take at most 200 users per call. */
const MEMBERS_PER_CALL = 200;

/** Production identity with the least configuration (as tests/e2e/token-endpoint.test.ts): HS256 tokens we sign. */
const IDENTITY = {
  HUB_JWT_SECRET: 'the-lms-and-the-hub-share-this-secret-for-the-load-test',
  HUB_JWT_ISSUER: 'https://lms.example.edu',
  HUB_JWT_AUDIENCE: 'teacher-hub',
  HUB_ADMIN_KEY: 'admin-key-for-the-sse-load-test-0123',
};

const teacher = { id: 'load-teacher', name: 'Lecturer Lovelace', role: 'teacher' } as const;
const students = Array.from({ length: CLIENTS }, (_, index) => {
  const number = String(index + 1).padStart(4, '0');
  return { id: `load-s-${number}`, name: `Student ${number}`, role: 'student' } as const;
});

/** One lecture course of 2,000 students: the whole roster the teacher may reach (rule 1). */
const LECTURE: DirectorySync = {
  users: [teacher, ...students].map((user) => ({ ...user, email: null })),
  courses: [{ id: 'lecture-hall-1', name: 'Lecture Hall' }],
  enrollments: [
    { courseId: 'lecture-hall-1', userId: teacher.id, role: 'teacher' },
    ...students.map((student) => ({
      courseId: 'lecture-hall-1',
      userId: student.id,
      role: 'student' as const,
    })),
  ],
};

const ms = (value: number) => `${Math.round(value)} ms`;
const log = (line: string) => console.log(`# ${line}`);

describe('load: one instance holds 2,000 SSE clients', { timeout: 170_000 }, () => {
  let hub: HubProcess;
  let clients: LoadClient[] = [];
  const token = (user: { id: string; name: string; role: string }) =>
    signWithSecret(
      IDENTITY.HUB_JWT_SECRET,
      claimsFor(user, { issuer: IDENTITY.HUB_JWT_ISSUER, audience: IDENTITY.HUB_JWT_AUDIENCE }),
    );
  const call = async (path: string, init: { method: string; token: string; body?: unknown }) => {
    const response = await fetch(`${hub.url}${path}`, {
      method: init.method,
      headers: { Authorization: `Bearer ${init.token}`, 'Content-Type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    assert.ok(response.ok, `${init.method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  before(async () => {
    hub = await startHubProcess(IDENTITY);
  });
  after(async () => {
    for (const client of clients) client.close();
    await hub?.stop();
  });

  it('connects 2,000 clients and delivers one call ring to each of them exactly once', async () => {
    const pid = hub.process.pid as number;
    const afterBoot = sampleProcess(pid);

    // The LMS syncs the course; the teacher puts all 2,000 in one group chat (200 per call, the API's cap).
    await call('/v1/admin/directory', { method: 'PUT', token: IDENTITY.HUB_ADMIN_KEY, body: LECTURE });
    const teacherToken = await token(teacher);
    const ids = students.map((student) => student.id);
    const setupStart = performance.now();
    const created = await call('/v1/chats', {
      method: 'POST',
      token: teacherToken,
      body: { name: 'Lecture Hall (all students)', memberIds: ids.slice(0, MEMBERS_PER_CALL) },
    });
    const chatId = (created.chat as { id: string }).id;
    for (let from = MEMBERS_PER_CALL; from < ids.length; from += MEMBERS_PER_CALL) {
      await call(`/v1/chats/${chatId}/members`, {
        method: 'POST',
        token: teacherToken,
        body: { userIds: ids.slice(from, from + MEMBERS_PER_CALL) },
      });
    }
    log(`setup: a group chat of ${ids.length} students in ${ms(performance.now() - setupStart)}`);
    // The chat's webhooks and the chat.added deliveries run on after the calls answered: let them drain,
    // so that the figures below are the streams' own.
    const drainedMs = await waitUntilQuiet(pid, { belowPercent: 10, windowMs: 1_000, timeoutMs: 60_000 });
    log(`setup's background work drained ${ms(drainedMs)} later`);

    // Every student opens the stream as the SDK does, after the chat.added notifications were written
    // (so none of them is replayed: no Last-Event-ID).
    const users = await Promise.all(
      students.map(async (student) => [student.id, await token(student)] as const),
    );
    const beforeConnect = sampleProcess(pid);
    const connectStart = performance.now();
    clients = await openLoadClients({ origin: hub.url, users, window: 100, readyTimeoutMs: 60_000 });
    const connectMs = performance.now() - connectStart;
    const connected = clients.filter((client) => client.readyAt !== undefined && !client.failure);
    const failures = clients.filter((client) => client.failure).map((client) => client.failure);
    const readyDelays = connected.map((client) => (client.readyAt as number) - connectStart);
    const afterConnect = sampleProcess(pid);
    log(
      `connected: ${connected.length}/${CLIENTS} in ${ms(connectMs)} (100 opening at a time; ` +
        `${Math.round((connected.length / connectMs) * 1000)}/s), failures: ${failures.length}` +
        (failures.length > 0 ? ` (first: ${failures[0]})` : ''),
    );
    log(`last ready at ${ms(Math.max(...readyDelays))}`);
    assert.equal(connected.length, CLIENTS, `every client gets its ready event; failures: ${failures[0]}`);

    // Held and idle: what 2,000 open streams cost when nothing happens.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idle = sampleProcess(pid);

    // The one action: the teacher rings the 2,000-member chat. Each student's stream must carry the
    // call.ringing notification once. Meanwhile a route that needs neither database nor token is polled
    // as a probe of the server's event loop (/health would wait for the database, which the ring holds).
    const probeLatencies: number[] = [];
    const probeFailures: string[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const started = performance.now();
        try {
          await (await fetch(`${hub.url}/v1/push/vapid-public-key`)).arrayBuffer();
          probeLatencies.push(performance.now() - started);
        } catch (error) {
          probeFailures.push(String((error as Error).cause ?? error));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const beforeRing = sampleProcess(pid);
    const generatorBeforeRing = sampleProcess(process.pid);
    const [machineLoad = 0] = loadavg();
    const bytesBefore = clients.map((client) => client.bytes);
    const ringStart = performance.now();
    const started = await call(`/v1/chats/${chatId}/calls`, { method: 'POST', token: teacherToken });
    const answeredMs = performance.now() - ringStart;
    const callId = (started.call as { id: string }).id;
    const ringsOf = (client: LoadClient) =>
      client.events.filter((event) => {
        if (event.event !== 'notification') return false;
        const notification = JSON.parse(event.data) as HubNotification;
        return notification.kind === 'call.ringing' && notification.data.callId === callId;
      });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && clients.some((client) => ringsOf(client).length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const allDeliveredMs = performance.now() - ringStart;
    const afterRing = sampleProcess(pid);
    const generatorAfterRing = sampleProcess(process.pid);
    // A moment more, so that a second copy of the ring would have arrived too.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    probing = false;
    await probe;

    const rings = clients.map(ringsOf);
    const delivered = rings.filter((received) => received.length > 0).length;
    const exactlyOnce = rings.filter((received) => received.length === 1).length;
    const delays = rings.flatMap((received) => (received[0] ? [received[0].at - ringStart] : []));
    const dropped = clients.filter((client) => client.failure).length;
    const ringBytes = clients.map((client, index) => client.bytes - (bytesBefore[index] as number));
    const describe = (sample: ProcessSample) =>
      `RSS ${sample.rssMiB} MiB, ${sample.openFds} open fds, ${sample.cpuSeconds.toFixed(2)} s CPU so far`;

    log(
      `ring (POST /v1/chats/:id/calls) answered in ${ms(answeredMs)}; all delivered ${ms(allDeliveredMs)} after the request`,
    );
    log(`delivered: ${delivered}/${CLIENTS}, exactly once: ${exactlyOnce}, streams dropped: ${dropped}`);
    log(
      `delay request → event: p50 ${ms(quantile(delays, 0.5))}, p95 ${ms(quantile(delays, 0.95))}, ` +
        `p99 ${ms(quantile(delays, 0.99))}, max ${ms(Math.max(...delays))}`,
    );
    log(
      `each client received ${Math.round(quantile(ringBytes, 0.5) / 1024)} kB for the ring ` +
        `(${Math.round(ringBytes.reduce((sum, bytes) => sum + bytes, 0) / 1024 / 1024)} MiB in all): ` +
        'the notification and the call state, which lists every member',
    );
    log(
      `event-loop probe during the ring (${probeLatencies.length} polls): ` +
        `p50 ${ms(quantile(probeLatencies, 0.5))}, max ${ms(Math.max(...probeLatencies))}, ` +
        `failed ${probeFailures.length}${probeFailures[0] ? ` (first: ${probeFailures[0]})` : ''}`,
    );
    log(`server after boot: ${describe(afterBoot)}`);
    log(`server after the setup: ${describe(beforeConnect)}`);
    log(`server with ${CLIENTS} streams open: ${describe(afterConnect)}`);
    log(
      `server CPU: connecting ${cpuPercent(beforeConnect, afterConnect)}% of a core, ` +
        `idle with ${CLIENTS} streams ${cpuPercent(afterConnect, idle)}%, ` +
        `ring fan-out ${cpuPercent(beforeRing, afterRing)}% ` +
        `(${(afterRing.cpuSeconds - beforeRing.cpuSeconds).toFixed(2)} s CPU)`,
    );
    log(
      // RSS moves with garbage collection by tens of MiB, more than 2,000 idle streams take: compare the
      // three, do not divide.
      `server RSS: ${beforeConnect.rssMiB} MiB before connecting, ${afterConnect.rssMiB} MiB with ` +
        `${CLIENTS} streams, ${afterRing.rssMiB} MiB after the ring, peak ${afterRing.peakRssMiB} MiB`,
    );
    const problems = hub
      .output()
      .split('\n')
      .filter((line) => / (warn|error) /.test(line));
    if (problems.length > 0) log(`server warnings and errors: ${problems.length}, first: ${problems[0]}`);
    log(
      `load generator (this process, all ${CLIENTS} clients) during the ring: ` +
        `${cpuPercent(generatorBeforeRing, generatorAfterRing)}% of a core; the delays include its reading`,
    );
    log(
      `figures are from a shared 2-core machine (load average ${machineLoad.toFixed(1)} at the ring): ` +
        'other processes (tests, builds) make them noisy',
    );

    assert.equal(delivered, CLIENTS, 'every client receives the ring');
    assert.equal(exactlyOnce, CLIENTS, 'no client receives it twice');
    assert.equal(dropped, 0, 'no stream was dropped');
  });
});
