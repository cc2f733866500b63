/**
 * Web push fan-out: one notification to 2,000 distinct subscriptions (real P-256 keys and auth secrets,
 * made by the local push service), sent by our `WebPushProvider` and by a plain `web-push`
 * `sendNotification` loop, each sender in its own process, the push service in a third (real HTTPS with HTTP/2, VAPID
 * verified, every payload decrypted), so neither sender is charged for the receiving. "Per core" is
 * messages / CPU seconds (user + system) of the sending process; wall messages/s are in the details.
 */
import type { PushMessage } from '../../server/src/adapters/push/push-provider.ts';
import { generateVapidKeys } from '../../server/src/adapters/push/webpush.ts';
import type { Bench, BenchRow } from '../types.ts';
import { startHelper } from '../support/child.ts';
import { log, perSecond, round } from '../support/stats.ts';

const SUBSCRIPTIONS = 2_000;
const WARM_UP = 200;
const BUDGET_RATIO = 3;

interface SendResult {
  sent: number;
  failed: number;
  firstFailure: string | null;
  cpuMs: number;
  wallMs: number;
}

interface PeerReady {
  origin: string;
  caFile: string;
  subscriptions: Array<{ endpoint: string; keys: { p256dh: string; auth: string } }>;
}

interface PeerCount {
  accepted: number;
  refused: number;
  reasons: string[];
}

const message: PushMessage = {
  kind: 'session.reminder',
  priority: 'normal',
  title: 'Algebra II starts in 15 minutes',
  body: 'Lecturer Lovelace · Room 12 or online',
  data: {
    sessionId: 'sess-bench-0001',
    occurrenceStart: '2026-11-26T18:00:00.000Z',
    url: '/sessions/sess-bench-0001',
  },
  collapseKey: 'session:sess-bench-0001:reminder:1764180000000',
  ttlSeconds: 900,
  notificationId: '00000000-0000-4000-8000-000000000001',
};

const bench: Bench = {
  id: 'webpush',
  order: 31,
  async run(): Promise<BenchRow[]> {
    const peer = await startHelper('bench/server/support/push-service-process.ts', {
      args: [String(SUBSCRIPTIONS)],
    });
    try {
      const { caFile, subscriptions } = peer.ready as PeerReady;
      const vapid = { ...generateVapidKeys(), subject: 'mailto:bench@teacher-hub.invalid' };
      const measure = async (mode: 'ours' | 'baseline') => {
        const sender = await startHelper('bench/server/support/push-sender.ts', {
          args: [mode],
          env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
        });
        try {
          const result = await sender.ask<SendResult>({ subscriptions, vapid, message, warmUp: WARM_UP });
          const count = await peer.ask<PeerCount>({ deliveries: true });
          if (result.sent !== SUBSCRIPTIONS || count.accepted !== SUBSCRIPTIONS + WARM_UP) {
            throw new Error(
              `${mode}: ${result.sent}/${SUBSCRIPTIONS} sent, the push service accepted ${count.accepted} ` +
                `(with ${WARM_UP} of warm-up) and refused ${count.refused}: ` +
                `${result.firstFailure ?? count.reasons.join('; ')}`,
            );
          }
          const perCpuSecond = result.sent / (result.cpuMs / 1000);
          const perWallSecond = result.sent / (result.wallMs / 1000);
          log(
            `${mode}: ${result.sent} messages, ${Math.round(result.cpuMs)} ms CPU, ${Math.round(result.wallMs)} ms wall: ` +
              `${perSecond(perCpuSecond)} per CPU second, ${perSecond(perWallSecond)} wall`,
          );
          return { perCpuSecond, perWallSecond, ...result };
        } finally {
          await sender.stop();
        }
      };
      const baseline = await measure('baseline');
      const ours = await measure('ours');
      const ratio = ours.perCpuSecond / baseline.perCpuSecond;
      return [
        {
          id: 'webpush.fan-out',
          figure: `web push fan-out, ${SUBSCRIPTIONS.toLocaleString('en-US')} subscriptions: msgs/s per core (ratio ours / baseline)`,
          ours: perSecond(ours.perCpuSecond, ' msgs/s per core'),
          value: round(ours.perCpuSecond),
          unit: 'msgs/CPU s',
          baseline: `${perSecond(baseline.perCpuSecond, ' msgs/s per core')} (web-push loop)`,
          baselineValue: round(baseline.perCpuSecond),
          ratio,
          budget: `≥ ${BUDGET_RATIO}× baseline`,
          pass: ratio >= BUDGET_RATIO,
          details: {
            subscriptions: SUBSCRIPTIONS,
            warmUpNotCounted: WARM_UP,
            oursCpuMs: round(ours.cpuMs),
            oursWallMs: round(ours.wallMs),
            oursWallMsgsPerS: round(ours.perWallSecond),
            baselineCpuMs: round(baseline.cpuMs),
            baselineWallMs: round(baseline.wallMs),
            baselineWallMsgsPerS: round(baseline.perWallSecond),
            wallRatio: round(ours.perWallSecond / baseline.perWallSecond, 2),
            pushService:
              'local HTTPS peer (HTTP/2 with HTTP/1.1 fallback, like real push services) (server/src/testing/peers/push-service.ts) in its own process',
          },
        },
      ];
    } finally {
      await peer.stop();
    }
  },
};

export default bench;
