import type { ColumnType } from 'kysely';
import type { Recurrence, Role } from '@teacher-hub/protocol';

/** A timestamptz column the database fills in (`default now()`), readable as a Date. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface UsersTable {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CoursesTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EnrollmentsTable {
  course_id: string;
  user_id: string;
  role: Role;
  created_at: CreatedAt;
}

export interface SettingsTable {
  key: string;
  /** jsonb: written as a JSON string, read back parsed. */
  value: ColumnType<unknown, string, string>;
  updated_at: UpdatedAt;
}

/** jsonb written as a JSON string and read back parsed. */
type Json<T> = ColumnType<T, string, string>;
type Generated<T> = ColumnType<T, never, never>;

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: Generated<string>;
  key: string;
  kind: string;
  payload: Json<unknown>;
  run_at: Date;
  status: ColumnType<JobStatus, JobStatus | undefined, JobStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  lease_until: Date | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  finished_at: Date | null;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  platform: 'web' | 'android' | 'ios';
  /** The web push endpoint, or the FCM / APNs device token. */
  address: string;
  keys: Json<{ p256dh: string; auth: string } | null> | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface NotificationsTable {
  id: string;
  seq: Generated<string>;
  user_id: string;
  kind: string;
  priority: 'urgent' | 'normal';
  title: string;
  body: string;
  data: Json<Record<string, string>>;
  dedupe_key: string;
  listed: boolean;
  created_at: Date;
  read_at: Date | null;
}

export type DeliveryStatus = 'pending' | 'sent' | 'gone' | 'failed' | 'dead';

export interface DeliveriesTable {
  id: string;
  notification_id: string;
  user_id: string;
  channel: 'webpush' | 'fcm' | 'apns' | 'email';
  device_id: string | null;
  collapse_key: string;
  ttl_seconds: number;
  email: Json<unknown> | null;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: Date;
  outcome: 'sent' | 'gone' | 'retry' | 'failed';
  detail: string | null;
  instance: string;
}

export interface NotificationPreferencesTable {
  user_id: string;
  kind: string;
  channel: string;
  enabled: boolean;
  updated_at: UpdatedAt;
}

export interface MailboxTable {
  id: string;
  message_id: string;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  calendar: Json<unknown> | null;
  created_at: CreatedAt;
}

export type ChatKind = 'group' | 'direct' | 'session';

export interface ChatsTable {
  /** The GetStream channel id (`g-…`, `d-…`); the cid is `channel_type:id`. */
  id: string;
  kind: ChatKind;
  channel_type: string;
  /** Null for direct chats: each side sees the other's name. */
  name: string | null;
  /** Who may rename and change it: the teacher who created a group; null for direct chats. */
  owner_id: string | null;
  /** Whose students may be in it (rule 1); rule 9 removes those who no longer are. */
  teacher_id: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ChatMembersTable {
  chat_id: string;
  user_id: string;
  added_at: ColumnType<Date, Date | undefined, never>;
}

export interface ChatWebhookEventsTable {
  id: string;
  received_at: Date;
}

export interface ChatDigestsTable {
  chat_id: string;
  user_id: string;
  /** Names the digest job (`chat-digest:<chat>:<user>:<generation>`); moves on once it was sent. */
  generation: ColumnType<number, number | undefined, number>;
  message_count: ColumnType<number, number | undefined, number>;
  sender_ids: Json<string[]>;
  last_sender_id: string | null;
  last_text: string | null;
  last_message_at: Date | null;
  last_notified_at: Date | null;
}

export type CallStatusColumn = 'ringing' | 'active' | 'ended';
export type CallMemberStateColumn = 'ringing' | 'joined' | 'declined' | 'missed' | 'left';

export interface CallsTable {
  id: string;
  chat_id: string;
  status: CallStatusColumn;
  /** `hms` or `mesh`: the provider the room was made with. */
  engine: string;
  room_id: string;
  started_by: string;
  started_at: Date;
  ring_expires_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
}

export interface CallMembersTable {
  call_id: string;
  user_id: string;
  state: CallMemberStateColumn;
  joined_at: Date | null;
  updated_at: Date;
}

export interface SessionsTable {
  id: string;
  owner_id: string;
  title: string;
  description: string;
  type: 'class' | 'one_on_one' | 'group';
  /** The first occurrence's wall-clock start in `time_zone`, `YYYY-MM-DDTHH:mm`. */
  start_local: string;
  time_zone: string;
  duration_minutes: number;
  recurrence: Json<Recurrence> | null;
  email_invitees: boolean;
  chat_id: string;
  status: 'active' | 'cancelled';
  /** The ICS `SEQUENCE`: increases with every change invitees' calendars must follow. */
  sequence: number;
  created_at: Date;
  updated_at: Date;
}

export interface SessionInviteesTable {
  session_id: string;
  user_id: string;
}

export interface SessionExceptionsTable {
  session_id: string;
  /** The occurrence's original start: its name, also after it moved. */
  occurrence_start: Date;
  cancelled: boolean;
  start_local: string | null;
  duration_minutes: number | null;
}

export interface SessionOccurrencesTable {
  session_id: string;
  occurrence_start: Date;
  /** `scheduled` with a room made ahead of time (100ms), then `live`, then `ended`. */
  status: 'scheduled' | 'live' | 'ended';
  engine: string | null;
  room_id: string | null;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface SessionAttendanceTable {
  id: Generated<string>;
  session_id: string;
  occurrence_start: Date;
  user_id: string;
  joined_at: Date;
  left_at: Date | null;
}

export interface CalendarFeedsTable {
  user_id: string;
  token: string;
  created_at: Date;
}

/** The hub's tables, as Kysely sees them. Later migrations add to it. */
export interface HubDatabase {
  users: UsersTable;
  courses: CoursesTable;
  enrollments: EnrollmentsTable;
  settings: SettingsTable;
  jobs: JobsTable;
  devices: DevicesTable;
  notifications: NotificationsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  notification_preferences: NotificationPreferencesTable;
  mailbox: MailboxTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  chat_webhook_events: ChatWebhookEventsTable;
  chat_digests: ChatDigestsTable;
  calls: CallsTable;
  call_members: CallMembersTable;
  sessions: SessionsTable;
  session_invitees: SessionInviteesTable;
  session_exceptions: SessionExceptionsTable;
  session_occurrences: SessionOccurrencesTable;
  session_attendance: SessionAttendanceTable;
  calendar_feeds: CalendarFeedsTable;
}
