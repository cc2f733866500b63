import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapWithConcurrency, parseRetryAfter, ttlSecondsFor } from './delivery-policy.ts';

describe('ttlSecondsFor', () => {
  it('keeps the window of an urgent message exactly (the ring window)', () => {
    assert.equal(ttlSecondsFor({ priority: 'urgent', ttlSeconds: 30 }), 30);
  });

  it('caps a normal message at one day', () => {
    assert.equal(ttlSecondsFor({ priority: 'normal', ttlSeconds: 900 }), 900);
    assert.equal(ttlSecondsFor({ priority: 'normal', ttlSeconds: 30 * 86_400 }), 86_400);
  });

  it('never answers a negative or fractional TTL', () => {
    assert.equal(ttlSecondsFor({ priority: 'normal', ttlSeconds: -5 }), 0);
    assert.equal(ttlSecondsFor({ priority: 'urgent', ttlSeconds: 29.9 }), 29);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T08:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
  });

  it('reads an HTTP date as the time left until then, and a past date as now', () => {
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 08:00:45 GMT', now), 45_000);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 07:00:00 GMT', now), 0);
  });

  it('ignores a missing or unreadable header', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

describe('mapWithConcurrency', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let mostRunning = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (delayMs) => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      running -= 1;
      return delayMs * 10;
    });

    assert.deepEqual(results, [50, 10, 40, 20, 30, 0]);
    assert.equal(mostRunning, 2);
  });
});
