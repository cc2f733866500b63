/**
 * The local web push service (`server/src/testing/peers/push-service.ts`: real HTTPS, VAPID checked,
 * payloads decrypted) in a process of its own, so that its work is not counted against the sender measured.
 * `node --import tsx push-service-process.ts <subscriptions>` prints
 * `{ origin, caFile, subscriptions }` once listening; then answers `{ "deliveries": true }` with how many
 * messages it accepted and refused so far.
 */
import { startPushService } from '../../../server/src/testing/peers/push-service.ts';
import { createTestPki } from '../../../server/src/testing/peers/tls.ts';
import { answerRequests } from '../../support/child.ts';

const count = Number(process.argv[2] ?? 2_000);
const pki = await createTestPki();
const service = await startPushService({ pki });
const subscriptions = Array.from({ length: count }, () => service.createSubscription());
process.on('SIGTERM', () => {
  void service
    .close()
    .then(() => pki.cleanup())
    .then(() => process.exit(0));
});
answerRequests(async () => {
  const accepted = service.deliveries.length;
  const refused = service.requests.filter((request) => request.status !== 201);
  // Only the counts matter to the bench: keep the peer's memory flat across runs.
  const reasons = [...new Set(refused.map((request) => request.reason ?? String(request.status)))].slice(
    0,
    3,
  );
  service.reset();
  return { accepted, refused: refused.length, reasons };
});
console.log(JSON.stringify({ origin: service.origin, caFile: pki.caFile, subscriptions }));
