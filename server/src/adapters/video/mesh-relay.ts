/**
 * The local mesh's signalling relay (dev-mode video, DESIGN.md "Modes"): browsers in a room open
 * `GET /v1/mesh/connect?token=…` as a WebSocket, learn who else is there, and pass WebRTC offers, answers and
 * ICE candidates to each other through it; media flows browser to browser. It holds rooms in memory, so it
 * is per instance: dev mode runs one hub instance (on PGlite), and production uses 100ms instead.
 *
 * Close codes (`MESH_CLOSE`): 4401 bad token, 4410 room ended, 4429 room full, 4409 replaced by the same user
 * joining again, 4400 a message that is not the protocol's, 4403 a user the hub took out of the room (rule 9),
 * also when she comes back with a token she got before.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import {
  MESH_CLOSE,
  MESH_MAX_PEERS,
  type MeshClientMessage,
  type MeshMedia,
  type MeshPeer,
  type MeshServerMessage,
} from '@teacher-hub/protocol';
import { systemClock, type Clock } from '../../domain/clock.ts';
import type { Logger } from '../../logger.ts';
import { verifyMeshToken, type MeshTokenClaims } from './mesh-token.ts';

/** The path the hub's `upgrade` handler hands to `MeshRelay.handleUpgrade`. */
export const MESH_SIGNAL_PATH = '/v1/mesh/connect';
/** The largest message a browser may send (an SDP with many candidates is well under 20 KiB). */
export const MESH_MAX_MESSAGE_BYTES = 64 * 1024;
export const MESH_HEARTBEAT_MS = 15_000;
/** How long `close()` waits for browsers to answer the close frame before dropping them. */
const CLOSE_GRACE_MS = 1000;

export interface MeshRelayOptions {
  /** The HS256 key mesh tokens are signed with (the same bytes `MeshVideoProvider` gets). */
  secret: Uint8Array;
  /** The clock token expiry is judged by. Default the system clock. */
  clock?: Clock;
  /** Whether the room may be joined: false once the call (or session) has ended. Asked on every connect. */
  isRoomOpen(roomId: string): Promise<boolean>;
  /** A user's connection was admitted to a room (again on every reconnect or replacement). */
  onJoin?(roomId: string, userId: string): void;
  /**
   * A user's last connection to a room closed, also when the hub took her out (`removePeer`). Not called for
   * a connection replaced by the same user, nor when the room is ended (`endRoom`) or the relay shuts down
   * (`close`).
   */
  onLeave?(roomId: string, userId: string): void;
  /** Ping interval; a socket that has not answered the previous ping is dropped. Default 15 s. */
  heartbeatMs?: number;
  logger?: Logger;
}

interface Peer {
  id: string;
  userId: string;
  name: string;
  role: MeshPeer['role'];
  roomId: string;
  media: MeshMedia;
  socket: WebSocket;
}

const mediaSchema = z.strictObject({ audio: z.boolean(), video: z.boolean(), screen: z.boolean() });
const signalSchema = z.union([
  z.strictObject({
    description: z.strictObject({
      type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
      sdp: z.string().optional(),
    }),
  }),
  z.strictObject({
    candidate: z
      .strictObject({
        candidate: z.string(),
        sdpMid: z.string().nullable().optional(),
        sdpMLineIndex: z.number().int().min(0).nullable().optional(),
        // RTCIceCandidate.toJSON() adds it; passed through like the rest.
        usernameFragment: z.string().nullable().optional(),
      })
      .nullable(),
  }),
]);
const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('signal'), to: z.string().min(1).max(100), signal: signalSchema }),
  z.strictObject({ type: z.literal('media'), media: mediaSchema }),
  z.strictObject({ type: z.literal('ping') }),
]);

export class MeshRelay {
  readonly #options: MeshRelayOptions;
  readonly #clock: Clock;
  readonly #sockets: WebSocketServer;
  /** Room id → peer id → peer. */
  readonly #rooms = new Map<string, Map<string, Peer>>();
  /** Rooms ended here: refused even before the calls table says so. Room ids are unique per call. */
  readonly #ended = new Set<string>();
  /** Room id → users taken out of it (`removePeer`), refused until `readmit` (their next grant). */
  readonly #removed = new Map<string, Set<string>>();
  readonly #alive = new WeakSet<WebSocket>();
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;

  constructor(options: MeshRelayOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    // ws closes a larger frame itself with 1009; below that, the relay's own limit answers 4400.
    this.#sockets = new WebSocketServer({ noServer: true, maxPayload: 4 * MESH_MAX_MESSAGE_BYTES });
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs ?? MESH_HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Takes over an HTTP upgrade of `GET /v1/mesh/connect?token=…` (from the Node server's `upgrade` event). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://hub.local');
    if (url.pathname !== MESH_SIGNAL_PATH || this.#closed) {
      socket.end(`HTTP/1.1 ${this.#closed ? '503 Service Unavailable' : '404 Not Found'}\r\n\r\n`);
      return;
    }
    // Refusals are close codes on an accepted socket: a browser never sees the status of a failed upgrade.
    const token = url.searchParams.get('token') ?? '';
    this.#sockets.handleUpgrade(request, socket, head, (ws) => void this.#admit(ws, token));
  }

  /** Ends the room: everyone gets `room-ended` and is closed with 4410, and nobody gets in again. */
  endRoom(roomId: string): void {
    this.#ended.add(roomId);
    this.#removed.delete(roomId);
    const room = this.#rooms.get(roomId);
    if (!room) return;
    this.#rooms.delete(roomId);
    for (const peer of room.values()) {
      send(peer.socket, { type: 'room-ended' });
      peer.socket.close(MESH_CLOSE.ended, 'the call ended');
    }
  }

  /**
   * Takes a user out of a room: her connection is closed with `MESH_CLOSE.removed`, the others get
   * `peer-left`, `onLeave` is told, and her tokens for the room are refused (the same code) until `readmit`.
   * Tokens cannot be revoked one by one, and those she holds stay valid for hours: the refusal is by user.
   */
  removePeer(roomId: string, userId: string): void {
    if (this.#ended.has(roomId)) return;
    const removed = this.#removed.get(roomId) ?? new Set<string>();
    removed.add(userId);
    this.#removed.set(roomId, removed);
    const room = this.#rooms.get(roomId);
    const peer = room && [...room.values()].find((other) => other.userId === userId);
    if (!room || !peer) return;
    // Taken out of the room before the socket closes, so its `close` event finds nothing left to do.
    room.delete(peer.id);
    if (room.size === 0) this.#rooms.delete(roomId);
    peer.socket.close(MESH_CLOSE.removed, 'removed from the call');
    this.#broadcast(room, { type: 'peer-left', peerId: peer.id });
    this.#options.onLeave?.(roomId, userId);
  }

  /** Lets a user taken out of a room (`removePeer`) in again: the hub granted her the room anew. */
  readmit(roomId: string, userId: string): void {
    const removed = this.#removed.get(roomId);
    if (!removed?.delete(userId)) return;
    if (removed.size === 0) this.#removed.delete(roomId);
  }

  /** Connections in the room now. */
  peerCount(roomId: string): number {
    return this.#rooms.get(roomId)?.size ?? 0;
  }

  /** Closes every connection (1001) and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#rooms.clear();
    const clients = [...this.#sockets.clients];
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === WebSocket.CLOSED) return resolve();
            const dropped = setTimeout(() => client.terminate(), CLOSE_GRACE_MS);
            client.once('close', () => {
              clearTimeout(dropped);
              resolve();
            });
            client.close(1001, 'the hub is shutting down');
          }),
      ),
    );
    await new Promise<void>((resolve) => this.#sockets.close(() => resolve()));
  }

  async #admit(socket: WebSocket, token: string): Promise<void> {
    // Set once the connection is admitted; until then the listeners below ignore what they hear.
    const admitted: { peer?: Peer } = {};
    this.#alive.add(socket);
    socket.on('pong', () => this.#alive.add(socket));
    socket.on('error', (error) => this.#options.logger?.warn('mesh socket error', { error }));
    // Messages before `welcome` have nobody to go to: a client waits for `welcome` before it speaks.
    socket.on('message', (data, isBinary) => {
      if (admitted.peer) this.#receive(admitted.peer, data, isBinary);
    });
    socket.on('close', () => {
      if (admitted.peer) this.#leave(admitted.peer);
    });

    let claims: MeshTokenClaims;
    try {
      claims = await verifyMeshToken(token, this.#options.secret, this.#clock);
    } catch {
      socket.close(MESH_CLOSE.unauthorized, 'invalid or expired token');
      return;
    }
    const { roomId } = claims;
    let open = !this.#ended.has(roomId);
    if (open) {
      try {
        open = await this.#options.isRoomOpen(roomId);
      } catch (error) {
        this.#options.logger?.error('mesh room check failed', { roomId, error });
        socket.close(1011, 'try again');
        return;
      }
    }
    // Checked again after the wait: the room may have ended, or the browser gone, meanwhile.
    if (!open || this.#ended.has(roomId)) {
      socket.close(MESH_CLOSE.ended, 'the call ended');
      return;
    }
    if (socket.readyState !== WebSocket.OPEN || this.#closed) return;
    // Asked after the wait too: she may have been taken out meanwhile.
    if (this.#removed.get(roomId)?.has(claims.userId)) {
      socket.close(MESH_CLOSE.removed, 'removed from the call');
      return;
    }

    const room = this.#rooms.get(roomId) ?? new Map<string, Peer>();
    const previous = [...room.values()].find((other) => other.userId === claims.userId);
    if (!previous && room.size >= MESH_MAX_PEERS) {
      socket.close(MESH_CLOSE.full, 'the room is full');
      return;
    }
    if (previous) {
      room.delete(previous.id);
      previous.socket.close(MESH_CLOSE.replaced, 'joined again elsewhere');
      this.#broadcast(room, { type: 'peer-left', peerId: previous.id });
    }

    const peer: Peer = {
      id: randomUUID(),
      userId: claims.userId,
      name: claims.name,
      role: claims.role,
      roomId,
      media: { audio: false, video: false, screen: false },
      socket,
    };
    const others = [...room.values()];
    room.set(peer.id, peer);
    this.#rooms.set(roomId, room);
    send(socket, { type: 'welcome', peerId: peer.id, peers: others.map(present) });
    this.#broadcast(room, { type: 'peer-joined', peer: present(peer) }, peer);
    admitted.peer = peer;
    this.#options.onJoin?.(roomId, peer.userId);
  }

  #receive(peer: Peer, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(new Uint8Array(data));
    let message: MeshClientMessage;
    try {
      if (isBinary || bytes.length > MESH_MAX_MESSAGE_BYTES) throw new Error('binary or too large');
      message = clientMessageSchema.parse(JSON.parse(bytes.toString('utf8')));
    } catch {
      peer.socket.close(MESH_CLOSE.badMessage, 'not a mesh message');
      return;
    }
    const room = this.#rooms.get(peer.roomId);
    if (room?.get(peer.id) !== peer) return;
    switch (message.type) {
      case 'ping':
        send(peer.socket, { type: 'pong' });
        return;
      case 'media':
        peer.media = message.media;
        this.#broadcast(room, { type: 'peer-updated', peer: present(peer) }, peer);
        return;
      case 'signal': {
        // Only to a peer of the same room; a peer that just left is no error (its `peer-left` is on the way).
        const target = room.get(message.to);
        if (target && target !== peer)
          send(target.socket, { type: 'signal', from: peer.id, signal: message.signal });
        return;
      }
    }
  }

  #leave(peer: Peer): void {
    const room = this.#rooms.get(peer.roomId);
    if (room?.get(peer.id) !== peer) return; // replaced, or the room ended
    room.delete(peer.id);
    if (room.size === 0) this.#rooms.delete(peer.roomId);
    this.#broadcast(room, { type: 'peer-left', peerId: peer.id });
    this.#options.onLeave?.(peer.roomId, peer.userId);
  }

  #broadcast(room: Map<string, Peer>, message: MeshServerMessage, except?: Peer): void {
    for (const peer of room.values()) if (peer !== except) send(peer.socket, message);
  }

  /** Drops sockets that did not answer the last ping (a browser answers pings by itself), pings the rest. */
  #beat(): void {
    for (const socket of this.#sockets.clients) {
      if (!this.#alive.has(socket)) {
        socket.terminate();
        continue;
      }
      this.#alive.delete(socket);
      socket.ping();
    }
  }
}

function send(socket: WebSocket, message: MeshServerMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function present(peer: Peer): MeshPeer {
  return { peerId: peer.id, userId: peer.userId, name: peer.name, role: peer.role, media: { ...peer.media } };
}
