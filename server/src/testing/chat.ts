import { createHmac, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { STREAM_DEV_CREDENTIALS_SETTING } from '../chat.ts';
import { serveHub } from '../serve.ts';
import type { TestApp } from './test-app.ts';

/** A chat as the hub's tables hold it, members sorted. */
export interface StoredChat {
  id: string;
  kind: string;
  name: string | null;
  ownerId: string | null;
  memberIds: string[];
}

/** A channel as GetStream (the emulator, in dev mode) holds it, members sorted with their channel role. */
export interface StreamChannel {
  cid: string;
  name: string | null;
  members: string[];
  moderators: string[];
}

/** Every chat the hub has recorded. */
export async function storedChats(hub: TestApp): Promise<StoredChat[]> {
  const db = hub.services.database.db;
  const chats = await db.selectFrom('chats').selectAll().orderBy('id').execute();
  const members = await db.selectFrom('chat_members').selectAll().orderBy('user_id').execute();
  return chats.map((chat) => ({
    id: chat.id,
    kind: chat.kind,
    name: chat.name,
    ownerId: chat.owner_id,
    memberIds: members.filter((member) => member.chat_id === chat.id).map((member) => member.user_id),
  }));
}

/** Every channel of the emulator the hub runs in dev mode, read from its tables (what GetStream "has"). */
export async function streamChannels(hub: TestApp): Promise<StreamChannel[]> {
  const db = hub.services.database.db;
  const { rows: channels } = await sql<{ cid: string; name: string | null }>`
    select cid, data ->> 'name' as name from stream_channels order by cid
  `.execute(db);
  const { rows: members } = await sql<{ cid: string; user_id: string; channel_role: string }>`
    select cid, user_id, channel_role from stream_members order by user_id
  `.execute(db);
  return channels.map((channel) => {
    const own = members.filter((member) => member.cid === channel.cid);
    return {
      cid: channel.cid,
      name: channel.name,
      members: own.map((member) => member.user_id),
      moderators: own.filter((member) => member.channel_role === 'channel_moderator').map((m) => m.user_id),
    };
  });
}

/** The emulator's API key and secret in a dev-mode hub. */
export async function devStreamCredentials(hub: TestApp): Promise<{ apiKey: string; apiSecret: string }> {
  const credentials = await hub.services.settings.get<{ apiKey: string; apiSecret: string }>(
    STREAM_DEV_CREDENTIALS_SETTING,
  );
  if (!credentials) throw new Error('this hub has no emulator credentials (is GetStream configured?)');
  return credentials;
}

/** A `POST /v1/webhooks/stream` request as GetStream sends it: signed with `secret`, with a delivery id. */
export function streamWebhook(
  body: unknown,
  secret: string,
  options: { deliveryId?: string | null; signature?: string | null } = {},
): RequestInit {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const signature =
    options.signature === undefined
      ? createHmac('sha256', secret).update(text).digest('hex')
      : options.signature;
  if (signature !== null) headers['X-Signature'] = signature;
  const deliveryId = options.deliveryId === undefined ? randomUUID() : options.deliveryId;
  if (deliveryId !== null) headers['X-Webhook-Id'] = deliveryId;
  return { method: 'POST', body: text, headers };
}

/** Sends a message into a channel server-side, as `userId` (a hub id), the way a client's message lands. */
export async function sendStreamMessage(
  hub: TestApp,
  cid: string,
  userId: string,
  text: string,
): Promise<{ id: string; body: Record<string, unknown> }> {
  const { provider } = hub.services.chat;
  const [type = '', id = ''] = cid.split(':');
  const sent = await provider.client
    .channel(type, id)
    .sendMessage({ text, user_id: provider.providerUserId(userId) } as never);
  const message = sent.message;
  // The webhook body GetStream posts for it (the fields the hub reads).
  const body = {
    type: 'message.new',
    cid,
    channel_type: type,
    channel_id: id,
    message: { id: message.id, text: message.text, type: message.type, user: { id: message.user?.id } },
    user: { id: message.user?.id },
    created_at: message.created_at,
  };
  return { id: message.id, body };
}

/** The hub on a real HTTP listener (WebSocket upgrades and emulator webhooks included), as `main.ts` runs it. */
export async function listenHub(hub: TestApp, port = 0): Promise<{ origin: string; close(): Promise<void> }> {
  const { server, loopbackOrigin } = await serveHub(hub.services, hub.app, { port, hostname: '127.0.0.1' });
  return {
    origin: loopbackOrigin,
    async close() {
      await hub.services.chat.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
