import { Hono } from 'hono';
import {
  HMS_WEBHOOK_SECRET_HEADER,
  parseHmsWebhook,
  verifyHmsWebhook,
} from '../adapters/video/hms-webhook.ts';
import { ApiError } from '../domain/errors.ts';
import type { PublicEnv } from '../http/types.ts';
import type { Services } from '../services.ts';

/** Webhook delivery ids are GetStream's UUIDs; anything much longer is not one. */
const MAX_DELIVERY_ID_LENGTH = 200;

/**
 * `POST /v1/webhooks/stream`: GetStream's (or the emulator's) events. Authenticated by `X-Signature`, the
 * hex HMAC-SHA256 of the raw body with the API secret; a retry (same `X-Webhook-Id`) is answered 200 and
 * does nothing.
 *
 * `POST /v1/webhooks/100ms`: 100ms's events, authenticated by the `X-Hub-Webhook-Secret` header 100ms is
 * configured to send (`HMS_WEBHOOK_SECRET`; unset, every request is refused). On `peer.join.success` the
 * room's owner takes out a peer who is not entitled to the room (rule 9: a 100ms auth token cannot be
 * revoked). Every other authenticated event, unknown room or unknown user is answered 200 and does nothing
 * (100ms retries what is not 200); a retry of a join is harmless (the check runs again).
 */
export function webhookRoutes(services: Services) {
  const { service, provider } = services.chat;
  const hmsSecret = services.config.hms?.webhookSecret ?? null;
  return new Hono<PublicEnv>()
    .post('/webhooks/100ms', async (c) => {
      if (!hmsSecret || !verifyHmsWebhook(c.req.header(HMS_WEBHOOK_SECRET_HEADER), hmsSecret)) {
        throw new ApiError(
          'UNAUTHENTICATED',
          `The webhook secret (${HMS_WEBHOOK_SECRET_HEADER}) is missing or wrong, or this hub takes no 100ms webhooks.`,
        );
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ApiError('VALIDATION_FAILED', 'The webhook body is not JSON.');
      }
      const event = parseHmsWebhook(body);
      if (!event) throw new ApiError('VALIDATION_FAILED', 'The webhook body is not a 100ms event.');
      if (event.type !== 'peer.join.success') return c.json({ ok: true, outcome: 'ignored' }, 200);
      const outcome = await services.calls.peerJoined(event.roomId, event.userId);
      return c.json({ ok: true, outcome }, 200);
    })
    .post('/webhooks/stream', async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      if (!provider.verifyWebhook(raw, c.req.header('X-Signature'))) {
        throw new ApiError('UNAUTHENTICATED', 'The webhook signature (X-Signature) is missing or wrong.');
      }
      const deliveryId = c.req.header('X-Webhook-Id') || undefined;
      if (deliveryId && deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
        throw new ApiError('VALIDATION_FAILED', 'X-Webhook-Id is too long to be a delivery id.');
      }
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        throw new ApiError('VALIDATION_FAILED', 'The webhook body is not JSON.');
      }
      const event = provider.parseWebhook(body);
      if (!event) throw new ApiError('VALIDATION_FAILED', 'The webhook body is not a GetStream event.');
      const outcome = await service.handleEvent(event, deliveryId);
      return c.json({ ok: true, outcome }, 200);
    });
}
