import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/*
 * The instants must not depend on the server process's `TZ` (DESIGN.md "Time"). `TZ` is read when the
 * process starts, so recurrence.test.ts — whose expectations are literal UTC instants — runs again in a
 * child process per zone. The zones cover both hemispheres, a 30-minute DST shift and no DST at all.
 */

const SUITE = fileURLToPath(new URL('./recurrence.test.ts', import.meta.url));
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'] as const;

// Without NODE_TEST_CONTEXT the child is a test run of its own, not a file of this one.
const { NODE_TEST_CONTEXT: _testContext, ...parentEnvironment } = process.env;

interface ChildRun {
  code: number | null;
  output: string;
}

function runSuite(timeZone: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', SUITE], {
      env: { ...parentEnvironment, TZ: timeZone },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('recurrence under every process time zone', () => {
  // Started together: each child takes about a second, mostly loading TypeScript.
  const runs = new Map(ZONES.map((zone) => [zone, runSuite(zone)]));

  for (const zone of ZONES) {
    it(`gives the same instants with TZ=${zone}`, async () => {
      const { code, output } = await runs.get(zone)!;
      assert.match(output, new RegExp(`recurrence \\(process TZ=${zone}\\)`), 'the child ran in that zone');
      assert.match(output, /^# fail 0$/m, output);
      assert.match(output, /^# pass [1-9]\d*$/m, output);
      assert.equal(code, 0, output);
    });
  }
});
