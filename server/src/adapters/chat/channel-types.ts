/**
 * What `npm run setup:stream` applies to the GetStream app, and what the boot check expects of it.
 *
 * GetStream checks permissions only for client-side calls and by default lets any user create channels
 * and manage the members of channels they created. In the hub's channel types no client role holds
 * `create-channel`, `update-channel*`, `update-channel-members*`, `delete-channel*`, `truncate-channel*`
 * or `remove-own-channel-membership`: every channel is created and changed by the hub server after its
 * rule checks (DESIGN.md). Members talk; teachers, added as `channel_moderator`, also edit and delete any
 * message. The emulator ships the same grants (a test keeps the two equal).
 */

/** What a channel member may do: talk, react, upload, pin (a shared notice board); never manage the channel. */
const MEMBER_PERMISSIONS = [
  'read-channel',
  'read-channel-members',
  'create-message',
  'create-attachment',
  'create-mention',
  'add-links',
  'update-message-owner',
  'delete-message-owner',
  'pin-message',
  'create-reaction',
  'delete-reaction-owner',
  'upload-attachment',
  'delete-attachment-owner',
  'send-custom-event',
  'mute-channel',
  'flag-message',
];

const MODERATOR_PERMISSIONS = [
  ...MEMBER_PERMISSIONS,
  'update-message',
  'delete-message',
  'delete-reaction',
  'delete-attachment',
];

export const HUB_GRANTS: Record<string, string[]> = {
  user: [],
  guest: [],
  anonymous: [],
  channel_member: MEMBER_PERMISSIONS,
  channel_moderator: MODERATOR_PERMISSIONS,
};

/** Permissions that, held by a client role, would let a client change a channel behind the hub's back. */
export const SERVER_ONLY_PERMISSIONS = [
  'create-channel',
  'update-channel',
  'update-channel-owner',
  'update-channel-members',
  'update-channel-members-owner',
  'delete-channel',
  'delete-channel-owner',
  'truncate-channel',
  'truncate-channel-owner',
  'remove-own-channel-membership',
];

/** The features `<hub-chat>` uses; push is off because the hub sends its own notifications. */
export const HUB_CHANNEL_CONFIG = {
  typing_events: true,
  read_events: true,
  connect_events: true,
  reactions: true,
  replies: true,
  quotes: true,
  uploads: true,
  custom_events: true,
  search: true,
  mutes: true,
  push_notifications: false,
  commands: [] as string[],
};

export const HUB_CHANNEL_TYPES = ['hub-group', 'hub-direct', 'hub-session'] as const;

/** The webhook events the hub acts on (the rest would only cost requests). */
export const HUB_WEBHOOK_EVENTS = ['message.new'];
