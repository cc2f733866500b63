import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { describeRun, runCrashInjection } from '../../server/src/testing/crash-harness.ts';
import { skipWithoutPostgres } from '../../server/src/testing/postgres.ts';

/**
 * The long crash-injection run (the short fixed-seed one is `server/src/crash-injection.test.ts`): more
 * SIGKILLs, a fresh seed each run, on PGlite and on PostgreSQL. `CRASH_SEED=<n>` replays a seed a failed
 * run printed.
 */
const SEED = process.env['CRASH_SEED'] ? Number(process.env['CRASH_SEED']) : randomInt(2 ** 31);
const KILLS = 8;

for (const storage of ['pglite', 'postgres'] as const) {
  describe(
    `crash injection on ${storage === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    {
      skip: storage === 'postgres' ? skipWithoutPostgres : false,
    },
    () => {
      it(`keeps every promise through ${KILLS} SIGKILLs (seed ${SEED})`, async () => {
        console.log(`# crash soak on ${storage}: seed ${SEED} (replay with CRASH_SEED=${SEED})`);
        const report = await runCrashInjection({
          seed: SEED,
          kills: KILLS,
          storage,
          clients: 6,
          // Waiting out the repairs' grace costs a minute: once per soak run, on the last database.
          awaitRepairs: storage === 'postgres' || skipWithoutPostgres !== false,
          log: (line) => console.log(`# ${line}`),
        });
        for (const line of describeRun(report)) console.log(line);
        assert.ok(report.requests.answered2xx > 0, 'some requests were answered between the kills');
        assert.deepEqual(report.violations, [], `seed ${SEED}`);
      });
    },
  );
}
