import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applicationServerKey, pushRecordKey, pushStateOf, resolveServiceWorkerUrl } from './web-push.ts';

describe('pushStateOf', () => {
  it('maps what the browser reports to the five states', () => {
    const state = (supported: boolean, permission: NotificationPermission, subscribed: boolean) =>
      pushStateOf({ supported, permission, subscribed });
    assert.equal(state(false, 'granted', true), 'unsupported');
    assert.equal(state(true, 'denied', false), 'denied');
    assert.equal(state(true, 'denied', true), 'denied', 'a blocked site shows nothing, subscribed or not');
    assert.equal(state(true, 'default', false), 'prompt');
    assert.equal(state(true, 'granted', true), 'subscribed');
    assert.equal(state(true, 'granted', false), 'unsubscribed');
  });
});

describe('resolveServiceWorkerUrl', () => {
  it("uses the hub's worker when the page is on the hub's origin, with the page's path", () => {
    assert.deepEqual(
      resolveServiceWorkerUrl({
        server: 'http://localhost:8787',
        pageUrl: 'http://localhost:8787/teacher.html#chat/1',
      }),
      { url: 'http://localhost:8787/sdk/teacher-hub-sw.js?page=%2Fteacher.html' },
    );
    assert.deepEqual(
      resolveServiceWorkerUrl({
        server: 'https://lms.example/hub/',
        pageUrl: 'https://lms.example/course/7',
      }),
      { url: 'https://lms.example/hub/sdk/teacher-hub-sw.js?page=%2Fcourse%2F7' },
    );
  });

  it('needs a host worker when the hub is on another origin', () => {
    assert.deepEqual(
      resolveServiceWorkerUrl({ server: 'https://hub.example.edu', pageUrl: 'https://lms.example/course' }),
      { reason: 'needs-service-worker-url' },
    );
    assert.deepEqual(
      resolveServiceWorkerUrl({
        server: 'https://hub.example.edu',
        pageUrl: 'https://lms.example/course',
        serviceWorkerUrl: '/teacher-hub-sw.js',
      }),
      { url: 'https://lms.example/teacher-hub-sw.js?page=%2Fcourse' },
    );
  });

  it("keeps a host's own page parameter and refuses a worker on a third origin", () => {
    assert.deepEqual(
      resolveServiceWorkerUrl({
        server: 'https://hub.example.edu',
        pageUrl: 'https://lms.example/course',
        serviceWorkerUrl: '/sw.js?page=/hub',
      }),
      { url: 'https://lms.example/sw.js?page=/hub' },
    );
    assert.deepEqual(
      resolveServiceWorkerUrl({
        server: 'https://hub.example.edu',
        pageUrl: 'https://lms.example/course',
        serviceWorkerUrl: 'https://cdn.example/sw.js',
      }),
      { reason: 'needs-service-worker-url' },
    );
  });
});

describe('applicationServerKey', () => {
  it('decodes an unpadded base64url VAPID key', () => {
    const bytes = Uint8Array.from({ length: 65 }, (_, i) => (i * 37) % 256);
    const encoded = Buffer.from(bytes).toString('base64url');
    assert.deepEqual([...applicationServerKey(encoded)], [...bytes]);
  });
});

describe('pushRecordKey', () => {
  it('is per hub (however its URL ends) and per user', () => {
    assert.equal(
      pushRecordKey('https://hub.example.edu/', 's-01'),
      pushRecordKey('https://hub.example.edu', 's-01'),
    );
    assert.notEqual(
      pushRecordKey('https://hub.example.edu', 's-01'),
      pushRecordKey('https://hub.example.edu', 's-02'),
    );
  });
});
