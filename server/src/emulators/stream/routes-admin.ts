/**
 * Users (upsert, partial update, query), app settings, channel types and unread counts.
 */
import { Hono } from 'hono';
import { sql } from 'kysely';
import {
  isString,
  readBody,
  readPayload,
  type Caller,
  type EmulatorContext,
  type EmulatorEnv,
} from './context.ts';
import { duration, fail } from './errors.ts';
import { DEFAULT_CHANNEL_CONFIG, type ChannelConfig, type Grants } from './permissions.ts';
import { presentUser } from './present.ts';
import {
  asArray,
  asObject,
  deleteChannelType,
  getChannelType,
  getUser,
  listChannelTypes,
  saveChannelType,
  unreadCounts,
  unreadTotals,
  updateUser,
  upsertUser,
  userData,
  type AppSettings,
  type ChannelType,
  type JsonObject,
} from './store.ts';

function serverOnly(caller: Caller, operation: string): void {
  if (caller.kind !== 'server') {
    throw fail.notAllowed(operation, 'this endpoint is available to server-side (API secret) calls only');
  }
}

function readDate(value: unknown, operation: string, field: string): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(value as string);
  if ((typeof value !== 'string' && typeof value !== 'number') || Number.isNaN(date.getTime())) {
    throw fail.input(operation, `${field} must be a date`);
  }
  return date;
}

const CONFIG_KEYS = new Set(Object.keys(DEFAULT_CHANNEL_CONFIG));

function presentChannelType(type: ChannelType): JsonObject {
  return {
    ...type.config,
    name: type.name,
    grants: type.grants,
    permissions: [],
    commands: [],
    created_at: type.created_at.toISOString(),
    updated_at: type.updated_at.toISOString(),
  };
}

function readGrants(value: unknown, operation: string): Grants {
  const grants: Grants = {};
  for (const [role, permissions] of Object.entries(asObject(value))) {
    if (!Array.isArray(permissions) || permissions.some((permission) => typeof permission !== 'string')) {
      throw fail.input(operation, `grants.${role} must be a list of permission ids`);
    }
    grants[role] = permissions as string[];
  }
  return grants;
}

function readConfig(body: JsonObject, base: ChannelConfig): ChannelConfig {
  const config = { ...base };
  for (const [key, value] of Object.entries(body)) {
    if (CONFIG_KEYS.has(key) && value !== undefined) config[key] = value;
  }
  return config;
}

export function adminRoutes(ctx: EmulatorContext) {
  return new Hono<EmulatorEnv>()
    .post('/users', async (c) => {
      const operation = 'UpdateUsers';
      const caller = c.get('caller');
      const body = await readBody(c, operation);
      const inputs = Object.values(asObject(body.users)).map((user) => asObject(user));
      if (inputs.some((user) => !isString(user.id))) throw fail.input(operation, 'every user needs an id');
      if (caller.kind === 'client') {
        // A user may update themselves from the client, never someone else and never their role.
        if (inputs.some((user) => user.id !== caller.userId)) {
          throw fail.notAllowed(operation, `user '${caller.userId}' may only update their own user object`);
        }
        const current = await getUser(ctx.db, caller.userId);
        if (inputs.some((user) => user.role !== undefined && user.role !== (current?.role ?? 'user'))) {
          throw fail.notAllowed(operation, 'a user cannot change their own role');
        }
      }
      const now = ctx.now();
      const users: Record<string, JsonObject> = {};
      for (const input of inputs) {
        const row = await upsertUser(
          ctx.db,
          {
            id: input.id as string,
            ...(caller.kind === 'server' && isString(input.role) ? { role: input.role } : {}),
            data: userData(input),
            ...(input.revoke_tokens_issued_before !== undefined && caller.kind === 'server'
              ? {
                  revoke_tokens_issued_before: readDate(
                    input.revoke_tokens_issued_before,
                    operation,
                    'revoke_tokens_issued_before',
                  ),
                }
              : {}),
          },
          now,
        );
        users[row.id] = presentUser(row, ctx.live.isOnline(row.id));
      }
      return c.json({ users, duration: duration(c.get('startedAt')) }, 201);
    })
    .patch('/users', async (c) => {
      const operation = 'UpdateUsersPartial';
      const caller = c.get('caller');
      const body = await readBody(c, operation);
      const now = ctx.now();
      const users: Record<string, JsonObject> = {};
      const updates = asArray(body.users).map((update) => asObject(update));
      for (const update of updates) {
        if (!isString(update.id)) throw fail.input(operation, 'every update needs an id');
        if (caller.kind === 'client' && update.id !== caller.userId) {
          throw fail.notAllowed(operation, `user '${caller.userId}' may only update their own user object`);
        }
      }
      for (const update of updates) {
        const id = update.id as string;
        const current = await getUser(ctx.db, id);
        if (!current) throw fail.notFound(operation, `user ${id} does not exist`);
        const set = asObject(update.set);
        if (caller.kind === 'client' && set.role !== undefined)
          throw fail.notAllowed(operation, 'a user cannot change their own role');
        const data = { ...asObject(current.data), ...userData(set) };
        for (const key of asArray(update.unset).filter(isString)) delete data[key];
        const row = await updateUser(
          ctx.db,
          id,
          {
            data,
            ...(isString(set.role) ? { role: set.role } : {}),
            ...('revoke_tokens_issued_before' in set && caller.kind === 'server'
              ? {
                  revoke_tokens_issued_before: readDate(
                    set.revoke_tokens_issued_before,
                    operation,
                    'revoke_tokens_issued_before',
                  ),
                }
              : {}),
          },
          now,
        );
        if (row) users[row.id] = presentUser(row, ctx.live.isOnline(row.id));
      }
      return c.json({ users, duration: duration(c.get('startedAt')) }, 200);
    })
    .get('/users', async (c) => {
      const operation = 'QueryUsers';
      const payload = readPayload(c, operation);
      const filter = asObject(payload.filter_conditions);
      const limit = Math.min(Math.max(Number(payload.limit ?? 30) || 30, 1), 100);
      const offset = Math.max(Number(payload.offset ?? 0) || 0, 0);
      let query = ctx.db.selectFrom('stream_users').selectAll();
      const id = filter.id;
      if (isString(id)) query = query.where('id', '=', id);
      const idOps = asObject(id);
      if (isString(idOps.$eq)) query = query.where('id', '=', idOps.$eq);
      if (Array.isArray(idOps.$in)) {
        const ids = idOps.$in.filter(isString);
        query = ids.length ? query.where('id', 'in', ids) : query.where(sql<boolean>`false`);
      }
      if (isString(idOps.$autocomplete)) query = query.where('id', 'ilike', `%${idOps.$autocomplete}%`);
      const role = filter.role;
      if (isString(role)) query = query.where('role', '=', role);
      if (Array.isArray(asObject(role).$in)) {
        const roles = (asObject(role).$in as unknown[]).filter(isString);
        query = roles.length ? query.where('role', 'in', roles) : query.where(sql<boolean>`false`);
      }
      const name = filter.name;
      if (isString(name)) query = query.where(sql<boolean>`data ->> 'name' = ${name}`);
      const nameOps = asObject(name);
      const needle = isString(nameOps.$autocomplete)
        ? nameOps.$autocomplete
        : isString(nameOps.$q)
          ? nameOps.$q
          : undefined;
      if (needle)
        query = query.where(
          sql<boolean>`data ->> 'name' ilike ${`%${needle.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`,
        );
      for (const entry of asArray(payload.sort).map((item) => asObject(item))) {
        const direction = Number(entry.direction) === -1 ? 'desc' : 'asc';
        if (
          entry.field === 'created_at' ||
          entry.field === 'updated_at' ||
          entry.field === 'last_active' ||
          entry.field === 'id'
        ) {
          query = query.orderBy(entry.field, direction);
        } else if (entry.field === 'name') {
          query = query.orderBy(sql`data ->> 'name'`, direction);
        }
      }
      const rows = await query.orderBy('id').limit(limit).offset(offset).execute();
      return c.json(
        {
          users: rows.map((row) => presentUser(row, ctx.live.isOnline(row.id))),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .get('/app', async (c) => {
      // stream-chat reads the upload configuration client-side; where webhooks go is the server's business.
      const { webhook_url, revoke_tokens_issued_before, ...visible } = ctx.settings();
      const settings =
        c.get('caller').kind === 'server'
          ? { ...visible, webhook_url, revoke_tokens_issued_before }
          : visible;
      const types = await listChannelTypes(ctx.db);
      return c.json(
        {
          app: {
            ...settings,
            permission_version: 'v2',
            multi_tenant_enabled: false,
            channel_configs: Object.fromEntries(types.map((type) => [type.name, presentChannelType(type)])),
            file_upload_config: {
              size_limit: ctx.uploadLimits.maxBytes,
              allowed_mime_types: ctx.uploadLimits.allowedFileTypes ?? [],
              allowed_file_extensions: [],
              blocked_file_extensions: [],
              blocked_mime_types: [],
            },
            image_upload_config: {
              size_limit: ctx.uploadLimits.maxBytes,
              allowed_mime_types: ctx.uploadLimits.allowedImageTypes,
              allowed_file_extensions: [],
              blocked_file_extensions: [],
              blocked_mime_types: [],
            },
            grants: {},
            event_hooks: [],
          },
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .patch('/app', async (c) => {
      const operation = 'UpdateApp';
      serverOnly(c.get('caller'), operation);
      const body = await readBody(c, operation);
      const next: AppSettings = { ...ctx.settings() };
      for (const key of ['disable_auth_checks', 'disable_permissions_checks'] as const) {
        if (body[key] !== undefined) next[key] = body[key] === true;
      }
      if ('revoke_tokens_issued_before' in body) {
        next.revoke_tokens_issued_before =
          readDate(
            body.revoke_tokens_issued_before,
            operation,
            'revoke_tokens_issued_before',
          )?.toISOString() ?? null;
      }
      if (body.webhook_url !== undefined) {
        if (typeof body.webhook_url !== 'string') throw fail.input(operation, 'webhook_url must be a string');
        next.webhook_url = body.webhook_url;
      }
      await ctx.saveSettings(next);
      return c.json({ duration: duration(c.get('startedAt')) }, 200);
    })
    .get('/channeltypes', async (c) => {
      serverOnly(c.get('caller'), 'ListChannelTypes');
      const types = await listChannelTypes(ctx.db);
      return c.json(
        {
          channel_types: Object.fromEntries(types.map((type) => [type.name, presentChannelType(type)])),
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .post('/channeltypes', async (c) => {
      const operation = 'CreateChannelType';
      serverOnly(c.get('caller'), operation);
      const body = await readBody(c, operation);
      if (!isString(body.name) || !/^[a-z0-9_-]{1,64}$/.test(body.name)) {
        throw fail.input(operation, 'name must be 1-64 lowercase letters, digits, _ or -');
      }
      if (await getChannelType(ctx.db, body.name))
        throw fail.input(operation, `channel type ${body.name} already exists`);
      const now = ctx.now();
      const type: ChannelType = {
        name: body.name,
        config: readConfig(body, { ...DEFAULT_CHANNEL_CONFIG, name: body.name }),
        grants: readGrants(body.grants, operation),
        created_at: now,
        updated_at: now,
      };
      await saveChannelType(ctx.db, type);
      return c.json({ ...presentChannelType(type), duration: duration(c.get('startedAt')) }, 201);
    })
    .get('/channeltypes/:name', async (c) => {
      const operation = 'GetChannelType';
      serverOnly(c.get('caller'), operation);
      const type = await getChannelType(ctx.db, c.req.param('name'));
      if (!type) throw fail.notFound(operation, `channel type ${c.req.param('name')} does not exist`);
      return c.json({ ...presentChannelType(type), duration: duration(c.get('startedAt')) }, 200);
    })
    .put('/channeltypes/:name', async (c) => {
      const operation = 'UpdateChannelType';
      serverOnly(c.get('caller'), operation);
      const current = await getChannelType(ctx.db, c.req.param('name'));
      if (!current) throw fail.notFound(operation, `channel type ${c.req.param('name')} does not exist`);
      const body = await readBody(c, operation);
      // Grants are replaced role by role: roles the request does not name keep theirs.
      const type: ChannelType = {
        ...current,
        config: readConfig(body, current.config),
        grants: { ...current.grants, ...readGrants(body.grants, operation) },
        updated_at: ctx.now(),
      };
      await saveChannelType(ctx.db, type);
      return c.json({ ...presentChannelType(type), duration: duration(c.get('startedAt')) }, 200);
    })
    .delete('/channeltypes/:name', async (c) => {
      const operation = 'DeleteChannelType';
      serverOnly(c.get('caller'), operation);
      const name = c.req.param('name');
      const used = await ctx.db
        .selectFrom('stream_channels')
        .select('cid')
        .where('type', '=', name)
        .limit(1)
        .executeTakeFirst();
      if (used) throw fail.input(operation, `channel type ${name} still has channels`);
      await deleteChannelType(ctx.db, name);
      return c.json({ duration: duration(c.get('startedAt')) }, 200);
    })
    .get('/unread', async (c) => {
      const operation = 'UnreadCounts';
      const caller = c.get('caller');
      const userId = caller.kind === 'client' ? caller.userId : c.req.query('user_id');
      if (!isString(userId)) throw fail.input(operation, 'user_id is required when using server side auth');
      const rows = await unreadCounts(ctx.db, [userId]);
      const totals = (await unreadTotals(ctx.db, [userId])).get(userId)!;
      const byType = new Map<string, { channel_type: string; channel_count: number; unread_count: number }>();
      for (const row of rows) {
        const typeName = row.cid.slice(0, row.cid.indexOf(':'));
        const entry = byType.get(typeName) ?? { channel_type: typeName, channel_count: 0, unread_count: 0 };
        if (row.unread > 0) entry.channel_count += 1;
        entry.unread_count += row.unread;
        byType.set(typeName, entry);
      }
      return c.json(
        {
          total_unread_count: totals.total_unread_count,
          total_unread_threads_count: 0,
          channels: rows
            .filter((row) => row.unread > 0)
            .map((row) => ({
              channel_id: row.cid,
              last_read: row.last_read.toISOString(),
              unread_count: row.unread,
            })),
          channel_type: [...byType.values()],
          threads: [],
          duration: duration(c.get('startedAt')),
        },
        200,
      );
    })
    .post('/unread_batch', async (c) => {
      const operation = 'UnreadCountsBatch';
      serverOnly(c.get('caller'), operation);
      const body = await readBody(c, operation);
      const userIds = asArray(body.user_ids).filter(isString).slice(0, 100);
      const rows = await unreadCounts(ctx.db, userIds);
      const totals = await unreadTotals(ctx.db, userIds);
      const countsByUser: Record<string, JsonObject> = {};
      for (const userId of userIds) {
        const own = rows.filter((row) => row.user_id === userId && row.unread > 0);
        countsByUser[userId] = {
          total_unread_count: totals.get(userId)?.total_unread_count ?? 0,
          total_unread_threads_count: 0,
          channels: own.map((row) => ({
            channel_id: row.cid,
            last_read: row.last_read.toISOString(),
            unread_count: row.unread,
          })),
          channel_type: [],
          threads: [],
        };
      }
      return c.json({ counts_by_user: countsByUser, duration: duration(c.get('startedAt')) }, 201);
    });
}
