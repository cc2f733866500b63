/**
 * The bundle rows of `npm run bench`: what a host page downloads for the SDK (the student widgets; the
 * teacher hub with its chat list) against baselines built in the same run, and video code before a call.
 * Builds the SDK first so the figures are the current code's. The same budgets fail `npm test`
 * (`tests/e2e/bundle-budgets.test.ts`).
 */
import { measureBundles } from './bundle/measure.ts';
import { bundleRows } from './bundle/rows.ts';
import type { Bench } from './types.ts';

const bench: Bench = {
  id: 'bundle',
  order: 10,
  run: async () =>
    bundleRows(await measureBundles({ build: 'always', log: (line) => console.error(`[bundle] ${line}`) })),
};

export default bench;
