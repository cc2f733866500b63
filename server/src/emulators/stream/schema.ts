/**
 * The emulator's own tables (all prefixed `stream_`) and the migrations that create them. They live in the
 * hub's database but belong to the emulator alone; its migration history is kept in `stream_migrations`.
 */
import { sql, type ColumnType, type Generated, type Kysely, type Migration } from 'kysely';

export type Json = ColumnType<unknown, string, string>;
type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface StreamAppTable {
  id: number;
  settings: Json;
  updated_at: Timestamp;
}

export interface StreamChannelTypeTable {
  name: string;
  /** Feature flags and limits (typing_events, read_events, max_message_length…). */
  config: Json;
  /** role → permission ids, as Stream's permissions v2 `grants`. */
  grants: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StreamUserTable {
  id: string;
  role: string;
  /** Every field but the reserved ones: name, image, custom fields. */
  data: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_active: NullableTimestamp;
  revoke_tokens_issued_before: NullableTimestamp;
}

export interface StreamChannelTable {
  cid: string;
  type: string;
  id: string;
  created_by_id: string | null;
  /** Custom channel data: name, image, anything else the creator set. */
  data: Json;
  frozen: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_message_at: NullableTimestamp;
}

export interface StreamMemberTable {
  cid: string;
  user_id: string;
  channel_role: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Read state lives on the membership, as in Stream. */
  last_read: Timestamp;
  last_read_message_id: string | null;
}

export interface StreamMessageTable {
  /** Insertion order: pagination (`id_lt`, `id_gt`) and sorting use it. */
  seq: Generated<number>;
  id: string;
  cid: string;
  user_id: string;
  type: string;
  text: string;
  attachments: Json;
  mentioned_user_ids: Json;
  /** Custom message fields. */
  data: Json;
  parent_id: string | null;
  show_in_channel: boolean;
  quoted_message_id: string | null;
  reply_count: ColumnType<number, number | undefined, number>;
  pinned: ColumnType<boolean, boolean | undefined, boolean>;
  pinned_at: NullableTimestamp;
  pinned_by_id: string | null;
  pin_expires: NullableTimestamp;
  silent: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
  message_text_updated_at: NullableTimestamp;
}

export interface StreamReactionTable {
  message_id: string;
  user_id: string;
  type: string;
  score: number;
  data: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StreamFileTable {
  id: string;
  cid: string;
  user_id: string | null;
  kind: 'file' | 'image';
  name: string;
  mime_type: string;
  size: number;
  content: ColumnType<Uint8Array, Uint8Array, never>;
  created_at: Timestamp;
}

export interface StreamDatabase {
  stream_app: StreamAppTable;
  stream_channel_types: StreamChannelTypeTable;
  stream_users: StreamUserTable;
  stream_channels: StreamChannelTable;
  stream_members: StreamMemberTable;
  stream_messages: StreamMessageTable;
  stream_reactions: StreamReactionTable;
  stream_files: StreamFileTable;
}

/** A JSON value bound as a `jsonb` parameter (works the same on PostgreSQL and PGlite). */
export function json(value: unknown) {
  return sql<string>`cast(${JSON.stringify(value)} as jsonb)`;
}

// Migrations are written against `Kysely<any>` on purpose: they must keep working after the typed schema moves on.
/* eslint-disable @typescript-eslint/no-explicit-any */
export const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('stream_app')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('settings', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('stream_channel_types')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('config', 'jsonb', (c) => c.notNull())
        .addColumn('grants', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('stream_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_active', 'timestamptz')
        .addColumn('revoke_tokens_issued_before', 'timestamptz')
        .execute();

      await db.schema
        .createTable('stream_channels')
        .addColumn('cid', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('created_by_id', 'text')
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('frozen', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_message_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('stream_channels_type_idx').on('stream_channels').column('type').execute();
      await db.schema
        .createIndex('stream_channels_last_message_at_idx')
        .on('stream_channels')
        .column('last_message_at')
        .execute();
      await db.schema
        .createIndex('stream_channels_updated_at_idx')
        .on('stream_channels')
        .column('updated_at')
        .execute();

      await db.schema
        .createTable('stream_members')
        .addColumn('cid', 'text', (c) => c.notNull().references('stream_channels.cid').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('channel_role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_read', 'timestamptz', (c) => c.notNull())
        .addColumn('last_read_message_id', 'text')
        .addPrimaryKeyConstraint('stream_members_pk', ['cid', 'user_id'])
        .execute();
      await db.schema.createIndex('stream_members_user_idx').on('stream_members').column('user_id').execute();

      await db.schema
        .createTable('stream_messages')
        .addColumn('seq', 'integer', (c) => c.generatedAlwaysAsIdentity().notNull().unique())
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cid', 'text', (c) => c.notNull().references('stream_channels.cid').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('attachments', 'jsonb', (c) => c.notNull())
        .addColumn('mentioned_user_ids', 'jsonb', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .addColumn('show_in_channel', 'boolean', (c) => c.notNull())
        .addColumn('quoted_message_id', 'text')
        .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('pinned_at', 'timestamptz')
        .addColumn('pinned_by_id', 'text')
        .addColumn('pin_expires', 'timestamptz')
        .addColumn('silent', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('deleted_at', 'timestamptz')
        .addColumn('message_text_updated_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('stream_messages_cid_seq_idx')
        .on('stream_messages')
        .columns(['cid', 'seq'])
        .execute();
      await db.schema
        .createIndex('stream_messages_cid_created_idx')
        .on('stream_messages')
        .columns(['cid', 'created_at'])
        .execute();
      await db.schema
        .createIndex('stream_messages_parent_idx')
        .on('stream_messages')
        .columns(['parent_id', 'seq'])
        .where(sql.ref('parent_id'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('stream_messages_pinned_idx')
        .on('stream_messages')
        .columns(['cid', 'pinned_at'])
        .where(sql.ref('pinned'), '=', true)
        .execute();

      await db.schema
        .createTable('stream_reactions')
        .addColumn('message_id', 'text', (c) =>
          c.notNull().references('stream_messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('stream_reactions_pk', ['message_id', 'user_id', 'type'])
        .execute();

      await db.schema
        .createTable('stream_files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('cid', 'text', (c) => c.notNull().references('stream_channels.cid').onDelete('cascade'))
        .addColumn('user_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('content', 'bytea', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('stream_files_cid_idx').on('stream_files').column('cid').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'stream_files',
        'stream_reactions',
        'stream_messages',
        'stream_members',
        'stream_channels',
        'stream_users',
        'stream_channel_types',
        'stream_app',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */
