import type { LiveSpill } from './live-bus.ts';

/** The part of a `pg.Pool` (or client) the spill needs. */
export interface SpillQueryable {
  query<Row>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/** Spilled events are read back within moments; older rows are deleted now and then. */
const KEEP_MINUTES = 5;
const PRUNE_EVERY = 50;

/** The `live_spill` table (migration 0007) as the live bus's store for events too big for one NOTIFY. */
export function postgresLiveSpill(db: SpillQueryable): LiveSpill {
  let saves = 0;
  return {
    async save(payload) {
      saves += 1;
      if (saves % PRUNE_EVERY === 0) {
        await db.query(`delete from live_spill where created_at < now() - make_interval(mins => $1)`, [
          KEEP_MINUTES,
        ]);
      }
      const { rows } = await db.query<{ id: string }>(
        'insert into live_spill (payload) values ($1) returning id::text as id',
        [payload],
      );
      const id = rows[0]?.id;
      if (id === undefined) throw new Error('the live spill stored nothing');
      return id;
    },
    async load(id) {
      if (!/^\d+$/.test(id)) return undefined;
      const { rows } = await db.query<{ payload: string }>('select payload from live_spill where id = $1', [
        id,
      ]);
      return rows[0]?.payload;
    },
  };
}
