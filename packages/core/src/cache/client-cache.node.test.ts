import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unsignedToken } from '../testing/local-http-server.ts';
import { CACHE_MAX_AGE_MS, CACHE_SCHEMA_VERSION, ClientCache } from './client-cache.ts';
import { MemoryHubCache } from './hub-cache.ts';

const SERVER = 'https://hub.example.edu';

/** A token manager stand-in whose token (and so user) a test switches. */
function tokensFor(user: string | undefined) {
  const tokens = {
    user,
    getToken: () => Promise.resolve(tokens.user ? unsignedToken({ sub: tokens.user }) : 'opaque-token'),
  };
  return tokens;
}

function clientCache(cache: MemoryHubCache, tokens: { getToken(): Promise<string> }, now = () => 1_000_000) {
  return new ClientCache({ cache, server: SERVER, tokens, now });
}

describe('ClientCache', () => {
  it('keeps each value per hub server and user, with its version and time', async () => {
    const cache = new MemoryHubCache();
    await clientCache(cache, tokensFor('t-ada'))
      .slot<{ courses: string[] }>('roster')
      .write({ courses: ['a'] });

    assert.deepEqual(await clientCache(cache, tokensFor('t-ada')).slot('roster').read(), { courses: ['a'] });
    assert.deepEqual(cache.entries.get(`entry\n${SERVER}\nt-ada\nroster`), {
      version: CACHE_SCHEMA_VERSION,
      savedAt: 1_000_000,
      value: { courses: ['a'] },
    });
    const otherHub = new ClientCache({
      cache,
      server: 'https://other.example.edu',
      tokens: tokensFor('t-ada'),
    });
    assert.equal(await otherHub.slot('roster').read(), undefined);
  });

  it('deletes the previous user’s entries when another user’s token shows up, before reading', async () => {
    const cache = new MemoryHubCache();
    await clientCache(cache, tokensFor('t-ada'))
      .slot('roster')
      .write({ courses: ['algebra'] });
    await clientCache(cache, tokensFor('t-ada')).slot('notifications').write({ items: [] });

    const grace = clientCache(cache, tokensFor('t-grace'));
    assert.equal(await grace.slot('roster').read(), undefined);
    assert.deepEqual(
      [...cache.entries.keys()].filter((key) => key.startsWith('entry')),
      [],
      'nothing of Ada’s is left',
    );
    // Ada again: Grace was the last user, so Ada starts empty too.
    assert.equal(await clientCache(cache, tokensFor('t-ada')).slot('roster').read(), undefined);
  });

  it('follows a user change within one client, and does not save a value fetched for the previous user', async () => {
    const cache = new MemoryHubCache();
    const tokens = tokensFor('t-ada');
    const client = clientCache(cache, tokens);
    await client.slot('roster').write({ who: 'ada' });
    const adaSlot = client.slot<{ who: string }>('chats');
    await adaSlot.read();

    tokens.user = 't-grace';
    assert.equal(await client.slot('roster').read(), undefined);
    await adaSlot.write({ who: 'ada, answered late' });
    assert.equal(await client.slot('chats').read(), undefined);
    assert.equal(cache.entries.has(`entry\n${SERVER}\nt-ada\nchats`), false);
  });

  it('drops entries of another schema version and entries older than seven days', async () => {
    const cache = new MemoryHubCache();
    let now = 5_000_000_000;
    const client = clientCache(cache, tokensFor('t-ada'), () => now);
    await client.slot('roster').write({ fresh: true });
    await cache.write(`entry\n${SERVER}\nt-ada\nchats`, { version: 0, savedAt: now, value: { old: true } });

    assert.equal(await client.slot('chats').read(), undefined);
    assert.equal(cache.entries.has(`entry\n${SERVER}\nt-ada\nchats`), false, 'the old version is deleted');
    now += CACHE_MAX_AGE_MS;
    assert.deepEqual(await client.slot('roster').read(), { fresh: true });
    now += 1;
    assert.equal(await client.slot('roster').read(), undefined);
  });

  it('stores plain data only', async () => {
    const cache = new MemoryHubCache();
    const client = clientCache(cache, tokensFor('t-ada'));
    await client
      .slot('roster')
      .write({ name: 'Ada', greet: () => 'hi', nothing: undefined, when: new Date(0) });
    assert.deepEqual(await client.slot('roster').read(), { name: 'Ada', when: '1970-01-01T00:00:00.000Z' });
  });

  it('uses nothing without a user in the token, and clear() empties the server’s entries', async () => {
    const cache = new MemoryHubCache();
    const anonymous = clientCache(cache, tokensFor(undefined));
    await anonymous.slot('roster').write({ name: 'nobody' });
    assert.equal(cache.entries.size, 0);

    const ada = clientCache(cache, tokensFor('t-ada'));
    await ada.slot('roster').write({ name: 'Ada' });
    await ada.clear();
    assert.equal(await ada.slot('roster').read(), undefined);
  });

  it('works on without a cache when the cache fails', async () => {
    const broken = new MemoryHubCache();
    broken.read = () => Promise.reject(new Error('quota'));
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const client = clientCache(broken, tokensFor('t-ada'));
      assert.equal(await client.slot('roster').read(), undefined);
      await client.slot('roster').write({ name: 'Ada' });
    } finally {
      console.warn = warn;
    }
  });
});
