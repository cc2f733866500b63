/**
 * The local WebRTC mesh (engine `mesh`, dev mode's video): no provider account, at most `MESH_MAX_PEERS`
 * people per room, media browser to browser, signalling through the hub's `MeshRelay`. A room is just a
 * name the relay learns when the first member connects; ending it closes everyone and keeps it shut.
 */
import type { Role, VideoGrant } from '@teacher-hub/protocol';
import type { Clock } from '../../domain/clock.ts';
import type { VideoProvider } from '../../domain/calls/video-provider.ts';
import { MESH_SIGNAL_PATH, type MeshRelay } from './mesh-relay.ts';
import { assertMeshSecret, signMeshToken } from './mesh-token.ts';

export { MESH_SIGNAL_PATH, MeshRelay } from './mesh-relay.ts';
export type { MeshRelayOptions } from './mesh-relay.ts';

export interface MeshVideoProviderOptions {
  /**
   * HS256 key for mesh tokens, at least 32 bytes; the relay gets the same bytes. Random per process is fine:
   * the relay's rooms live only as long as the process too.
   */
  secret: Uint8Array;
  /** The hub's public URL (`HUB_PUBLIC_URL`, http or https): `signalUrl` is its ws(s) twin. */
  publicUrl: string;
  clock: Clock;
  relay: MeshRelay;
  /** ICE servers for the browsers. Default none: host candidates reach each other on one machine or a LAN. */
  iceServers?: NonNullable<VideoGrant['iceServers']>;
  /** Lifetime of the join tokens (`HUB_MESH_TOKEN_TTL_S`). Default `MESH_TOKEN_TTL_S`, two hours. */
  tokenTtlSeconds?: number;
}

export class MeshVideoProvider implements VideoProvider {
  readonly engine = 'mesh' as const;
  readonly readmitsOnGrant = true;
  readonly #secret: Uint8Array;
  readonly #signalUrl: string;
  readonly #clock: Clock;
  readonly #relay: MeshRelay;
  readonly #iceServers: NonNullable<VideoGrant['iceServers']>;
  readonly #tokenTtlSeconds: number | undefined;

  constructor(options: MeshVideoProviderOptions) {
    assertMeshSecret(options.secret);
    this.#secret = options.secret;
    this.#signalUrl = meshSignalUrl(options.publicUrl);
    this.#clock = options.clock;
    this.#relay = options.relay;
    this.#iceServers = options.iceServers ?? [];
    this.#tokenTtlSeconds = options.tokenTtlSeconds;
  }

  /** The room is its name; nothing to create until somebody connects. */
  createRoom(request: { name: string; description: string }): Promise<{ roomId: string }> {
    return Promise.resolve({ roomId: request.name });
  }

  /**
   * Closes everyone in the room (`room-ended`, then 4410) and refuses any later connection to it. The reason
   * is for 100ms's dashboard; the mesh has nobody to show it to.
   */
  endRoom(roomId: string, _reason: string): Promise<void> {
    this.#relay.endRoom(roomId);
    return Promise.resolve();
  }

  /**
   * Closes the user's connection to the room (`MESH_CLOSE_REMOVED`) and refuses the tokens she holds until
   * her next grant. The reason is for 100ms's peers; the close frame says it in the mesh's own words.
   */
  removePeer(request: { roomId: string; userId: string; reason: string }): Promise<void> {
    this.#relay.removePeer(request.roomId, request.userId);
    return Promise.resolve();
  }

  /**
   * A token for `signalUrl?token=`; the member's role on the mesh is their hub role. The hub grants only to
   * members, so a grant also lets a user taken out of the room (`removePeer`) back in.
   */
  async grant(request: { roomId: string; userId: string; name: string; role: Role }): Promise<VideoGrant> {
    this.#relay.readmit(request.roomId, request.userId);
    const authToken = await signMeshToken(
      this.#secret,
      this.#clock,
      {
        userId: request.userId,
        name: request.name,
        role: request.role,
        roomId: request.roomId,
      },
      this.#tokenTtlSeconds,
    );
    return {
      engine: 'mesh',
      roomId: request.roomId,
      authToken,
      role: request.role,
      signalUrl: this.#signalUrl,
      iceServers: this.#iceServers.map((server) => ({ ...server })),
    };
  }
}

/** `https://hub.example/` → `wss://hub.example/v1/mesh/connect` (`http` → `ws`). */
export function meshSignalUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The hub's public URL must be http(s), not ${url.protocol}`);
  }
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${MESH_SIGNAL_PATH}`;
}
