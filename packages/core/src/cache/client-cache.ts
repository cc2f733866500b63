import { decodeTokenClaims } from '../token-manager.ts';
import { toPlainData } from './hub-cache.ts';
import type { HubCache } from './hub-cache.ts';

/** Bumped whenever a cached value's shape changes: entries of another version are dropped unread. */
export const CACHE_SCHEMA_VERSION = 1;

/** Entries older than this are dropped unread. */
export const CACHE_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** What the client caches, one entry each per server and user. */
export const CACHE_NAMES = ['roster', 'chats', 'sessions', 'notifications'] as const;
export type CacheName = (typeof CACHE_NAMES)[number];

/** How an entry is stored. */
export interface CacheEnvelope<T> {
  version: number;
  /** Milliseconds since the epoch. */
  savedAt: number;
  value: T;
}

/** One cached value of the user whose token was current when the slot was opened. */
export interface CacheSlot<T> {
  /** The cached value, or `undefined` (none, too old, another version, no user, or the cache failed). */
  read(): Promise<T | undefined>;
  /** Saves `value` (as plain data); skipped when another user signed in meanwhile. Never rejects. */
  write(value: T): Promise<void>;
}

export interface ClientCacheOptions {
  cache: HubCache;
  /** The hub server's URL: entries of one hub never meet another's. */
  server: string;
  /** The token's `sub` is the user the entries belong to. */
  tokens: { getToken(): Promise<string> };
  now?: (() => number) | undefined;
  maxAgeMs?: number | undefined;
}

/**
 * The client's view of a `HubCache`: entries per hub server and user, versioned and dated.
 *
 * The user is the current hub token's `sub`, so nothing is read or written before the first token (a slot
 * asks the token manager, which shares the token fetch the API call makes anyway). The last user per server
 * is remembered in the cache: when another user's token shows up, every entry of that server is deleted
 * before the new user reads or writes any.
 */
export class ClientCache {
  readonly #cache: HubCache;
  readonly #server: string;
  readonly #tokens: { getToken(): Promise<string> };
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  /** The user this client last entered, and the promise that resolves once their entries may be used. */
  #entered: { user: string; ready: Promise<string | undefined> } | undefined;

  constructor(options: ClientCacheOptions) {
    this.#cache = options.cache;
    this.#server = options.server.replace(/\/+$/, '');
    this.#tokens = options.tokens;
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? CACHE_MAX_AGE_MS;
  }

  /** Opens the entry `name` of the current user (resolved in the background, from the current token). */
  slot<T>(name: CacheName): CacheSlot<T> {
    const scope = this.#scope();
    return {
      read: async () => {
        const entered = await scope;
        if (!entered) return undefined;
        const key = entered.prefix + name;
        try {
          const entry = await this.#cache.read<CacheEnvelope<T>>(key);
          if (entry === undefined) return undefined;
          if (this.#usable(entry)) return entry.value;
          await this.#cache.clear(key);
        } catch (error) {
          warn('could not read', error);
        }
        return undefined;
      },
      write: async (value) => {
        const entered = await scope;
        // Another user signed in meanwhile: this value is not theirs.
        if (!entered || this.#entered?.user !== entered.user) return;
        try {
          const envelope: CacheEnvelope<T> = {
            version: CACHE_SCHEMA_VERSION,
            savedAt: this.#now(),
            value: toPlainData(value),
          };
          await this.#cache.write(entered.prefix + name, envelope);
        } catch (error) {
          warn('could not write', error);
        }
      },
    };
  }

  /** Deletes every entry of this hub server (all users); values of loads still running are not saved. */
  async clear(): Promise<void> {
    this.#entered = undefined;
    await this.#cache.clear(this.#entriesPrefix());
  }

  #usable(entry: CacheEnvelope<unknown>): boolean {
    if (typeof entry !== 'object' || entry === null) return false;
    if (entry.version !== CACHE_SCHEMA_VERSION || typeof entry.savedAt !== 'number') return false;
    const age = this.#now() - entry.savedAt;
    return age >= 0 && age <= this.#maxAgeMs;
  }

  #entriesPrefix(): string {
    return `entry\n${this.#server}\n`;
  }

  async #scope(): Promise<{ user: string; prefix: string } | undefined> {
    let token: string;
    try {
      token = await this.#tokens.getToken();
    } catch {
      // The API call reports the token's failure; the cache just has no user.
      return undefined;
    }
    const user = decodeTokenClaims(token)?.sub;
    if (typeof user !== 'string' || user === '') return undefined;
    const prefix = await this.#enter(user);
    return prefix === undefined ? undefined : { user, prefix };
  }

  /** Makes `user` this server's last user, deleting the server's entries when someone else was. */
  #enter(user: string): Promise<string | undefined> {
    if (this.#entered?.user === user) return this.#entered.ready;
    const previous = this.#entered?.ready ?? Promise.resolve(undefined);
    const lastUserKey = `last-user\n${this.#server}`;
    const ready = previous
      .catch(() => undefined)
      .then(async () => {
        const lastUser = await this.#cache.read<string>(lastUserKey);
        if (lastUser !== user) {
          await this.#cache.clear(this.#entriesPrefix());
          await this.#cache.write(lastUserKey, user);
        }
        return `${this.#entriesPrefix()}${user}\n`;
      })
      .catch((error: unknown) => {
        // Without knowing whose entries are stored, none is used.
        warn('could not switch users', error);
        return undefined;
      });
    this.#entered = { user, ready };
    return ready;
  }
}

function warn(what: string, error: unknown): void {
  console.warn(`[teacher-hub] cache: ${what}`, error);
}
