import { randomBytes, randomUUID } from 'node:crypto';
import { calendarFeed, sessionInvitation } from './adapters/calendar/index.ts';
import type { Database } from './adapters/storage/database.ts';
import { KyselySessionRepository } from './adapters/storage/session-repository.ts';
import type { CallServices } from './calls.ts';
import type { ChatServices } from './chat.ts';
import type { Clock } from './domain/clock.ts';
import type { DirectoryService } from './domain/directory/directory-service.ts';
import { SessionService } from './domain/sessions/session-service.ts';
import type { HubConfig } from './env.ts';
import type { Logger } from './logger.ts';
import type { NotificationServices } from './notifications.ts';

export interface SessionServices {
  readonly service: SessionService;
}

export interface SessionDeps {
  config: HubConfig;
  database: Database;
  clock: Clock;
  logger: Logger;
  notifications: NotificationServices;
  chat: ChatServices;
  calls: CallServices;
  directory: DirectoryService;
}

/**
 * Builds scheduled sessions on the hub's database, chat (session chats) and video provider (the calls'
 * one: the mesh admits peers to a live occurrence's room and reports joins and leaves for attendance).
 * Registers the reminder job with the worker and rule 9 with the directory (the calls' part of it too, after
 * sessions have settled their chats) and with chats (a member removed by hand leaves the chat's call).
 */
export function createSessionServices(deps: SessionDeps): SessionServices {
  const { config, database, clock, logger, notifications, chat, calls, directory } = deps;
  const chats = chat.service;
  const repository = new KyselySessionRepository(database.db, { platforms: notifications.platforms });
  const service = new SessionService({
    repository,
    chat: {
      create: (request) => chats.createSessionChat(request),
      setMembers: (chatId, teacherId, memberIds) => chats.setSessionChatMembers(chatId, teacherId, memberIds),
      rename: (chatId, name) => chats.renameSessionChat(chatId, name),
      post: (chatId, senderId, text) => chats.postSystemMessage(chatId, senderId, text),
      remove: (chatId) => chats.deleteSessionChat(chatId),
    },
    video: calls.video,
    notifier: notifications.notifier,
    calendar: {
      invitation: (request) => sessionInvitation({ ...request, stamp: clock.now() }),
      feed: (request) => calendarFeed({ ...request, stamp: clock.now() }),
    },
    publish: (occurrence, userIds) =>
      notifications.live.publish({ type: 'session', userIds: [...new Set(userIds)], data: occurrence }),
    clock,
    newId: randomUUID,
    newFeedToken: () => randomBytes(24).toString('base64url'),
    logger,
    reminderLeadMinutes: config.reminderLeadMinutes,
    publicUrl: config.server.publicUrl,
  });
  for (const [kind, handler] of Object.entries(service.jobHandlers())) notifications.handle(kind, handler);
  calls.registerRooms({
    isRoomOpen: (roomId) => service.isRoomOpen(roomId),
    onJoin(roomId, userId) {
      service.joinedRoom(roomId, userId).catch((error: unknown) => {
        logger.warn('could not record that someone joined a session', { error, roomId, userId });
      });
    },
    onLeave(roomId, userId) {
      service.leftRoom(roomId, userId).catch((error: unknown) => {
        logger.warn('could not record that someone left a session', { error, roomId, userId });
      });
    },
    // A live occurrence's room is its teacher's and its invitees' (rule 9 takes former invitees out).
    async entitled(roomId, userId) {
      const state = await repository.findByRoom(roomId);
      if (state?.status !== 'live') return null;
      const session = await repository.find(state.sessionId);
      return session?.ownerId === userId || (session?.inviteeIds.includes(userId) ?? false);
    },
  });
  directory.onEnrollmentsRemoved(async (removed) => {
    await service.applyEnrollmentRemovals(removed);
  });
  // Rule 9 inside live calls goes last: by now chats and session chats say who is still in them.
  directory.onEnrollmentsRemoved(async (removed) => {
    await calls.service.applyEnrollmentRemovals(removed);
  });
  // A teacher removing a member from a chat by hand takes her out of the chat's live call too.
  chats.onMembersRemoved(async (chatId) => {
    await calls.service.applyChatRemoval(chatId);
  });
  return { service };
}
