// Story fixtures: a HubClient whose `fetch` answers from canned JSON, so the catalogue needs no running hub.
// This is not a test double: stories only show states; the browser tests run against the real hub.
import { HubClient } from '@teacher-hub/core';
import type { FetchLike, Roster } from '@teacher-hub/core';
import type { ErrorBody } from '@teacher-hub/protocol';

export const STORY_SERVER = 'https://hub.example.edu';

/** Who is signed in, in a story. */
export interface StoryUser {
  id: string;
  name: string;
  role: 'teacher' | 'student';
}

export const ADA_USER = { id: 't-ada', name: 'Ada Lovelace', role: 'teacher' } as const satisfies StoryUser;
export const AMARA_USER = { id: 's-01', name: 'Amara Okafor', role: 'student' } as const satisfies StoryUser;

/**
 * An unsigned JWT-shaped token naming `user`: the client reads who is signed in (and so the role an element
 * shows) from its claims without verifying them, so no story needs `GET /v1/me`.
 */
export function storyToken(user: StoryUser): string {
  const encode = (value: unknown): string =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, name: user.name, role: user.role })}.story`;
}

export interface CannedHubOptions {
  /** Who is signed in. Default: Ada, a teacher. */
  user?: StoryUser;
  roster?: Roster;
  /** Answer `GET /v1/roster` after this long. */
  latencyMs?: number;
  /** Fail this many roster calls with the given status before answering. */
  failures?: number;
  failureStatus?: number;
  /** Never answer the roster: the loading state. */
  hang?: boolean;
  /** More GET routes, by path, and the JSON they answer with. */
  routes?: Record<string, unknown>;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * A hub's `fetch` for `options.user`: it answers `GET /v1/me` (that user), `GET /v1/roster` (with the
 * latency, failures and hang asked for) and the GET `routes` given, and 404 to anything else.
 */
export function cannedHubFetch(options: CannedHubOptions): FetchLike {
  let failuresLeft = options.failures ?? 0;
  const user = options.user ?? ADA_USER;
  return async (input, init) => {
    const path = new URL(input).pathname;
    if (path === '/v1/me') return json(200, { user: { id: user.id, name: user.name, role: user.role } });
    const route = (init?.method ?? 'GET') === 'GET' ? options.routes?.[path] : undefined;
    if (route !== undefined) return json(200, route);
    if (path !== '/v1/roster') return json(404, errorBody('NOT_FOUND', 'Not in this story.'));
    if (options.hang) return new Promise<Response>(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 250));
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return json(
        options.failureStatus ?? 503,
        errorBody('UNAVAILABLE', 'The hub is restarting. Try again.'),
      );
    }
    return json(200, options.roster ?? (user.role === 'student' ? STUDENT_ROSTER : { courses: [] }));
  };
}

/** A client signed in as `options.user` (default: Ada) whose hub is `cannedHubFetch(options)`. */
export function cannedClient(options: CannedHubOptions): HubClient {
  return new HubClient({
    server: STORY_SERVER,
    token: storyToken(options.user ?? ADA_USER),
    fetch: cannedHubFetch(options),
  });
}

function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message, requestId: 'req_7f3a9c2e' } };
}

/** The demo directory's view for Ada (CONTRACT.md), with made-up names. */
export const ADA_ROSTER: Roster = {
  courses: [
    {
      id: 'algebra-1',
      name: 'Algebra I',
      students: [
        { id: 's-01', name: 'Amara Okafor' },
        { id: 's-02', name: 'Ben Carter' },
        { id: 's-03', name: 'Chloé Dubois' },
        { id: 's-04', name: 'Diego Ramírez' },
        { id: 's-05', name: 'Emma Schmidt' },
      ],
    },
    {
      id: 'biology-1',
      name: 'Biology',
      students: [
        { id: 's-04', name: 'Diego Ramírez' },
        { id: 's-05', name: 'Emma Schmidt' },
        { id: 's-06', name: 'Farah Haddad' },
        { id: 's-07', name: 'Gustav Lindqvist' },
        { id: 's-08', name: 'Hana Sato' },
      ],
    },
  ],
};

/** A student's view of the directory: her courses, each with its teachers (CONTRACT.md). */
export const STUDENT_ROSTER: Roster = {
  courses: [{ id: 'algebra-1', name: 'Algebra I', students: [{ id: 't-ada', name: 'Ada Lovelace' }] }],
};

const FIRST = [
  'Aiko',
  'Bruno',
  'Carmen',
  'Dmitri',
  'Esther',
  'Felix',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Nikolai',
  'Olivia',
  'Pedro',
  'Quinn',
  'Rosa',
  'Samir',
  'Tove',
  'Uma',
  'Victor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoë',
];
const LAST = [
  'Abe',
  'Brennan',
  'Costa',
  'Dlamini',
  'Eriksen',
  'Fischer',
  'García',
  'Hoang',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lund',
  'Moreau',
  'Nakamura',
  'Osei',
  'Petrov',
  'Quispe',
  'Rossi',
  'Singh',
  'Tanaka',
];

/**
 * `courses` courses of `perCourse` students each; consecutive courses share a quarter of their students,
 * as real timetables do.
 */
export function largeRoster(courses = 3, perCourse = 40): Roster {
  const names = [
    'Geometry',
    'Chemistry',
    'World History',
    'Literature',
    'Physics',
    'Music',
    'Art',
    'Spanish',
  ];
  const shared = Math.floor(perCourse / 4);
  return {
    courses: Array.from({ length: courses }, (_, c) => ({
      id: `course-${c + 1}`,
      name: `${names[c % names.length]}${c >= names.length ? ` ${Math.floor(c / names.length) + 1}` : ''}`,
      students: Array.from({ length: perCourse }, (_, i) => {
        const n = c * (perCourse - shared) + i;
        return {
          id: `s-${String(n + 1).padStart(4, '0')}`,
          name: `${FIRST[n % FIRST.length]} ${LAST[(n * 7 + Math.floor(n / FIRST.length)) % LAST.length]}`,
        };
      }),
    })),
  };
}
