import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { KyselyJobStore } from './adapters/jobs/job-store.ts';
import { KyselyCallRepository } from './adapters/storage/call-repository.ts';
import { KyselyChatRepository } from './adapters/storage/chat-repository.ts';
import type { Database } from './adapters/storage/database.ts';
import type { SettingsStore } from './adapters/storage/settings-store.ts';
import { HmsVideoProvider } from './adapters/video/hms.ts';
import { MESH_SIGNAL_PATH, MeshRelay } from './adapters/video/mesh-relay.ts';
import { MeshVideoProvider } from './adapters/video/mesh.ts';
import { CallService } from './domain/calls/call-service.ts';
import { RoomAdmission, type PeerAdmission, type RoomEntitlement } from './domain/calls/room-admission.ts';
import type { VideoProvider } from './domain/calls/video-provider.ts';
import type { Clock } from './domain/clock.ts';
import type { HubConfig } from './env.ts';
import type { Logger } from './logger.ts';
import type { NotificationServices, ProviderTransport } from './notifications.ts';

/** The settings key of the mesh's token secret: generated at the first boot without 100ms. */
export const MESH_SECRET_SETTING = 'video.mesh-secret';

export interface CallServices {
  readonly service: CallService;
  readonly video: VideoProvider;
  /** The local mesh's signalling relay when 100ms is not configured (dev mode). */
  readonly relay: MeshRelay | null;
  /**
   * Lets another owner of rooms (scheduled sessions) use the video provider's rooms: the mesh admits a
   * peer when any registered owner says the room is open, and tells every owner who joined and left.
   */
  registerRooms(owner: RoomOwner): void;
  /**
   * The video provider saw a peer join a room (100ms's `peer.join.success`): she is taken out again, by a
   * durable job, unless she is entitled to be there (a call's own check, or a registered owner's).
   */
  peerJoined(roomId: string, userId: string): Promise<PeerAdmission>;
  /** Takes a WebSocket upgrade for the mesh relay; false when it is not the relay's (the caller refuses it). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

/** Something that owns video rooms (calls, sessions). */
export interface RoomOwner {
  isRoomOpen(roomId: string): Promise<boolean>;
  onJoin?(roomId: string, userId: string): void;
  onLeave?(roomId: string, userId: string): void;
  /**
   * Who may be in the owner's rooms (null: not its room, or not live): someone else the video provider sees
   * join one is taken out again (`CallServices.peerJoined`).
   */
  entitled?: RoomEntitlement;
}

export interface CallDeps {
  config: HubConfig;
  database: Database;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  notifications: NotificationServices;
  transport?: ProviderTransport;
}

/**
 * Builds calls: 100ms when `HMS_*` is set, otherwise the local WebRTC mesh with its relay. Registers the
 * ring-timeout job with the worker.
 */
export async function createCallServices(deps: CallDeps): Promise<CallServices> {
  const { config, database, settings, clock, logger, notifications } = deps;
  const repository = new KyselyCallRepository(database.db, { platforms: notifications.platforms });

  let relay: MeshRelay | null = null;
  let video: VideoProvider;
  let closeVideo = () => {};
  // The mesh asks the rooms' owners whether a room is open and tells them who hung up (a closed tab too).
  const owners: RoomOwner[] = [{ isRoomOpen: (roomId) => repository.isRoomOpen(roomId) }];
  if (config.hms) {
    const hms = new HmsVideoProvider({
      ...config.hms,
      clock,
      logger,
      ...(deps.transport?.ca ? { ca: deps.transport.ca } : {}),
    });
    closeVideo = () => hms.close();
    video = hms;
  } else {
    const secret = await settings.getOrCreate(MESH_SECRET_SETTING, () =>
      randomBytes(32).toString('base64url'),
    );
    relay = new MeshRelay({
      secret: new TextEncoder().encode(secret),
      clock,
      async isRoomOpen(roomId) {
        for (const owner of owners) if (await owner.isRoomOpen(roomId)) return true;
        return false;
      },
      onJoin: (roomId, userId) => owners.forEach((owner) => owner.onJoin?.(roomId, userId)),
      onLeave: (roomId, userId) => owners.forEach((owner) => owner.onLeave?.(roomId, userId)),
      logger,
    });
    video = new MeshVideoProvider({
      secret: new TextEncoder().encode(secret),
      publicUrl: config.server.publicUrl,
      clock,
      relay,
      tokenTtlSeconds: config.tokenTtlSeconds.mesh,
    });
  }

  const service = new CallService({
    repository,
    chats: new KyselyChatRepository(database.db, { platforms: notifications.platforms }),
    video,
    notifier: notifications.notifier,
    publish: (call, userIds) =>
      notifications.live.publish({ type: 'call', userIds: [...userIds], data: call }),
    async markRead(key, userIds) {
      for (const userId of userIds) {
        const ids = await notifications.store.markReadByKeys(userId, [`${key}:${userId}`], clock.now());
        if (ids.length === 0) continue;
        const unreadCount = await notifications.store.unreadCount(userId);
        await notifications.live.publish({
          type: 'notification.read',
          userIds: [userId],
          data: { ids, unreadCount },
        });
      }
    },
    clock,
    newId: randomUUID,
    logger,
    ringTimeoutSeconds: config.ringTimeoutSeconds,
  });
  for (const [kind, handler] of Object.entries(service.jobHandlers())) notifications.handle(kind, handler);
  const admission = new RoomAdmission({
    video,
    jobs: new KyselyJobStore(database.db),
    clock,
    isKnownUser: async (userId) => (await repository.users([userId])).length > 0,
    logger,
  });
  for (const [kind, handler] of Object.entries(admission.jobHandlers())) notifications.handle(kind, handler);
  owners[0] = {
    isRoomOpen: (roomId) => repository.isRoomOpen(roomId),
    onLeave(roomId, userId) {
      service.leftRoom(roomId, userId).catch((error: unknown) => {
        logger.warn('could not record that a member left a call', { error, roomId, userId });
      });
    },
  };

  return {
    service,
    video,
    relay,
    registerRooms(owner) {
      owners.push(owner);
      if (owner.entitled) admission.addOwner(owner.entitled);
    },
    async peerJoined(roomId, userId): Promise<PeerAdmission> {
      // A call's room goes through the call's own check and its call.remove-peers job.
      const answer = await service.peerJoined(roomId, userId);
      return answer === 'unknown' ? admission.peerJoined(roomId, userId) : answer;
    },
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://hub.invalid').pathname;
      if (!relay || path !== MESH_SIGNAL_PATH) return false;
      relay.handleUpgrade(request, socket, head);
      return true;
    },
    async close() {
      await relay?.close();
      closeVideo();
    },
  };
}
