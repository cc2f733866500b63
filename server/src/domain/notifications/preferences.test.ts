import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LockedPreferenceError,
  lockedMatrix,
  resolvePreferences,
  switchesFromUpdate,
} from './preferences.ts';

describe('notification preferences', () => {
  it('turns every push channel on by default and email on only for scheduled-session kinds', () => {
    const matrix = resolvePreferences([]);
    assert.equal(matrix['chat.message'].web_push, true);
    assert.equal(matrix['chat.message'].mobile_push, true);
    assert.equal(matrix['chat.message'].email, false);
    assert.equal(matrix['session.scheduled'].email, true);
    assert.equal(matrix['session.reminder'].email, false);
  });

  it('applies what the user stored', () => {
    const matrix = resolvePreferences([
      { kind: 'chat.message', channel: 'web_push', enabled: false },
      { kind: 'session.cancelled', channel: 'email', enabled: false },
    ]);
    assert.equal(matrix['chat.message'].web_push, false);
    assert.equal(matrix['chat.message'].in_app, true);
    assert.equal(matrix['session.cancelled'].email, false);
  });

  it('keeps urgent kinds on everywhere even when a stored switch says off', () => {
    const matrix = resolvePreferences([
      { kind: 'call.ringing', channel: 'mobile_push', enabled: false },
      { kind: 'session.live', channel: 'web_push', enabled: false },
    ]);
    assert.equal(matrix['call.ringing'].mobile_push, true);
    assert.equal(matrix['session.live'].web_push, true);
  });

  it('lists the locked pairs so a client can show them as fixed', () => {
    const locked = lockedMatrix();
    assert.deepEqual(locked['call.ringing'], ['in_app', 'web_push', 'mobile_push', 'email']);
    assert.deepEqual(locked['chat.message'], ['email']);
    assert.equal(locked['session.scheduled'], undefined);
  });

  it('refuses an update that mutes an urgent kind', () => {
    assert.throws(
      () => switchesFromUpdate({ preferences: { 'call.ringing': { web_push: false } } }),
      LockedPreferenceError,
    );
    assert.throws(
      () => switchesFromUpdate({ preferences: { 'chat.message': { email: true } } }),
      LockedPreferenceError,
    );
  });

  it('accepts restating a locked value and stores only the free switches', () => {
    const switches = switchesFromUpdate({
      preferences: {
        'call.ringing': { web_push: true },
        'chat.message': { mobile_push: false, email: false },
      },
    });
    assert.deepEqual(switches, [{ kind: 'chat.message', channel: 'mobile_push', enabled: false }]);
  });
});
