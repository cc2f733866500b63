/**
 * A hub under test for the server benches: its own process (`node --import tsx server/src/main.ts`, as
 * `npm start` runs it), production identity (HS256 tokens the bench signs, as an LMS would), the rate
 * limits off (a bench is one client's flood; the limits have their own tests), and production's database:
 * PostgreSQL, in a fresh schema, at `BENCH_DATABASE_URL` (or `TEST_DATABASE_URL`, or else the local server
 * `postgres://postgres@127.0.0.1:5432/test` when it answers). Dev mode's PGlite in memory when none does, or
 * with `BENCH_DATABASE_URL=pglite`. Rows say which in their details.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DirectorySync } from '@teacher-hub/protocol';
import { startHubProcess, type HubProcess } from '../../server/src/testing/hub-process.ts';
import { claimsFor, signWithSecret } from '../../server/src/testing/tokens.ts';
import { waitUntilQuiet } from '../../tests/soak/support/proc-stats.ts';

export const IDENTITY = {
  HUB_JWT_SECRET: 'the-lms-and-the-hub-share-this-secret-for-the-benchmarks',
  HUB_JWT_ISSUER: 'https://lms.example.edu',
  HUB_JWT_AUDIENCE: 'teacher-hub',
  HUB_ADMIN_KEY: 'admin-key-for-the-benchmarks-0123456789',
} as const;

const NO_RATE_LIMITS = {
  HUB_RATE_LIMIT_TOKEN: '0/0',
  HUB_RATE_LIMIT_CHAT_CREATE: '0/0',
  HUB_RATE_LIMIT_CALL: '0/0',
  HUB_RATE_LIMIT_TEST_NOTIFICATION: '0/0',
} as const;

export interface BenchUser {
  id: string;
  name: string;
  role: 'teacher' | 'student';
}

export interface BenchHub {
  url: string;
  process: HubProcess;
  /** `pglite (in memory)` or `postgresql (schema …)`: for the rows' details. */
  database: string;
  token(user: BenchUser): Promise<string>;
  /** A JSON request with a bearer token; throws with the answer on anything but 2xx. */
  call<T = Record<string, unknown>>(
    path: string,
    init: { method: string; token: string; body?: unknown },
  ): Promise<T>;
  stop(): Promise<void>;
}

/** The PostgreSQL a machine with one usually has (CI's and these machines' own, trust auth). */
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

let databaseUrl: Promise<string | undefined> | undefined;

/** The PostgreSQL the benches use (see the top of this file); undefined means PGlite. Asked once. */
export function benchDatabaseUrl(): Promise<string | undefined> {
  databaseUrl ??= (async () => {
    const asked = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
    if (asked === 'pglite') return undefined;
    if (asked) return asked;
    const client = new pg.Client({ connectionString: LOCAL_POSTGRES, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      return LOCAL_POSTGRES;
    } catch {
      return undefined;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return databaseUrl;
}

export async function startBenchHub(env: Record<string, string> = {}): Promise<BenchHub> {
  const url = await benchDatabaseUrl();
  const schema = url ? await createSchema(url) : undefined;
  let hub: HubProcess;
  try {
    hub = await startHubProcess({
      ...IDENTITY,
      ...NO_RATE_LIMITS,
      ...(schema ? { DATABASE_URL: schema.url } : { HUB_DATA_DIR: 'memory' }),
      ...env,
    });
  } catch (error) {
    await schema?.drop();
    throw error;
  }
  const call: BenchHub['call'] = async (path, init) => {
    const response = await fetch(`${hub.url}${path}`, {
      method: init.method,
      headers: { Authorization: `Bearer ${init.token}`, 'Content-Type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as never;
  };
  return {
    url: hub.url,
    process: hub,
    database: schema ? `postgresql (schema ${schema.name})` : 'pglite (in memory)',
    token: (user) =>
      signWithSecret(
        IDENTITY.HUB_JWT_SECRET,
        claimsFor(user, { issuer: IDENTITY.HUB_JWT_ISSUER, audience: IDENTITY.HUB_JWT_AUDIENCE }),
      ),
    call,
    async stop() {
      await hub.stop();
      await schema?.drop();
    },
  };
}

/** A teacher and `count` students, all enrolled in one course. */
export function classOf(prefix: string, count: number): { teacher: BenchUser; students: BenchUser[] } {
  const teacher: BenchUser = { id: `${prefix}-teacher`, name: 'Lecturer Lovelace', role: 'teacher' };
  const students = Array.from({ length: count }, (_, index): BenchUser => {
    const number = String(index + 1).padStart(4, '0');
    return { id: `${prefix}-s-${number}`, name: `Student ${number}`, role: 'student' };
  });
  return { teacher, students };
}

/** Syncs the class into the hub's directory as the LMS does (`PUT /v1/admin/directory`). */
export async function syncClass(
  hub: BenchHub,
  course: string,
  people: { teacher: BenchUser; students: readonly BenchUser[] },
): Promise<void> {
  const directory: DirectorySync = {
    users: [people.teacher, ...people.students].map((user) => ({ ...user, email: null })),
    courses: [{ id: course, name: `Course ${course}` }],
    enrollments: [
      { courseId: course, userId: people.teacher.id, role: 'teacher' },
      ...people.students.map((student) => ({
        courseId: course,
        userId: student.id,
        role: 'student' as const,
      })),
    ],
  };
  await hub.call('/v1/admin/directory', { method: 'PUT', token: IDENTITY.HUB_ADMIN_KEY, body: directory });
}

/** POST /v1/chats and POST /v1/chats/:id/members take at most this many users per call. */
const MEMBERS_PER_CALL = 200;

/** A group chat of the teacher and every student, created as the teacher (200 members per request). */
export async function createGroupChat(
  hub: BenchHub,
  teacherToken: string,
  students: readonly BenchUser[],
): Promise<string> {
  const ids = students.map((student) => student.id);
  const created = await hub.call<{ chat: { id: string } }>('/v1/chats', {
    method: 'POST',
    token: teacherToken,
    body: { name: 'Everyone', memberIds: ids.slice(0, MEMBERS_PER_CALL) },
  });
  for (let from = MEMBERS_PER_CALL; from < ids.length; from += MEMBERS_PER_CALL) {
    await hub.call(`/v1/chats/${created.chat.id}/members`, {
      method: 'POST',
      token: teacherToken,
      body: { userIds: ids.slice(from, from + MEMBERS_PER_CALL) },
    });
  }
  return created.chat.id;
}

/** What `classChat` set up: the class, the teacher's hub token and the group chat of all of them. */
export interface ClassChat {
  people: { teacher: BenchUser; students: BenchUser[] };
  teacherToken: string;
  chatId: string;
}

/**
 * A class of `count` students synced into the hub and a group chat of them all, made by the teacher. With
 * `settle`, waits until the hub process is idle again (the chat's webhooks and `chat.added` deliveries run
 * on after the requests answered), so what is measured next does not share the CPU with them.
 */
export async function classChat(
  hub: BenchHub,
  prefix: string,
  count: number,
  options: { settle?: boolean } = {},
): Promise<ClassChat> {
  const people = classOf(prefix, count);
  await syncClass(hub, `${prefix}-course`, people);
  const teacherToken = await hub.token(people.teacher);
  const chatId = await createGroupChat(hub, teacherToken, people.students);
  if (options.settle) {
    await waitUntilQuiet(hub.process.process.pid as number, {
      belowPercent: 10,
      windowMs: 1_000,
      timeoutMs: 60_000,
    });
  }
  return { people, teacherToken, chatId };
}

interface Schema {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh schema, so a bench never meets another run's tables (or a developer's hub) in a shared database. */
async function createSchema(databaseUrl: string): Promise<Schema> {
  const name = `hub_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create schema ${name}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { url: url.toString(), name, drop: () => run(`drop schema if exists ${name} cascade`) };
}
