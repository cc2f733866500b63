import type { Role } from '@teacher-hub/protocol';
import type { HMSPeer, HMSTrack } from '@100mslive/hms-video-store';
import { callError } from './call-errors.ts';
import type { CallConnection, CallError, CallParticipant } from './call-types.ts';

/*
 * How the 100ms store reads as the call view's state. Pure functions over plain values (type imports
 * only), so they are tested in Node, where `@100mslive/hms-video-store` cannot even be imported.
 */

/** The part of the 100ms store the engine reads (from `selectPeers`, `selectTracksMap`, …). */
export interface HmsSnapshot {
  /** `selectRoomState`: `Disconnected`, `Preview`, `Connecting`, `Connected`, `Reconnecting`, `Disconnecting`, `Failed`. */
  roomState: string;
  peers: HMSPeer[];
  tracks: Record<string, HMSTrack>;
  localAudio: boolean;
  localVideo: boolean;
  localScreen: boolean;
}

/** What the engine puts in a peer's metadata when it joins, so the others know the hub user and role. */
export interface HmsPeerMetadata {
  userId: string;
  role: Role;
}

/** Reads a peer's metadata written by `HmsEngine`; null for anything else. */
export function parsePeerMetadata(metadata: string | undefined): HmsPeerMetadata | null {
  if (!metadata) return null;
  try {
    const value: unknown = JSON.parse(metadata);
    if (typeof value !== 'object' || value === null) return null;
    const { userId, role } = value as Record<string, unknown>;
    if (typeof userId !== 'string' || (role !== 'teacher' && role !== 'student')) return null;
    return { userId, role };
  } catch {
    return null;
  }
}

/** The connection as the call view names it, from 100ms' room state. `joined`: the room was joined once. */
export function connectionFromRoomState(roomState: string, joined: boolean): CallConnection {
  switch (roomState) {
    case 'Connected':
      return 'connected';
    case 'Reconnecting':
      return 'reconnecting';
    case 'Failed':
      return 'failed';
    case 'Disconnected':
    case 'Disconnecting':
      return joined ? 'left' : 'joining';
    default:
      return 'joining';
  }
}

/**
 * The participants, the local one first. Tracks are the native `MediaStreamTrack`s 100ms holds for its
 * track ids (`nativeTrack`, i.e. `hmsActions.getNativeTrackById`). Remote audio is left out (null):
 * 100ms plays every remote audio track itself through its audio sink, so a view playing it again would
 * echo it twice.
 */
export function participantsFromSnapshot(
  snapshot: HmsSnapshot,
  nativeTrack: (trackId: string) => MediaStreamTrack | undefined,
): CallParticipant[] {
  const trackOf = (id: string | undefined) => (id ? snapshot.tracks[id] : undefined);
  const native = (id: string | undefined) => (id ? (nativeTrack(id) ?? null) : null);
  const participants = snapshot.peers.map((peer): CallParticipant => {
    const metadata = parsePeerMetadata(peer.metadata);
    const audio = trackOf(peer.audioTrack);
    const video = trackOf(peer.videoTrack);
    const screen = peer.auxiliaryTracks
      .map((id) => snapshot.tracks[id])
      .find((track) => track?.source === 'screen' && track.type === 'video');
    return {
      id: peer.id,
      userId: metadata?.userId ?? peer.customerUserId ?? peer.id,
      name: peer.name,
      role: metadata?.role ?? (/teacher|host/i.test(peer.roleName ?? '') ? 'teacher' : 'student'),
      isLocal: peer.isLocal,
      audio: peer.isLocal ? snapshot.localAudio : (audio?.enabled ?? false),
      video: peer.isLocal ? snapshot.localVideo : (video?.enabled ?? false),
      screen: peer.isLocal ? snapshot.localScreen : (screen?.enabled ?? false),
      audioTrack: peer.isLocal ? native(audio?.id) : null,
      videoTrack: native(video?.id),
      screenTrack: screen ? native(screen.id) : null,
    };
  });
  return [...participants.filter((p) => p.isLocal), ...participants.filter((p) => !p.isLocal)];
}

/**
 * Maps a 100ms error (`HMSException`: numeric `code`, see its `ErrorCodes`) to words for people. Device
 * errors are 3001 (no permission), 3011 (the system denied it), 3002 / 3009 / 3014 (no such device),
 * 3003 (in use); screen sharing refused shows as a 3001 / 3011 on the screen track (`isScreen`).
 */
export function hmsError(
  exception: { code: number; message: string; description?: string },
  isScreen = false,
): CallError {
  const { code } = exception;
  if (isScreen && code >= 3000 && code < 4000) {
    return callError(
      'screen-share-failed',
      'Screen sharing was cancelled or not allowed. Choose a screen, window or tab to share, or allow screen sharing in the browser settings.',
    );
  }
  switch (code) {
    case 3001:
    case 3011:
      return callError(
        'permission-denied',
        'The browser was not allowed to use your microphone or camera. Allow them in the site settings (the icon left of the address) and try again.',
      );
    case 3002:
    case 3009:
    case 3014:
      return callError(
        'device-not-found',
        'No microphone or camera was found. Connect one and try again; the others can still see and hear what you do share.',
      );
    case 3003:
      return callError(
        'device-in-use',
        'Your microphone or camera is in use by another application or tab. Close it there and try again.',
      );
  }
  if (code >= 1000 && code < 2000) {
    return callError(
      'network',
      'The connection to the call was lost. Check the network; it reconnects by itself.',
    );
  }
  if (code >= 4000 && code < 5000) {
    return callError(
      'network',
      'The media connection to the others failed. Check the network and join again.',
    );
  }
  if (code >= 2000 && code < 3000) {
    return callError(
      'unavailable',
      'The video service could not be reached or refused this call. Try again.',
    );
  }
  return callError(
    'unknown',
    exception.description || exception.message || 'Something went wrong in the call.',
  );
}
