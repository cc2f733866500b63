import { Hono } from 'hono';
import { ApiError } from '../domain/errors.ts';
import type { PublicEnv } from '../http/types.ts';
import type { Services } from '../services.ts';

/** Webhook delivery ids are GetStream's UUIDs; anything much longer is not one. */
const MAX_DELIVERY_ID_LENGTH = 200;

/**
 * `POST /v1/webhooks/stream`: GetStream's (or the emulator's) events. Authenticated by `X-Signature`, the
 * hex HMAC-SHA256 of the raw body with the API secret; a retry (same `X-Webhook-Id`) is answered 200 and
 * does nothing.
 */
export function webhookRoutes(services: Services) {
  const { service, provider } = services.chat;
  return new Hono<PublicEnv>().post('/webhooks/stream', async (c) => {
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
