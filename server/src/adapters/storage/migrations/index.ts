import type { Migration } from 'kysely';
import * as directory from './0001_directory.ts';
import * as notifications from './0002_notifications.ts';
import * as chat from './0003_chat.ts';
import * as calls from './0004_calls.ts';
import * as sessions from './0005_sessions.ts';
import * as rateLimits from './0006_rate_limits.ts';
import * as liveSpill from './0007_live_spill.ts';

/**
 * Every migration, in order. Names sort as they run; a released migration is never edited, only
 * followed by a new one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_directory': directory,
  '0002_notifications': notifications,
  '0003_chat': chat,
  '0004_calls': calls,
  '0005_sessions': sessions,
  '0006_rate_limits': rateLimits,
  '0007_live_spill': liveSpill,
};
