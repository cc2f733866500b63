/**
 * `queryChannels` filters and sorts (MongoDB-style, as stream-chat sends them) compiled to SQL over
 * `stream_channels as c`. Values are always bound parameters; field names map to known columns or to keys
 * of the channel's custom data.
 */
import { sql, type RawBuilder } from 'kysely';
import { fail } from './errors.ts';
import { asObject, type JsonObject } from './store.ts';

type Condition = RawBuilder<boolean>;

const OPERATION = 'QueryChannels';

const TRUE = sql<boolean>`true`;
const FALSE = sql<boolean>`false`;

function and(parts: Condition[]): Condition {
  if (parts.length === 0) return TRUE;
  return sql<boolean>`(${sql.join(parts, sql` and `)})`;
}

function or(parts: Condition[]): Condition {
  if (parts.length === 0) return FALSE;
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

const TIMESTAMP_FIELDS: Record<string, RawBuilder<unknown>> = {
  created_at: sql`c.created_at`,
  updated_at: sql`c.updated_at`,
  last_message_at: sql`c.last_message_at`,
  last_updated: sql`greatest(coalesce(c.last_message_at, c.created_at), c.updated_at)`,
};

const TEXT_FIELDS: Record<string, RawBuilder<unknown>> = {
  type: sql`c.type`,
  id: sql`c.id`,
  cid: sql`c.cid`,
  created_by_id: sql`c.created_by_id`,
};

const MEMBER_COUNT = sql`(select count(*) from stream_members mc where mc.cid = c.cid)`;

function isOperatorObject(value: unknown): value is JsonObject {
  return (
    Boolean(value) &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value as object).every((key) => key.startsWith('$'))
  );
}

function operators(value: unknown): Array<[string, unknown]> {
  if (isOperatorObject(value)) return Object.entries(value);
  return [['$eq', value]];
}

function list(value: unknown, field: string, operator: string): unknown[] {
  if (!Array.isArray(value)) throw fail.input(OPERATION, `${field}: ${operator} needs an array`);
  return value;
}

function toDate(value: unknown, field: string): Date {
  const date = new Date(value as string);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw fail.input(OPERATION, `${field} must be compared to a date`);
  }
  if (Number.isNaN(date.getTime())) throw fail.input(OPERATION, `${field}: "${String(value)}" is not a date`);
  return date;
}

function compare(column: RawBuilder<unknown>, operator: string, value: unknown, field: string): Condition {
  switch (operator) {
    case '$eq':
      return value === null ? sql<boolean>`${column} is null` : sql<boolean>`${column} = ${value}`;
    case '$ne':
      return value === null
        ? sql<boolean>`${column} is not null`
        : sql<boolean>`${column} is distinct from ${value}`;
    case '$gt':
      return sql<boolean>`${column} > ${value}`;
    case '$gte':
      return sql<boolean>`${column} >= ${value}`;
    case '$lt':
      return sql<boolean>`${column} < ${value}`;
    case '$lte':
      return sql<boolean>`${column} <= ${value}`;
    case '$in': {
      const values = list(value, field, operator);
      return values.length === 0 ? FALSE : sql<boolean>`${column} in (${sql.join(values)})`;
    }
    case '$nin': {
      const values = list(value, field, operator);
      return values.length === 0 ? TRUE : sql<boolean>`${column} not in (${sql.join(values)})`;
    }
    case '$exists':
      return value ? sql<boolean>`${column} is not null` : sql<boolean>`${column} is null`;
    case '$autocomplete':
      return sql<boolean>`${column}::text ilike ${`%${String(value).replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`;
    default:
      throw fail.input(OPERATION, `operator ${operator} is not supported for field ${field}`);
  }
}

function membersCondition(operator: string, value: unknown): Condition {
  const ids = (Array.isArray(value) ? value : [value]).filter((id): id is string => typeof id === 'string');
  const exists = (userIds: string[]) =>
    userIds.length === 0
      ? FALSE
      : sql<boolean>`exists (select 1 from stream_members m where m.cid = c.cid and m.user_id in (${sql.join(userIds)}))`;
  switch (operator) {
    case '$in':
      return exists(ids);
    case '$nin':
      return ids.length === 0 ? TRUE : sql<boolean>`not ${exists(ids)}`;
    case '$eq':
      if (!Array.isArray(value)) return exists(ids);
      // Exactly these members, no more and no fewer.
      return sql<boolean>`(${MEMBER_COUNT} = ${ids.length} and (select count(*) from stream_members m where m.cid = c.cid and m.user_id in (${ids.length ? sql.join(ids) : sql`null`})) = ${ids.length})`;
    default:
      throw fail.input(OPERATION, `operator ${operator} is not supported for field members`);
  }
}

export interface FilterScope {
  /** The user the query runs for (client token, or `user_id` on a server query). */
  viewerId?: string;
}

export function compileChannelFilter(filter: unknown, scope: FilterScope): Condition {
  const parts: Condition[] = [];
  for (const [field, value] of Object.entries(asObject(filter))) {
    if (field === '$and' || field === '$or' || field === '$nor') {
      const children = (Array.isArray(value) ? value : []).map((child) => compileChannelFilter(child, scope));
      if (field === '$and') parts.push(and(children));
      else if (field === '$or') parts.push(or(children));
      else parts.push(sql<boolean>`not ${or(children)}`);
      continue;
    }
    for (const [operator, operand] of operators(value)) {
      parts.push(fieldCondition(field, operator, operand, scope));
    }
  }
  return and(parts);
}

function fieldCondition(field: string, operator: string, value: unknown, scope: FilterScope): Condition {
  if (field === 'members') return membersCondition(operator, value);
  if (field === 'joined') {
    if (!scope.viewerId) throw fail.input(OPERATION, 'the joined filter needs a user');
    const joined = sql<boolean>`exists (select 1 from stream_members j where j.cid = c.cid and j.user_id = ${scope.viewerId})`;
    return value ? joined : sql<boolean>`not ${joined}`;
  }
  // Neither hidden channels, mutes nor disabling exist in the emulator: every channel is visible.
  if (field === 'hidden' || field === 'muted' || field === 'disabled') {
    return operator === '$eq' && value === true ? FALSE : TRUE;
  }
  if (field === 'frozen') return compare(sql`c.frozen`, operator, Boolean(value), field);
  if (field === 'member_count') {
    const numbers = (Array.isArray(value) ? value : [value]).every((item) => Number.isInteger(item));
    if (operator !== '$exists' && !numbers)
      throw fail.input(OPERATION, 'member_count must be compared to integers');
    return compare(MEMBER_COUNT, operator, value, field);
  }
  const timestamp = TIMESTAMP_FIELDS[field];
  if (timestamp) {
    if (operator === '$exists') return compare(timestamp, operator, value, field);
    const operand = Array.isArray(value) ? value.map((item) => toDate(item, field)) : toDate(value, field);
    return compare(timestamp, operator, operand, field);
  }
  const text = TEXT_FIELDS[field];
  if (text) return compare(text, operator, value, field);
  // A custom field: compare as text, or as JSON for non-string values.
  if (typeof value === 'string' || operator === '$autocomplete' || operator === '$exists') {
    return compare(sql`(c.data ->> ${field})`, operator, value, field);
  }
  if (Array.isArray(value)) {
    return compare(
      sql`(c.data -> ${field})`,
      operator,
      value.map((item) => sql`cast(${JSON.stringify(item)} as jsonb)`),
      field,
    );
  }
  return compare(sql`(c.data -> ${field})`, operator, sql`cast(${JSON.stringify(value)} as jsonb)`, field);
}

export interface SortField {
  expression: RawBuilder<unknown>;
  direction: 'asc' | 'desc';
}

/** `sort: [{field, direction}]`; the default is `last_updated` descending, as on Stream. */
export function compileChannelSort(sort: unknown): SortField[] {
  const fields = (Array.isArray(sort) ? sort : []).map((entry) => asObject(entry));
  const compiled: SortField[] = [];
  for (const entry of fields) {
    const field = entry.field;
    if (typeof field !== 'string') continue;
    const direction = Number(entry.direction) === 1 ? 'asc' : 'desc';
    const expression =
      TIMESTAMP_FIELDS[field] ??
      TEXT_FIELDS[field] ??
      (field === 'member_count' ? MEMBER_COUNT : sql`(c.data ->> ${field})`);
    compiled.push({ expression, direction });
  }
  if (compiled.length === 0) compiled.push({ expression: TIMESTAMP_FIELDS.last_updated!, direction: 'desc' });
  return compiled;
}
