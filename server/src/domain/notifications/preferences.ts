import {
  EMAIL_KINDS,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  URGENT_KINDS,
  type NotificationChannel,
  type NotificationKind,
  type NotificationPreferences,
  type NotificationPreferencesUpdate,
} from '@teacher-hub/protocol';

/** One stored switch: a user's choice for one kind on one channel. Absent means the default. */
export interface PreferenceSwitch {
  kind: NotificationKind;
  channel: NotificationChannel;
  enabled: boolean;
}

const isUrgent = (kind: NotificationKind) => (URGENT_KINDS as readonly string[]).includes(kind);
const emailApplies = (kind: NotificationKind) => (EMAIL_KINDS as readonly string[]).includes(kind);

/**
 * Pairs that a user cannot change: urgent kinds are always on everywhere (rule 8), and email exists only
 * for scheduled sessions, so for every other kind it is always off.
 */
export function lockedChannels(kind: NotificationKind): NotificationChannel[] {
  const locked: NotificationChannel[] = isUrgent(kind)
    ? NOTIFICATION_CHANNELS.filter((channel) => channel !== 'email')
    : [];
  if (!emailApplies(kind)) locked.push('email');
  return locked;
}

function defaultFor(kind: NotificationKind, channel: NotificationChannel): boolean {
  if (channel === 'email') return emailApplies(kind);
  return true;
}

/** The effective matrix: defaults, then the user's stored switches, then the locks. */
export function resolvePreferences(stored: readonly PreferenceSwitch[]): NotificationPreferences {
  const matrix = {} as NotificationPreferences;
  for (const kind of NOTIFICATION_KINDS) {
    matrix[kind] = {} as Record<NotificationChannel, boolean>;
    for (const channel of NOTIFICATION_CHANNELS) matrix[kind][channel] = defaultFor(kind, channel);
  }
  for (const { kind, channel, enabled } of stored) {
    if (!lockedChannels(kind).includes(channel)) matrix[kind][channel] = enabled;
  }
  return matrix;
}

export function lockedMatrix(): Partial<Record<NotificationKind, NotificationChannel[]>> {
  const locked: Partial<Record<NotificationKind, NotificationChannel[]>> = {};
  for (const kind of NOTIFICATION_KINDS) {
    const channels = lockedChannels(kind);
    if (channels.length > 0) locked[kind] = channels;
  }
  return locked;
}

export class LockedPreferenceError extends Error {
  constructor(
    readonly kind: NotificationKind,
    readonly channel: NotificationChannel,
  ) {
    super(`${kind} on ${channel} cannot be changed`);
  }
}

/**
 * Turns an update into the switches to store. Trying to change a locked pair to anything but its locked
 * value is refused, so a client learns that urgent alerts cannot be muted instead of silently losing it.
 */
export function switchesFromUpdate(update: NotificationPreferencesUpdate): PreferenceSwitch[] {
  const switches: PreferenceSwitch[] = [];
  for (const [kind, channels] of Object.entries(update.preferences) as [
    NotificationKind,
    Partial<Record<NotificationChannel, boolean>>,
  ][]) {
    for (const [channel, enabled] of Object.entries(channels ?? {}) as [NotificationChannel, boolean][]) {
      if (lockedChannels(kind).includes(channel)) {
        if (enabled !== defaultFor(kind, channel)) {
          throw new LockedPreferenceError(kind, channel);
        }
        continue;
      }
      switches.push({ kind, channel, enabled });
    }
  }
  return switches;
}
