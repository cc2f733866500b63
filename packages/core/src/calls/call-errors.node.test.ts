import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HMSPeer, HMSTrack } from '@100mslive/hms-video-store';
import { deviceError, screenShareError } from './call-errors.ts';
import { connectionFromRoomState, hmsError, participantsFromSnapshot } from './hms-mapping.ts';

/** What browsers reject `getUserMedia` / `getDisplayMedia` with: a `DOMException` named for the cause. */
const domError = (name: string) => new DOMException('refused', name);

describe('deviceError', () => {
  it('tells a refused permission from a missing device and a busy one', () => {
    assert.equal(deviceError(domError('NotAllowedError'), 'camera').code, 'permission-denied');
    assert.equal(deviceError(domError('NotFoundError'), 'microphone').code, 'device-not-found');
    assert.equal(deviceError(domError('OverconstrainedError'), 'camera').code, 'device-not-found');
    assert.equal(deviceError(domError('NotReadableError'), 'camera').code, 'device-in-use');
    assert.equal(deviceError(new Error('odd'), 'camera').code, 'unknown');
    assert.equal(deviceError('not even an error', 'camera').code, 'unknown');
  });

  it('names the device in words people understand', () => {
    assert.match(deviceError(domError('NotAllowedError'), 'camera').message, /allowed to use your camera/);
    assert.match(deviceError(domError('NotFoundError'), 'microphone').message, /^No microphone was found/);
    assert.match(
      deviceError(domError('NotReadableError'), 'microphone and camera').message,
      /microphone and camera are in use by another application/,
    );
  });
});

describe('screenShareError', () => {
  it('is always screen-share-failed, worded for a cancelled picker or a browser without sharing', () => {
    assert.equal(screenShareError(domError('NotAllowedError')).code, 'screen-share-failed');
    assert.match(screenShareError(domError('NotAllowedError')).message, /cancelled or not allowed/);
    assert.match(screenShareError(new TypeError('no getDisplayMedia')).message, /cannot share a screen/);
    assert.equal(screenShareError(domError('AbortError')).code, 'screen-share-failed');
  });
});

describe('hmsError', () => {
  const exception = (code: number) => ({ code, message: `code ${code}`, description: '' });

  it('maps 100ms device codes to the same codes as the mesh', () => {
    assert.equal(hmsError(exception(3001)).code, 'permission-denied');
    assert.equal(hmsError(exception(3011)).code, 'permission-denied');
    assert.equal(hmsError(exception(3002)).code, 'device-not-found');
    assert.equal(hmsError(exception(3009)).code, 'device-not-found');
    assert.equal(hmsError(exception(3003)).code, 'device-in-use');
    assert.equal(hmsError(exception(3001), true).code, 'screen-share-failed');
  });

  it('maps connection and service failures', () => {
    assert.equal(hmsError(exception(1003)).code, 'network');
    assert.equal(hmsError(exception(4005)).code, 'network');
    assert.equal(hmsError(exception(2004)).code, 'unavailable');
    assert.equal(hmsError(exception(6002)).code, 'unknown');
  });
});

describe('the 100ms store as call state', () => {
  it('names the connection from the room state', () => {
    assert.equal(connectionFromRoomState('Connecting', false), 'joining');
    assert.equal(connectionFromRoomState('Connected', true), 'connected');
    assert.equal(connectionFromRoomState('Reconnecting', true), 'reconnecting');
    assert.equal(connectionFromRoomState('Failed', true), 'failed');
    assert.equal(connectionFromRoomState('Disconnected', false), 'joining');
    assert.equal(connectionFromRoomState('Disconnected', true), 'left');
  });

  it('lists the local peer first with native tracks, reads hub ids and roles from metadata, and finds the screen', () => {
    const peer = (id: string, extra: Partial<HMSPeer>): HMSPeer => ({
      id,
      name: id,
      isLocal: false,
      auxiliaryTracks: [],
      isHandRaised: false,
      type: 'regular' as HMSPeer['type'],
      ...extra,
    });
    const track = (id: string, type: 'audio' | 'video', source: string, enabled: boolean): HMSTrack =>
      ({ id, type, source, enabled }) as HMSTrack;
    const natives = new Map<string, MediaStreamTrack>(
      ['a1', 'v1', 'a2', 'v2', 's2'].map((id) => [id, { id } as MediaStreamTrack]),
    );
    const participants = participantsFromSnapshot(
      {
        roomState: 'Connected',
        peers: [
          peer('remote', {
            name: 'Ada Lovelace',
            metadata: JSON.stringify({ userId: 't-ada', role: 'teacher' }),
            audioTrack: 'a2',
            videoTrack: 'v2',
            auxiliaryTracks: ['s2'],
          }),
          peer('local', {
            name: 'Sam',
            isLocal: true,
            customerUserId: 's-01',
            roleName: 'student',
            audioTrack: 'a1',
            videoTrack: 'v1',
          }),
        ],
        tracks: {
          a1: track('a1', 'audio', 'regular', true),
          v1: track('v1', 'video', 'regular', true),
          a2: track('a2', 'audio', 'regular', false),
          v2: track('v2', 'video', 'regular', true),
          s2: track('s2', 'video', 'screen', true),
        },
        localAudio: false,
        localVideo: true,
        localScreen: false,
      },
      (id) => natives.get(id),
    );

    assert.deepEqual(
      participants.map((p) => [p.id, p.userId, p.role, p.isLocal, p.audio, p.video, p.screen]),
      [
        ['local', 's-01', 'student', true, false, true, false],
        ['remote', 't-ada', 'teacher', false, false, true, true],
      ],
    );
    const [local, remote] = participants;
    assert.equal(local?.audioTrack?.id, 'a1');
    assert.equal(remote?.videoTrack?.id, 'v2');
    assert.equal(remote?.screenTrack?.id, 's2');
    assert.equal(remote?.audioTrack, null, '100ms plays remote audio itself');
  });
});
