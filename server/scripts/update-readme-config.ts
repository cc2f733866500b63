// Writes the README's configuration table from env.ts, the one schema of all configuration:
// `npm run docs:config`. A test fails when the README and env.ts disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { configTableMarkdown } from '../src/env.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

const readme = readFileSync(README, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md needs ${START} … ${END} markers`);
const updated = `${readme.slice(0, start + START.length)}\n\n${configTableMarkdown()}\n\n${readme.slice(end)}`;
writeFileSync(README, await format(updated, { parser: 'markdown', printWidth: 110, proseWrap: 'preserve' }));
console.log('README.md configuration table updated.');
