/**
 * Stream's permission model (v2) as far as the emulator needs it: channel types carry `grants`
 * (role → permission ids); a client-side caller holds its user role plus, when a member, its channel role;
 * a `-owner` permission applies only to the caller's own resource (the channel they created, their own
 * message, reaction or upload). Server-side calls are never checked, exactly as on Stream.
 */

export type Grants = Record<string, string[]>;

export interface ChannelConfig {
  typing_events: boolean;
  read_events: boolean;
  connect_events: boolean;
  search: boolean;
  reactions: boolean;
  replies: boolean;
  quotes: boolean;
  mutes: boolean;
  uploads: boolean;
  url_enrichment: boolean;
  custom_events: boolean;
  push_notifications: boolean;
  reminders: boolean;
  mark_messages_pending: boolean;
  polls: boolean;
  delivery_events: boolean;
  shared_locations: boolean;
  user_message_reminders: boolean;
  count_messages: boolean;
  message_retention: string;
  max_message_length: number;
  automod: string;
  automod_behavior: string;
  blocklist_behavior: string;
  commands: string[];
  push_level: string;
  [key: string]: unknown;
}

export const DEFAULT_CHANNEL_CONFIG: ChannelConfig = {
  typing_events: true,
  read_events: true,
  connect_events: true,
  search: true,
  reactions: true,
  replies: true,
  quotes: true,
  mutes: true,
  uploads: true,
  // The emulator never fetches link previews, so it does not claim to.
  url_enrichment: false,
  custom_events: true,
  push_notifications: true,
  reminders: false,
  mark_messages_pending: false,
  polls: false,
  delivery_events: false,
  shared_locations: false,
  user_message_reminders: false,
  count_messages: false,
  message_retention: 'infinite',
  max_message_length: 5000,
  automod: 'disabled',
  automod_behavior: 'flag',
  blocklist_behavior: 'flag',
  commands: [],
  push_level: 'all',
};

/** What a channel member may do in the hub's channel types: talk, never manage the channel. */
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

/**
 * The grants `npm run setup:stream` applies to `hub-group`, `hub-direct` and `hub-session`: no client role
 * holds `create-channel`, `update-channel-members*`, `update-channel-owner`, `delete-channel-owner` or
 * `truncate-channel-owner`, so only the hub server (server-side token) creates and changes channels.
 */
export const HUB_CHANNEL_GRANTS: Grants = {
  user: [],
  guest: [],
  anonymous: [],
  channel_member: MEMBER_PERMISSIONS,
  channel_moderator: MODERATOR_PERMISSIONS,
};

/** Stream's out-of-the-box `messaging` type: any user creates channels and manages the ones they own. */
export const MESSAGING_GRANTS: Grants = {
  user: [
    'create-channel',
    'update-channel-owner',
    'update-channel-members-owner',
    'delete-channel-owner',
    'truncate-channel-owner',
  ],
  guest: [],
  anonymous: [],
  channel_member: [...MEMBER_PERMISSIONS, 'remove-own-channel-membership'],
  channel_moderator: [...MODERATOR_PERMISSIONS, 'remove-own-channel-membership'],
};

export const BUILT_IN_CHANNEL_TYPES: Array<{ name: string; grants: Grants }> = [
  { name: 'hub-group', grants: HUB_CHANNEL_GRANTS },
  { name: 'hub-direct', grants: HUB_CHANNEL_GRANTS },
  { name: 'hub-session', grants: HUB_CHANNEL_GRANTS },
  { name: 'messaging', grants: MESSAGING_GRANTS },
];

/** The permission id → Stream action name, for error messages. */
const ACTION_NAMES: Record<string, string> = {
  'create-channel': 'CreateChannel',
  'read-channel': 'ReadChannel',
  'read-channel-members': 'ReadChannelMembers',
  'update-channel': 'UpdateChannel',
  'update-channel-members': 'UpdateChannelMembers',
  'delete-channel': 'DeleteChannel',
  'create-message': 'CreateMessage',
  'create-attachment': 'CreateAttachment',
  'update-message': 'UpdateMessage',
  'delete-message': 'DeleteMessage',
  'pin-message': 'PinMessage',
  'create-reaction': 'CreateReaction',
  'delete-reaction': 'DeleteReaction',
  'upload-attachment': 'UploadAttachment',
  'delete-attachment': 'DeleteAttachment',
  'send-custom-event': 'SendCustomEvent',
  'remove-own-channel-membership': 'RemoveOwnChannelMembership',
};

export function actionName(permission: string): string {
  return ACTION_NAMES[permission] ?? permission;
}

export interface Subject {
  userId: string;
  userRole: string;
  /** The caller's channel role when they are a member, else null. */
  channelRole: string | null;
}

export function isGranted(grants: Grants, subject: Subject, permission: string, owns = false): boolean {
  if (subject.userRole === 'admin') return true;
  const roles = subject.channelRole ? [subject.userRole, subject.channelRole] : [subject.userRole];
  for (const role of roles) {
    const granted = grants[role] ?? [];
    if (granted.includes(permission)) return true;
    if (owns && granted.includes(`${permission}-owner`)) return true;
  }
  return false;
}

/**
 * `channel.own_capabilities`, which stream-chat and its UIs read to decide what to offer (e.g. markRead
 * is skipped without `read-events`, typing without `typing-events`).
 */
export function ownCapabilities(
  grants: Grants,
  config: ChannelConfig,
  subject: Subject,
  ownsChannel: boolean,
): string[] {
  const can = (permission: string, owns = false) => isGranted(grants, subject, permission, owns);
  const capabilities: string[] = [];
  const add = (capability: string, allowed: boolean) => {
    if (allowed) capabilities.push(capability);
  };
  const reads = can('read-channel');
  add('read-events', reads && config.read_events);
  add('typing-events', reads && config.typing_events);
  add('connect-events', reads && config.connect_events);
  add('search-messages', reads && config.search);
  add('send-message', can('create-message'));
  add('send-reply', can('create-message') && config.replies);
  add('quote-message', can('create-message') && config.quotes);
  add('send-links', can('add-links'));
  add('send-reaction', can('create-reaction') && config.reactions);
  add('upload-file', can('upload-attachment') && config.uploads);
  add('update-own-message', can('update-message', true));
  add('update-any-message', can('update-message'));
  add('delete-own-message', can('delete-message', true));
  add('delete-any-message', can('delete-message'));
  add('pin-message', can('pin-message'));
  add('send-custom-events', can('send-custom-event') && config.custom_events);
  add('mute-channel', can('mute-channel') && config.mutes);
  add('flag-message', can('flag-message'));
  add('update-channel', can('update-channel', ownsChannel));
  add('update-channel-members', can('update-channel-members', ownsChannel));
  add('delete-channel', can('delete-channel', ownsChannel));
  add('leave-channel', can('remove-own-channel-membership'));
  return capabilities;
}
