import type { Kysely } from 'kysely';
import type { HubDatabase } from './schema.ts';

/** Values the hub keeps for itself across restarts (the dev token secret, generated VAPID keys, …). */
export class SettingsStore {
  readonly #db: Kysely<HubDatabase>;

  constructor(db: Kysely<HubDatabase>) {
    this.#db = db;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value as T | undefined;
  }

  /**
   * The stored value, or `create()`'s stored first. When two instances race, both read the one that won,
   * so a generated secret is generated once for every instance sharing the database.
   */
  async getOrCreate<T>(key: string, create: () => T): Promise<T> {
    const existing = await this.get<T>(key);
    if (existing !== undefined) return existing;
    await this.#db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(create()) })
      .onConflict((conflict) => conflict.column('key').doNothing())
      .execute();
    const stored = await this.get<T>(key);
    if (stored === undefined) throw new Error(`The setting ${key} could not be stored.`);
    return stored;
  }
}
