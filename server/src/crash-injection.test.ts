import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRun, runCrashInjection } from './testing/crash-harness.ts';

/**
 * The short, fixed-seed run of the crash-injection harness (the long randomized one is
 * `tests/soak/crash.test.ts`): three SIGKILLs while chats, sessions, calls and test notifications are
 * being made, then every promise kept and nothing half-created.
 */
const SEED = 20_261_126;

describe('SIGKILL during fan-out, session scheduling and call ringing', () => {
  it('keeps every promised notification, shows each once and leaves nothing half-created', async () => {
    const report = await runCrashInjection({
      seed: SEED,
      kills: 3,
      storage: 'pglite',
      // Short rounds keep npm test fast; each restart costs a few seconds of PGlite start-up anyway.
      killWindowMs: [1000, 2500],
      log: (line) => console.log(`# ${line}`),
    });
    for (const line of describeRun(report)) console.log(line);
    assert.ok(report.requests.answered2xx > 0, 'some requests were answered between the kills');
    assert.deepEqual(report.violations, [], `seed ${SEED}`);
  });
});
