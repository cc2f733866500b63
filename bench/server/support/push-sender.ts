/**
 * One web push sender, in a process of its own so that `process.cpuUsage()` counts its work alone.
 * `node --import tsx push-sender.ts ours|baseline` (with `NODE_EXTRA_CA_CERTS` trusting the local push
 * service) prints `{ ready: true }`, reads one JSON line `{ subscriptions, vapid, message, warmUp }`, sends
 * `message` `warmUp` times, fan-outs to the subscriptions in turn (not measured: JIT, heap, connections), and prints
 * `{ warmedUp: true }`; then each line `{ from, to }` sends `message` to `subscriptions.slice(from, to)` and
 * prints `{ sent, failed, cpuMs, wallMs, firstFailure }` for that round. The bench alternates rounds of the
 * two senders, so that a change in the machine's load is shared by both rather than charged to one.
 *
 * - ours: `WebPushProvider.send(message, targets)`: the hub's provider (VAPID JWT cached per push service,
 *   HTTP/2, its default concurrency), the same provider for every round.
 * - baseline: a plain loop of `webpush.sendNotification(subscription, payload, { vapidDetails, TTL })`, as
 *   its README shows, with the same payload bytes.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import webpush from 'web-push';
import type { PushMessage, PushTarget } from '../../../server/src/adapters/push/push-provider.ts';
import { WebPushProvider, webPushPayloadText } from '../../../server/src/adapters/push/webpush.ts';

interface Job {
  subscriptions: Array<{ endpoint: string; keys: { p256dh: string; auth: string } }>;
  vapid: { publicKey: string; privateKey: string; subject: string };
  message: PushMessage;
  warmUp: number;
}

type Sender = (subscriptions: Job['subscriptions']) => Promise<{ sent: number; failures: string[] }>;

function oursSender(job: Job): Sender {
  const provider = new WebPushProvider({ vapid: job.vapid });
  return async (subscriptions) => {
    const targets: PushTarget[] = subscriptions.map((subscription, index) => ({
      deviceId: `device-${index}`,
      platform: 'web',
      subscription,
    }));
    const results = await provider.send(job.message, targets);
    return {
      sent: results.filter((result) => result.status === 'sent').length,
      failures: results.flatMap((result) => ('reason' in result ? [result.reason] : [])),
    };
  };
}

function baselineSender(job: Job): Sender {
  const { message } = job;
  // The same bytes the provider encrypts.
  const payload = webPushPayloadText(message);
  return async (subscriptions) => {
    let sent = 0;
    const failures: string[] = [];
    for (const subscription of subscriptions) {
      try {
        await webpush.sendNotification(subscription, payload, {
          vapidDetails: job.vapid,
          TTL: message.ttlSeconds,
        });
        sent += 1;
      } catch (error) {
        failures.push(String(error));
      }
    }
    return { sent, failures };
  };
}

const mode = process.argv[2];
if (mode !== 'ours' && mode !== 'baseline') throw new Error('usage: push-sender.ts ours|baseline');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const nextLine = async (): Promise<string | undefined> => {
  const { value, done } = await lines.next();
  return done ? undefined : (value as string);
};
console.log(JSON.stringify({ ready: true }));
const job = JSON.parse((await nextLine()) ?? 'null') as Job;
const send = mode === 'ours' ? oursSender(job) : baselineSender(job);
// Fan-outs to the subscriptions in turn, `warmUp` messages in all (not measured).
for (let done = 0; done < job.warmUp;) {
  const batch = job.subscriptions.slice(0, Math.min(job.subscriptions.length, job.warmUp - done));
  await send(batch);
  done += batch.length;
}
console.log(JSON.stringify({ warmedUp: true }));
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  const { from, to } = JSON.parse(line) as { from: number; to: number };
  const round = job.subscriptions.slice(from, to);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const { sent, failures } = await send(round);
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      sent,
      failed: failures.length,
      firstFailure: failures[0] ?? null,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
    }),
  );
}
process.exit(0);
