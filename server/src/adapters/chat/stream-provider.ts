import { createHmac, timingSafeEqual } from 'node:crypto';
import { StreamChat, type StreamChatOptions } from 'stream-chat';
import { z } from 'zod';
import type {
  ChannelMember,
  ChannelRef,
  ChatProvider,
  ChatUser,
  ProviderEvent,
} from '../../domain/chat/chat-provider.ts';
import type { Clock } from '../../domain/clock.ts';
import { ApiError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import { signHs256 } from '../identity/hs256-sign.ts';
import { streamUserId } from './stream-ids.ts';

export interface StreamProviderOptions {
  /** `emulator`: the local GetStream emulator (dev mode); `stream`: GetStream itself. */
  kind: 'emulator' | 'stream';
  apiKey: string;
  apiSecret: string;
  /** Where the server-side client sends its calls; GetStream's default when undefined. */
  baseURL: string | undefined;
  /** What clients get as `baseURL` from `POST /v1/chat/token`; null for GetStream's default. */
  clientBaseURL: string | null;
  /**
   * How the server-side client reaches `baseURL` (through axios's fetch adapter). The hub hands its
   * in-process emulator's `fetch` here in dev mode, so it needs no port of its own to reach it.
   */
  fetch?: (input: URL | Request | string, init?: RequestInit) => Promise<Response>;
  clock: Clock;
  logger: Logger;
  /** Lifetime of client tokens; clients refresh them through their token provider. Default one hour. */
  tokenTtlSeconds?: number;
}

/** Users already sent to GetStream with their current name and role, so a token call costs nothing more. */
const UPSERTED_LIMIT = 10_000;
const NOT_FOUND_CODE = 16;

const webhookSchema = z.looseObject({
  type: z.string(),
  cid: z.string().optional(),
  channel_type: z.string().optional(),
  channel_id: z.string().optional(),
  created_at: z.string().optional(),
  user: z.looseObject({ id: z.string() }).optional(),
  message: z
    .looseObject({
      id: z.string(),
      text: z.string().nullish(),
      type: z.string().optional(),
      user: z.looseObject({ id: z.string() }).optional(),
      attachments: z.array(z.unknown()).nullish(),
      parent_id: z.string().nullish(),
      show_in_channel: z.boolean().nullish(),
      silent: z.boolean().nullish(),
      created_at: z.string().optional(),
    })
    .optional(),
});

/**
 * The hub's GetStream adapter: the one place on the server that imports `stream-chat`. It is used with the
 * API secret (server-side calls, which GetStream never permission-checks: the domain checked the rules
 * before calling). Hub user ids are mapped with `streamUserId`. Every failure becomes
 * `ApiError('UNAVAILABLE')` here, logged with GetStream's own message.
 */
export class StreamChatProvider implements ChatProvider {
  readonly kind: 'emulator' | 'stream';
  readonly connection: { apiKey: string; baseURL: string | null };
  /** The server-side client (API secret), for `setup:stream` and the boot check. */
  readonly client: StreamChat;
  readonly #secret: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #tokenTtlSeconds: number;
  readonly #upserted = new Map<string, string>();

  constructor(options: StreamProviderOptions) {
    this.kind = options.kind;
    this.connection = { apiKey: options.apiKey, baseURL: options.clientBaseURL };
    this.#secret = options.apiSecret;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    const clientOptions: StreamChatOptions = {
      timeout: 10_000,
      // A server keeps no channel state: without this stream-chat would cache every channel it touched.
      disableCache: true,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.fetch ? { adapter: 'fetch', env: { fetch: options.fetch } } : {}),
    };
    this.client = new StreamChat(options.apiKey, options.apiSecret, clientOptions);
  }

  providerUserId(userId: string): string {
    return streamUserId(userId);
  }

  async upsertUsers(users: readonly ChatUser[]): Promise<void> {
    const stale = users.filter((user) => this.#upserted.get(user.id) !== signature(user));
    if (stale.length === 0) return;
    await this.#call('update its users', () =>
      this.client.upsertUsers(
        stale.map((user) => ({
          id: streamUserId(user.id),
          name: user.name,
          // Everyone is a plain user; what teachers may do more comes from their channel role.
          role: 'user',
          hub_id: user.id,
          hub_role: user.role,
        })),
      ),
    );
    if (this.#upserted.size + stale.length > UPSERTED_LIMIT) this.#upserted.clear();
    for (const user of stale) this.#upserted.set(user.id, signature(user));
  }

  async createChannel(
    ref: ChannelRef,
    data: { name: string | null; createdById: string; members: readonly ChannelMember[] },
  ): Promise<void> {
    const members = data.members.map(toStreamMember);
    const channel = this.client.channel(ref.type, ref.id, {
      ...(data.name !== null ? { name: data.name } : {}),
      members,
      created_by_id: streamUserId(data.createdById),
    } as Record<string, unknown>);
    const state = await this.#call('create the chat', () => channel.create());
    // An existing channel keeps its members as they are: add the ones it is missing.
    const present = new Set((state.members ?? []).map((member) => member.user_id ?? member.user?.id));
    const missing = members.filter((member) => !present.has(member.user_id));
    if (missing.length > 0) await this.#call('add the members', () => channel.addMembers(missing));
  }

  async renameChannel(ref: ChannelRef, name: string): Promise<void> {
    await this.#call('rename the chat', () =>
      this.#channel(ref).updatePartial({ set: { name } as Record<string, unknown> }),
    );
  }

  async addMembers(ref: ChannelRef, members: readonly ChannelMember[]): Promise<void> {
    if (members.length === 0) return;
    await this.#call('add the members', () => this.#channel(ref).addMembers(members.map(toStreamMember)));
  }

  async removeMembers(ref: ChannelRef, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.#remove('remove the members', () =>
      this.#channel(ref).removeMembers(userIds.map(streamUserId)),
    );
  }

  async deleteChannel(ref: ChannelRef): Promise<void> {
    await this.#remove('delete the chat', () => this.#channel(ref).delete({ hard_delete: true }));
  }

  async sendSystemMessage(ref: ChannelRef, senderId: string, text: string): Promise<void> {
    await this.#call('post the message', () =>
      this.#channel(ref).sendMessage({ text, type: 'system', user_id: streamUserId(senderId) }),
    );
  }

  async unreadCount(userId: string, ref: ChannelRef): Promise<number> {
    const unread = await this.#call('report unread messages', () =>
      this.client.getUnreadCount(streamUserId(userId)),
    );
    const cid = `${ref.type}:${ref.id}`;
    return unread?.channels?.find((channel) => channel.channel_id === cid)?.unread_count ?? 0;
  }

  async userToken(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.#clock.now().getTime() / 1000);
    const expiresAt = issuedAt + this.#tokenTtlSeconds;
    const token = signHs256({ user_id: streamUserId(userId), iat: issuedAt, exp: expiresAt }, this.#secret);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /**
   * Whether `signature` (`X-Signature`) is the hex HMAC-SHA256 of the raw body with the API secret, as
   * GetStream signs webhooks. Compared in constant time.
   */
  verifyWebhook(rawBody: Uint8Array, signature: string | undefined): boolean {
    if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
    const expected = createHmac('sha256', this.#secret).update(rawBody).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }

  /** A verified webhook body as the domain's event; null when it is not an event at all. */
  parseWebhook(body: unknown): ProviderEvent | null {
    const parsed = webhookSchema.safeParse(body);
    if (!parsed.success) return null;
    const event = parsed.data;
    if (event.type !== 'message.new') return { type: 'other', name: event.type };
    const [cidType, cidId] = event.cid?.split(':', 2) ?? [];
    const type = event.channel_type ?? cidType;
    const id = event.channel_id ?? cidId;
    const message = event.message;
    if (!type || !id || !message) return null;
    // PostgreSQL text cannot hold NUL (a 500, and GetStream retrying): no id with one, none in the text.
    const senderProviderId = message.user?.id ?? event.user?.id ?? null;
    if ([type, id, message.id, senderProviderId ?? ''].some((value) => value.includes('\u0000'))) return null;
    return {
      type: 'message.new',
      channel: { type, id },
      messageId: message.id,
      senderProviderId,
      text: (message.text ?? '').replaceAll('\u0000', ''),
      hasAttachments: (message.attachments?.length ?? 0) > 0,
      quiet:
        message.silent === true ||
        message.type === 'system' ||
        (Boolean(message.parent_id) && message.show_in_channel !== true),
      createdAt: new Date(message.created_at ?? event.created_at ?? this.#clock.now()),
    };
  }

  #channel(ref: ChannelRef) {
    return this.client.channel(ref.type, ref.id);
  }

  async #call<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.#logger.warn(`GetStream did not ${doing}`, {
        error: error instanceof Error ? error : String(error),
      });
      throw new ApiError(
        'UNAVAILABLE',
        `The chat service did not ${doing}; nothing was changed. Try again in a moment.`,
      );
    }
  }

  /** For removals: a channel (or membership) that is gone already is what was asked for. */
  async #remove(doing: string, work: () => Promise<unknown>): Promise<void> {
    await this.#call(doing, async () => {
      try {
        await work();
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }
}

function signature(user: ChatUser): string {
  return `${user.role}\n${user.name}`;
}

function toStreamMember(member: ChannelMember) {
  return {
    user_id: streamUserId(member.userId),
    channel_role: member.moderator ? 'channel_moderator' : 'channel_member',
  };
}

/** stream-chat's errors carry GetStream's error `code` (16: does not exist) and the HTTP `status`. */
function isNotFound(error: unknown): boolean {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  return code === NOT_FOUND_CODE || status === 404;
}
