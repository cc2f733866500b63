import type { StreamChat } from 'stream-chat';
import {
  HUB_CHANNEL_CONFIG,
  HUB_CHANNEL_TYPES,
  HUB_GRANTS,
  HUB_WEBHOOK_EVENTS,
  SERVER_ONLY_PERMISSIONS,
} from './channel-types.ts';

/** Roles a client token can hold; none of them may change a channel in the hub's types. */
const CLIENT_ROLES = ['user', 'guest', 'anonymous', 'channel_member', 'channel_moderator'];

/** What `setup:stream` changes on top of the grants: the fields GetStream's API requires in an update. */
const CHANNEL_TYPE_SETTINGS = {
  ...HUB_CHANNEL_CONFIG,
  automod: 'disabled',
  automod_behavior: 'flag',
  max_message_length: 5000,
  grants: HUB_GRANTS,
} as const;

/**
 * `npm run setup:stream`: creates or updates the hub's channel types with their grants, points the app's
 * webhook at the hub, and makes sure token and permission checks are on. Safe to run again. Returns one
 * line per thing it did.
 */
export async function setupStreamApp(client: StreamChat, options: { webhookUrl: string }): Promise<string[]> {
  const done: string[] = [];
  const { channel_types: existing = {} } = await client.listChannelTypes();
  for (const name of HUB_CHANNEL_TYPES) {
    if (name in existing) {
      await client.updateChannelType(name, CHANNEL_TYPE_SETTINGS as never);
      done.push(`updated channel type ${name}: grants for ${Object.keys(HUB_GRANTS).join(', ')}`);
    } else {
      await client.createChannelType({ name, ...CHANNEL_TYPE_SETTINGS } as never);
      done.push(`created channel type ${name}: grants for ${Object.keys(HUB_GRANTS).join(', ')}`);
    }
  }
  await client.updateAppSettings({
    webhook_url: options.webhookUrl,
    webhook_events: HUB_WEBHOOK_EVENTS,
    disable_auth_checks: false,
    disable_permissions_checks: false,
  });
  done.push(`webhook: ${options.webhookUrl} (${HUB_WEBHOOK_EVENTS.join(', ')})`);
  done.push('token (auth) checks and permission checks: on');
  return done;
}

/**
 * The production boot check: what is wrong with the GetStream app for the hub, or nothing. Token checks
 * off would let anyone connect as anyone; permission checks off, or a client role allowed to create or
 * change channels, would let clients around the hub's rules.
 */
export async function streamAppProblems(client: StreamChat): Promise<string[]> {
  const { app } = await client.getAppSettings();
  if (!app) return ['GetStream answered without the app settings'];
  const problems: string[] = [];
  if (app.disable_auth_checks) {
    problems.push('disable_auth_checks is true: GetStream would accept tokens without verifying them');
  }
  if (app.disable_permissions_checks) {
    problems.push(
      'disable_permissions_checks is true: any user could create channels and change their members',
    );
  }
  const configs = (app.channel_configs ?? {}) as Record<string, { grants?: Record<string, string[]> }>;
  for (const name of HUB_CHANNEL_TYPES) {
    const config = configs[name];
    if (!config) {
      problems.push(`channel type ${name} does not exist`);
      continue;
    }
    for (const role of CLIENT_ROLES) {
      const granted = (config.grants?.[role] ?? []).filter((permission) =>
        SERVER_ONLY_PERMISSIONS.includes(permission),
      );
      if (granted.length > 0) {
        problems.push(`channel type ${name} grants ${role} ${granted.join(', ')}, which only the hub may do`);
      }
    }
  }
  return problems;
}
