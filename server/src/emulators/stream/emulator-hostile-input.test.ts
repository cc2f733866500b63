/**
 * Hostile input from client tokens (any browser can send them): strings that PostgreSQL cannot store
 * (NUL, unpaired surrogates), malformed JSON and hostile values in the bodies `stream-chat` sends are
 * answered in Stream's error shape with a 4xx, never a 5xx. `FC_SEED` / `FC_RUNS` replay the properties.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import {
  API_KEY,
  createTestDatabase,
  serverClient,
  startEmulator,
  userToken,
  type RunningEmulator,
} from './test-support.ts';

const SEED = Number(process.env.FC_SEED ?? 20261126);
const RUNS = Number(process.env.FC_RUNS ?? 20);

/** What a client may put in a body that the database cannot store, and strings that break naive code. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202e',
    '👩‍🏫',
    '../../x',
    '%00',
    'a'.repeat(10_000),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe('GetStream emulator: hostile input from client tokens', () => {
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let running: RunningEmulator;
  let token: string;

  before(async () => {
    ({ pglite, db } = await createTestDatabase());
    running = await startEmulator(db, { onError: () => undefined });
    const server = serverClient(running.baseURL);
    await server.upsertUsers([{ id: 't-ada' }, { id: 's-01' }]);
    await server
      .channel('hub-group', 'algebra', { members: ['t-ada', 's-01'], created_by_id: 't-ada' } as never)
      .create();
    token = await userToken('s-01');
  });
  after(async () => {
    await running.stop();
    await db.destroy();
    await pglite.close();
  });

  const send = (method: string, path: string, body: string) =>
    fetch(`${running.baseURL}${path}?api_key=${API_KEY}`, {
      method,
      headers: { Authorization: token, 'stream-auth-type': 'jwt', 'Content-Type': 'application/json' },
      body,
    });

  /** The client calls whose bodies carry user-chosen strings, each with a place for one. */
  const calls: Array<[string, string, (text: string) => unknown]> = [
    ['POST', '/channels/hub-group/algebra/message', (text) => ({ message: { text } })],
    ['POST', '/channels/hub-group/algebra/message', (text) => ({ message: { text: 'hi', [text]: 1 } })],
    [
      'POST',
      '/channels/hub-group/algebra/event',
      (text) => ({ event: { type: 'typing.start', parent_id: text } }),
    ],
    ['POST', '/channels/hub-group/algebra/read', (text) => ({ message_id: text })],
    ['POST', '/channels/hub-group/algebra/query', (text) => ({ messages: { id_lt: text, limit: 10 } })],
    ['POST', '/channels', (text) => ({ filter_conditions: { name: { $eq: text } } })],
    ['POST', '/users', (text) => ({ users: { 's-01': { id: 's-01', name: text } } })],
    ['PATCH', '/users', (text) => ({ users: [{ id: 's-01', set: { nickname: text } }] })],
  ];

  for (const [method, path, place] of calls) {
    it(`${method} ${path}: a hostile string is stored or refused with a 4xx, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileString, async (text) => {
          const response = await send(method, path, JSON.stringify(place(text)));
          const answer = await response.text();
          assert.ok(response.status < 500, `${response.status}: ${answer.slice(0, 300)}`);
          if (response.status >= 400) {
            const error = JSON.parse(answer) as { code?: unknown; StatusCode?: unknown };
            assert.equal(error.StatusCode, response.status, 'Stream’s error shape');
            assert.equal(typeof error.code, 'number');
          }
        }),
        { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
      );
    });
  }

  it('refuses malformed JSON and deep nesting with 400 in Stream’s error shape', async () => {
    for (const body of ['{', '{"message": ', '[1,', `${'['.repeat(10_000)}${']'.repeat(10_000)}`]) {
      const response = await send('POST', '/channels/hub-group/algebra/message', body);
      const answer = await response.text();
      assert.equal(response.status, 400, answer);
      assert.equal((JSON.parse(answer) as { StatusCode?: number }).StatusCode, 400);
    }
  });
});
