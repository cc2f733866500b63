import type { Occurrence } from './sessions.ts';

/*
 * Instant calls (CONTRACT.md "HTTP API", DESIGN.md rules 4, 5, 8): the bodies the hub answers with, the
 * grant a member joins a video room with, and the local mesh's signalling messages.
 */

export const CALL_STATUSES = ['ringing', 'active', 'ended'] as const;
/** `ringing` while the ring window is open and someone is still rung; `active` until the teacher ends it. */
export type CallStatus = (typeof CALL_STATUSES)[number];

export const CALL_MEMBER_STATES = ['ringing', 'joined', 'declined', 'missed', 'left'] as const;
export type CallMemberState = (typeof CALL_MEMBER_STATES)[number];

export interface CallMember {
  userId: string;
  /** The member's display name (from the LMS directory). */
  name: string;
  role: 'teacher' | 'student';
  state: CallMemberState;
}

export interface Call {
  id: string;
  chatId: string;
  /** The chat's name; null for a direct chat (the two people are named by `members`). */
  chatName: string | null;
  status: CallStatus;
  /** When ringing stops and those still rung are marked `missed` (ISO-8601). */
  ringExpiresAt: string;
  /** The teacher who started it. */
  startedBy: string;
  startedAt: string;
  endedAt: string | null;
  members: CallMember[];
  /**
   * Only in the live `call` event of a big call: how many members still `ringing` were left out of
   * `members` (every member who gets the event and is not listed is one of them), so that a ring to a
   * thousand students is not a thousand copies of the whole list. `GET /v1/calls/:id` lists everyone.
   */
  ringingUnlisted?: number;
}

export interface CallResponse {
  call: Call;
}

export const VIDEO_ENGINES = ['hms', 'mesh'] as const;
export type VideoEngine = (typeof VIDEO_ENGINES)[number];

/**
 * What a member joins the room with. 100ms: `authToken` is the peer auth token for `hms-video-store`'s
 * `join({authToken, userName})`. Mesh: `authToken` opens `signalUrl` (a WebSocket URL, `?token=` appended).
 */
export interface VideoGrant {
  engine: VideoEngine;
  roomId: string;
  authToken: string;
  /** The 100ms role, or `teacher` / `student` on the mesh. */
  role: string;
  /** Mesh only: the hub's signalling WebSocket for this room. */
  signalUrl?: string;
  /** Mesh only: ICE servers for `RTCPeerConnection` (empty on one machine or a LAN). */
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
}

/** `POST /v1/calls/:id/join` (and `POST /v1/sessions/:id/join`'s `video`). */
export interface JoinCallResponse {
  call: Call;
  video: VideoGrant;
}

/**
 * `POST /v1/calls/:id/token`: a new grant for a member already in the call (to refresh one before it
 * expires), without the call itself.
 */
export interface CallTokenResponse {
  video: VideoGrant;
}

/** `GET /v1/live`: calls (and, with sessions, live occurrences) the caller may join now. */
export interface LiveNow {
  calls: Call[];
  /** Session occurrences live now that the caller owns or is invited to. */
  sessions: Occurrence[];
}

// ---- the local mesh's signalling (DESIGN.md "Modes": dev-mode video) --------------------------------

/** The most peers a mesh room holds; a full room refuses the next one (close code `MESH_CLOSE.full`). */
export const MESH_MAX_PEERS = 6;

export interface MeshMedia {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface MeshPeer {
  /** One connection's id (a user in two tabs is two peers; the newer one replaces the older). */
  peerId: string;
  userId: string;
  name: string;
  role: 'teacher' | 'student';
  media: MeshMedia;
}

/** WebRTC negotiation payloads the relay passes through untouched. */
export type MeshSignal =
  | { description: { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string } }
  | { candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null };

/** Browser → hub. */
export type MeshClientMessage =
  { type: 'signal'; to: string; signal: MeshSignal } | { type: 'media'; media: MeshMedia } | { type: 'ping' };

/** Hub → browser. */
export type MeshServerMessage =
  | { type: 'welcome'; peerId: string; peers: MeshPeer[] }
  | { type: 'peer-joined'; peer: MeshPeer }
  | { type: 'peer-updated'; peer: MeshPeer }
  | { type: 'peer-left'; peerId: string }
  | { type: 'signal'; from: string; signal: MeshSignal }
  | { type: 'pong' }
  | { type: 'room-ended' };

/** WebSocket close codes of the mesh relay (4000–4999 are the application's). */
export const MESH_CLOSE = {
  /** The token is missing, invalid, expired or for another room. */
  unauthorized: 4401,
  /** The room has ended (the teacher ended the call): it is locked. */
  ended: 4410,
  /** The room already holds `MESH_MAX_PEERS`. */
  full: 4429,
  /** The same user joined again elsewhere; this connection is replaced. */
  replaced: 4409,
  /** A message that is not valid JSON of the protocol, or too large. */
  badMessage: 4400,
  /**
   * The user was taken out of the room because she is no longer entitled to it (the LMS removed her
   * enrollment, or a teacher removed her from the chat); the tokens she holds for it are refused.
   */
  removed: 4403,
} as const;
