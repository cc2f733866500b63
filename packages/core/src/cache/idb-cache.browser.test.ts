/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { createStore, keys } from 'idb-keyval';
import { HubClient } from '../hub-client.ts';
import { ClientCache } from './client-cache.ts';
import { HUB_CACHE_DATABASE, IdbHubCache } from './idb-cache.ts';

/*
 * The cache in Chromium's real IndexedDB. Each test uses a database of its own: the elements' test files
 * run beside this one, and their clients (other users, same hub) clear the shared default database.
 */

const SERVER = 'https://hub.example.edu';

function tokenOf(sub: string): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, role: 'teacher' })}.signature`;
}

const tokensOf = (sub: string) => ({ getToken: () => Promise.resolve(tokenOf(sub)) });

let databaseName = '';
beforeEach(() => {
  databaseName = `teacher-hub-cache-test-${Math.random().toString(36).slice(2)}`;
});
afterEach(async () => {
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(databaseName);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
});

/** The keys stored in the test's database, as the browser has them. */
async function storedKeys(): Promise<string[]> {
  return (await keys<string>(createStore(databaseName, 'entries'))).sort();
}

describe('IdbHubCache', () => {
  it('keeps a user’s values in IndexedDB for the next page load (a new cache object)', async () => {
    const ada = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: SERVER,
      tokens: tokensOf('t-ada'),
    });
    await ada.slot('roster').write({ courses: [{ id: 'algebra-1', name: 'Algebra I', students: [] }] });

    const nextVisit = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: SERVER,
      tokens: tokensOf('t-ada'),
    });
    expect(await nextVisit.slot('roster').read()).to.deep.equal({
      courses: [{ id: 'algebra-1', name: 'Algebra I', students: [] }],
    });
    expect(await storedKeys()).to.deep.equal([`entry\n${SERVER}\nt-ada\nroster`, `last-user\n${SERVER}`]);
  });

  it('deletes the first user’s values when a second user signs in on this origin', async () => {
    const ada = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: SERVER,
      tokens: tokensOf('t-ada'),
    });
    await ada.slot('roster').write({ courses: [] });
    await ada.slot('chats').write({ chats: [], totalUnread: 0 });
    const otherHub = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: 'https://other-hub.example.edu',
      tokens: tokensOf('t-ada'),
    });
    await otherHub.slot('roster').write({ courses: [] });

    const grace = new ClientCache({
      cache: new IdbHubCache(databaseName),
      server: SERVER,
      tokens: tokensOf('t-grace'),
    });
    expect(await grace.slot('roster').read()).to.equal(undefined);
    expect(await storedKeys()).to.deep.equal([
      'entry\nhttps://other-hub.example.edu\nt-ada\nroster',
      `last-user\n${SERVER}`,
      'last-user\nhttps://other-hub.example.edu',
    ]);
  });

  it('clears by key prefix, or everything', async () => {
    const cache = new IdbHubCache(databaseName);
    await cache.write('entry\na\nroster', 1);
    await cache.write('entry\nab\nroster', 2);
    await cache.write('entry\nb\nroster', 3);
    await cache.clear('entry\na\n');
    expect(await storedKeys()).to.deep.equal(['entry\nab\nroster', 'entry\nb\nroster']);
    await cache.clear();
    expect(await storedKeys()).to.deep.equal([]);
  });

  it('stores only plain data: what structured clone refuses is stripped first', async () => {
    const cache = new IdbHubCache(databaseName);
    let refused: unknown;
    await cache.write('raw', { greet: () => 'hi' }).catch((error: unknown) => (refused = error));
    expect((refused as Error | undefined)?.name).to.equal('DataCloneError');

    const ada = new ClientCache({ cache, server: SERVER, tokens: tokensOf('t-ada') });
    await ada.slot('roster').write({ name: 'Ada', greet: () => 'hi' });
    expect(await ada.slot('roster').read()).to.deep.equal({ name: 'Ada' });
  });

  it('is what a HubClient uses in a browser by default', async () => {
    const client = new HubClient({
      server: SERVER,
      token: tokenOf('t-ada'),
      fetch: async () => Response.json({ courses: [] }),
    });
    await client.roster.load();
    const deadline = Date.now() + 3_000;
    let names: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      names = (await indexedDB.databases()).map((database) => database.name);
      if (names.includes(HUB_CACHE_DATABASE)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(names).to.include(HUB_CACHE_DATABASE);
  });
});
