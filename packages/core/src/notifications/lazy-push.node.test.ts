import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubClient } from '../hub-client.ts';
import { LazyWebPush } from './lazy-push.ts';

// `client.notifications.push` before and after `WebPushService` loads. Node has no Push API, so the real
// service says `unsupported` (`no-push-api`): enough to see whose store it writes.

describe('client.notifications.push (LazyWebPush)', () => {
  it('has an unchecked store from the start, which the service fills on the first refresh', async () => {
    const push = new HubClient({ server: 'http://127.0.0.1:9', token: 'token' }).notifications.push;
    assert.ok(push instanceof LazyWebPush);
    const store = push.store;
    assert.equal(store.get().checked, false);

    assert.equal(await push.refresh(), 'unsupported');
    assert.deepEqual(
      { ...store.get() },
      { state: 'unsupported', reason: 'no-push-api', checked: true, busy: false, error: undefined },
    );
    const service = await push.load();
    assert.equal(service.store, store, 'the service keeps its state in the store elements hold');
    assert.equal(await push.load(), service, 'loaded once');
    assert.equal(await push.enable(), 'unsupported', 'enable goes to the service too');
  });

  it('tries a failed load again', async () => {
    let attempts = 0;
    const { api, tokens } = new HubClient({ server: 'http://127.0.0.1:9', token: 'token' });
    const push = new LazyWebPush(async (store) => {
      attempts += 1;
      if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module');
      const { WebPushService } = await import('./web-push.ts');
      return new WebPushService(api, tokens, 'http://127.0.0.1:9', { store });
    });
    await assert.rejects(push.refresh(), TypeError);
    assert.equal(await push.refresh(), 'unsupported');
    assert.equal(attempts, 2);
  });
});
