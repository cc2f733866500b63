import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES } from './env.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the two commands of the contract', () => {
    const opening = readme.slice(0, 400);
    assert.match(opening, /npm ci && npm start/);
    assert.match(opening, /npm ci && npm test/);
  });

  it('lists every configuration variable with its default, as env.ts defines them (npm run docs:config)', () => {
    const section = readme.slice(
      readme.indexOf('<!-- config-table:start -->'),
      readme.indexOf('<!-- config-table:end -->'),
    );
    const rows = new Map(
      [...section.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/gm)].map((match) => [
        match[1],
        match[2],
      ]),
    );
    assert.deepEqual(
      [...rows.keys()],
      CONFIG_VARIABLES.map((variable) => variable.name),
    );
    for (const variable of CONFIG_VARIABLES) {
      const shown = rows.get(variable.name);
      assert.equal(
        shown,
        variable.default === null ? '—' : `\`${variable.default}\``,
        `${variable.name}'s default`,
      );
    }
  });
});
