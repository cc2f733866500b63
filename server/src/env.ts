import { existsSync } from 'node:fs';
import type { Mode } from '@teacher-hub/protocol';
import { z } from 'zod';
import type { RateLimit, RateLimitConfig } from './domain/abuse/rate-limiter.ts';

/**
 * All configuration of the hub: one zod schema over the environment, a typed `HubConfig` out of it, and
 * `CONFIG_VARIABLES`, the documented list the README's configuration table is generated from.
 *
 * The mode is `dev` when no identity is configured (neither `HUB_JWT_SECRET` nor `HUB_JWKS_URL`), else
 * `production`. A wrong value, or a provider configured only in part, stops the boot with a `ConfigError`
 * that names every offending variable at once.
 */

export const DEFAULTS = {
  PORT: 8787,
  HUB_DATA_DIR: './.hub-data',
  HUB_JWT_ALGORITHMS: 'RS256',
  DEV_ADMIN_KEY: 'dev-admin-key',
  DEV_ALLOWED_ORIGINS: 'http://localhost:*,http://127.0.0.1:*',
  HUB_MAX_BODY_BYTES: 1024 * 1024,
  HUB_ADMIN_MAX_BODY_BYTES: 32 * 1024 * 1024,
  HMS_API_URL: 'https://api.100ms.live/v2',
  HMS_TEACHER_ROLE: 'teacher',
  HMS_STUDENT_ROLE: 'student',
  APNS_HOST: 'api.push.apple.com',
  SMTP_FROM: 'Teacher Hub <no-reply@localhost>',
  HUB_RING_TIMEOUT_S: 30,
  HUB_REMINDER_LEAD_MIN: 15,
  HUB_JOB_LEASE_S: 30,
  HUB_TRUST_PROXY: 0,
  HUB_RATE_LIMIT_WINDOW_S: 60,
  HUB_RATE_LIMIT_TOKEN: '60/3000',
  HUB_RATE_LIMIT_CHAT_CREATE: '30/600',
  HUB_RATE_LIMIT_CALL: '20/300',
  HUB_RATE_LIMIT_TEST_NOTIFICATION: '10/200',
  HUB_STREAM_TOKEN_TTL_S: 3600,
  HUB_MESH_TOKEN_TTL_S: 7200,
} as const;

/** Asymmetric algorithms a JWKS may pin. Symmetric ones and `none` are never accepted from a key set. */
export const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export type ConfigGroup =
  | 'server'
  | 'storage'
  | 'identity'
  | 'http'
  | 'chat'
  | 'video'
  | 'web push'
  | 'mobile push'
  | 'email'
  | 'scheduling';

export interface ConfigVariable {
  name: string;
  group: ConfigGroup;
  /** The default as the README shows it; `null` when there is none. */
  default: string | null;
  description: string;
  /** What dev mode does with it. */
  dev: string;
  /** What production does with it. */
  production: string;
  /** Never print its value. */
  secret: boolean;
}

const variable = (
  name: string,
  group: ConfigGroup,
  defaultValue: string | number | null,
  description: string,
  modes: { dev?: string; production?: string; secret?: boolean } = {},
): ConfigVariable => ({
  name,
  group,
  default: defaultValue === null ? null : String(defaultValue),
  description,
  dev: modes.dev ?? 'optional',
  production: modes.production ?? 'optional',
  secret: modes.secret ?? false,
});

const allOrNothing = 'optional; all of the group or none';

/** Every variable the hub reads, in the order the README lists them. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  variable('PORT', 'server', DEFAULTS.PORT, 'HTTP port (0 picks a free one).'),
  variable(
    'HOST',
    'server',
    null,
    'Interface to listen on; unset listens on every interface (IPv4 and IPv6).',
  ),
  variable(
    'HUB_PUBLIC_URL',
    'server',
    'http://localhost:$PORT',
    'The URL browsers reach the hub at (links in emails, calendar feeds).',
  ),
  variable(
    'HUB_DATA_DIR',
    'storage',
    DEFAULTS.HUB_DATA_DIR,
    'Where embedded PostgreSQL (PGlite) keeps its data, relative to the working directory; `memory` keeps nothing.',
    { production: 'optional; ignored when DATABASE_URL is set' },
  ),
  variable(
    'DATABASE_URL',
    'storage',
    null,
    'PostgreSQL connection URL (`postgres://…`); replaces PGlite. Needed to run several instances.',
    { secret: true },
  ),
  variable(
    'HUB_JWT_SECRET',
    'identity',
    null,
    'Shared secret (≥ 32 characters) the LMS signs hub tokens with, HS256. Setting it (or HUB_JWKS_URL) means production.',
    { dev: 'unset (dev tokens from POST /v1/dev/token)', production: 'this or HUB_JWKS_URL', secret: true },
  ),
  variable(
    'HUB_JWKS_URL',
    'identity',
    null,
    "URL of the LMS's JSON Web Key Set for RS256/ES256 hub tokens. Setting it (or HUB_JWT_SECRET) means production.",
    { dev: 'unset', production: 'this or HUB_JWT_SECRET' },
  ),
  variable(
    'HUB_JWT_ALGORITHMS',
    'identity',
    DEFAULTS.HUB_JWT_ALGORITHMS,
    `Comma-separated algorithms accepted from the JWKS (${JWKS_ALGORITHMS.join(', ')}).`,
    { dev: 'unset', production: 'optional, with HUB_JWKS_URL only' },
  ),
  variable('HUB_JWT_ISSUER', 'identity', null, 'The `iss` every hub token must carry.', {
    dev: 'unset (dev tokens use teacher-hub-dev)',
    production: 'required',
  }),
  variable('HUB_JWT_AUDIENCE', 'identity', null, 'The `aud` every hub token must carry.', {
    dev: 'unset (dev tokens use teacher-hub)',
    production: 'required',
  }),
  variable(
    'HUB_ADMIN_KEY',
    'identity',
    DEFAULTS.DEV_ADMIN_KEY,
    'Bearer key (≥ 24 characters) for the admin API (`PUT /v1/admin/directory`).',
    { dev: 'optional; defaults to dev-admin-key, printed at boot', production: 'required', secret: true },
  ),
  variable(
    'HUB_ALLOWED_ORIGINS',
    'http',
    'dev: http://localhost:*, http://127.0.0.1:*; production: none',
    'Comma-separated origins whose pages may call the hub (CORS, with credentials); `:*` matches any port.',
  ),
  variable(
    'HUB_MAX_BODY_BYTES',
    'http',
    DEFAULTS.HUB_MAX_BODY_BYTES,
    'Largest request body; larger ones get 413.',
  ),
  variable(
    'HUB_ADMIN_MAX_BODY_BYTES',
    'http',
    DEFAULTS.HUB_ADMIN_MAX_BODY_BYTES,
    'Largest body of `PUT /v1/admin/directory` (a whole directory).',
  ),
  variable(
    'HUB_TRUST_PROXY',
    'http',
    DEFAULTS.HUB_TRUST_PROXY,
    'How many reverse proxies in front of the hub append to `X-Forwarded-For` (0–10; `true` is 1). 0 ignores the header: the client IP of the rate limits is the peer address.',
  ),
  variable(
    'HUB_RATE_LIMIT_WINDOW_S',
    'http',
    DEFAULTS.HUB_RATE_LIMIT_WINDOW_S,
    'The window of every rate limit, in seconds (1–86400). Counters live in the database, so instances share them.',
  ),
  variable(
    'HUB_RATE_LIMIT_TOKEN',
    'http',
    DEFAULTS.HUB_RATE_LIMIT_TOKEN,
    'Requests per window `per user/per IP` to the token routes (`POST /v1/chat/token`, `/v1/dev/token`, call and session joins); 0 for no limit. Over it: 429 with `Retry-After`. The IP budgets are large because a school often sits behind one address.',
  ),
  variable(
    'HUB_RATE_LIMIT_CHAT_CREATE',
    'http',
    DEFAULTS.HUB_RATE_LIMIT_CHAT_CREATE,
    'Requests per window `per user/per IP` to `POST /v1/chats` and `POST /v1/chats/direct`.',
  ),
  variable(
    'HUB_RATE_LIMIT_CALL',
    'http',
    DEFAULTS.HUB_RATE_LIMIT_CALL,
    'Requests per window `per user/per IP` to `POST /v1/chats/:id/calls`.',
  ),
  variable(
    'HUB_RATE_LIMIT_TEST_NOTIFICATION',
    'http',
    DEFAULTS.HUB_RATE_LIMIT_TEST_NOTIFICATION,
    'Requests per window `per user/per IP` to `POST /v1/notifications/test`.',
  ),
  variable('STREAM_API_KEY', 'chat', null, 'GetStream app key. Unset: the built-in GetStream emulator.', {
    production: allOrNothing,
  }),
  variable('STREAM_API_SECRET', 'chat', null, 'GetStream app secret.', {
    production: allOrNothing,
    secret: true,
  }),
  variable('STREAM_BASE_URL', 'chat', null, 'GetStream API base URL (a regional edge or a local fake).', {
    production: 'optional, with STREAM_API_KEY',
  }),
  variable(
    'HUB_STREAM_TOKEN_TTL_S',
    'chat',
    DEFAULTS.HUB_STREAM_TOKEN_TTL_S,
    'Lifetime of the GetStream user tokens the hub mints, in seconds (60–86400); clients fetch a new one before it ends.',
  ),
  variable(
    'HMS_ACCESS_KEY',
    'video',
    null,
    '100ms access key. Unset: the built-in WebRTC mesh (≤ 6 peers).',
    {
      production: allOrNothing,
    },
  ),
  variable('HMS_APP_SECRET', 'video', null, '100ms app secret.', { production: allOrNothing, secret: true }),
  variable('HMS_TEMPLATE_ID', 'video', null, '100ms template the hub creates rooms from.', {
    production: allOrNothing,
  }),
  variable('HMS_API_URL', 'video', DEFAULTS.HMS_API_URL, '100ms management API URL.'),
  variable(
    'HMS_TEACHER_ROLE',
    'video',
    DEFAULTS.HMS_TEACHER_ROLE,
    'The 100ms template role teachers join as.',
  ),
  variable(
    'HMS_STUDENT_ROLE',
    'video',
    DEFAULTS.HMS_STUDENT_ROLE,
    'The 100ms template role students join as.',
  ),
  variable(
    'HMS_WEBHOOK_SECRET',
    'video',
    null,
    'Secret (≥ 32 characters) 100ms sends in the `X-Hub-Webhook-Secret` header of its webhooks to `POST /v1/webhooks/100ms` (set both in its dashboard). Unset: webhooks are refused and rejoins after rule 9 go unchecked.',
    { production: 'optional, with HMS_ACCESS_KEY; recommended', secret: true },
  ),
  variable(
    'HUB_MESH_TOKEN_TTL_S',
    'video',
    DEFAULTS.HUB_MESH_TOKEN_TTL_S,
    'Lifetime of the mesh join tokens (dev mode’s video), in seconds (60–86400); clients fetch a new one before it ends.',
  ),
  variable(
    'VAPID_PUBLIC_KEY',
    'web push',
    null,
    'Web push VAPID public key (base64url). Unset: a key pair is generated once and stored.',
    { production: allOrNothing },
  ),
  variable('VAPID_PRIVATE_KEY', 'web push', null, 'Web push VAPID private key (base64url).', {
    production: allOrNothing,
    secret: true,
  }),
  variable('VAPID_SUBJECT', 'web push', null, 'Contact for push services: a `mailto:` or `https:` URL.', {
    production: allOrNothing,
  }),
  variable(
    'FCM_SERVICE_ACCOUNT',
    'mobile push',
    null,
    'Firebase service account: its JSON, or the path of its JSON file. Unset: no FCM.',
    { secret: true },
  ),
  variable(
    'APNS_KEY_FILE',
    'mobile push',
    null,
    'Path of the APNs token key (`AuthKey_<id>.p8`). Unset: no APNs.',
    {
      production: allOrNothing,
    },
  ),
  variable('APNS_KEY_ID', 'mobile push', null, 'The 10-character id of the APNs key.', {
    production: allOrNothing,
  }),
  variable('APNS_TEAM_ID', 'mobile push', null, 'The 10-character Apple team id.', {
    production: allOrNothing,
  }),
  variable('APNS_TOPIC', 'mobile push', null, "The iOS app's bundle id.", { production: allOrNothing }),
  variable(
    'APNS_HOST',
    'mobile push',
    DEFAULTS.APNS_HOST,
    'APNs host[:port] (`api.sandbox.push.apple.com` for development builds).',
  ),
  variable(
    'SMTP_URL',
    'email',
    null,
    'SMTP server (`smtp://user:pass@host:587` or `smtps://…`). Unset: dev mailbox.',
    {
      secret: true,
    },
  ),
  variable('SMTP_FROM', 'email', DEFAULTS.SMTP_FROM, 'The From of every email.', {
    production: 'optional, with SMTP_URL',
  }),
  variable(
    'HUB_RING_TIMEOUT_S',
    'scheduling',
    DEFAULTS.HUB_RING_TIMEOUT_S,
    'How long an instant call rings, in seconds (5–600).',
  ),
  variable(
    'HUB_REMINDER_LEAD_MIN',
    'scheduling',
    DEFAULTS.HUB_REMINDER_LEAD_MIN,
    'Minutes before each session occurrence that its reminder goes out (0–1440).',
  ),
  variable(
    'HUB_JOB_LEASE_S',
    'scheduling',
    DEFAULTS.HUB_JOB_LEASE_S,
    'Seconds an instance holds a claimed job before another instance may take it over (1–60).',
  ),
];

/** The configuration table of the README, generated from `CONFIG_VARIABLES`. */
export function configTableMarkdown(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = CONFIG_VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === null ? '—' : `\`${cell(v.default)}\``} | ${cell(v.description)} | ${cell(v.dev)} | ${cell(v.production)} |`,
  );
  return ['| variable | default | what | dev mode | production |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

export interface HubConfig {
  mode: Mode;
  server: { port: number; host: string | undefined; publicUrl: string };
  storage: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  identity:
    | { kind: 'dev' }
    | { kind: 'secret'; secret: string; issuer: string; audience: string }
    | { kind: 'jwks'; url: URL; algorithms: string[]; issuer: string; audience: string };
  admin: { key: string; isDevDefault: boolean };
  http: {
    /** Exact origins, or `scheme://host:*` patterns that match any port. */
    allowedOrigins: string[];
    maxBodyBytes: number;
    maxAdminBodyBytes: number;
    /** Reverse proxies trusted to append the client's address to `X-Forwarded-For`; 0 ignores it. */
    trustProxyHops: number;
  };
  rateLimits: RateLimitConfig;
  /** Lifetimes of the provider tokens the hub mints for clients. */
  tokenTtlSeconds: { stream: number; mesh: number };
  stream: { apiKey: string; apiSecret: string; baseUrl: string | undefined } | null;
  hms: {
    accessKey: string;
    appSecret: string;
    templateId: string;
    apiUrl: string;
    teacherRole: string;
    studentRole: string;
    /** What 100ms's webhooks carry in `X-Hub-Webhook-Secret`; null: `POST /v1/webhooks/100ms` refuses all. */
    webhookSecret: string | null;
  } | null;
  vapid: { publicKey: string; privateKey: string; subject: string } | null;
  /** In the shape of the FCM provider's options: a file, or the three fields of an inline JSON. */
  fcm: { serviceAccountFile: string } | { projectId: string; clientEmail: string; privateKey: string } | null;
  apns: {
    keyFile: string;
    keyId: string;
    teamId: string;
    topic: string;
    host: string;
    port: number | undefined;
  } | null;
  smtp: { url: string; from: string } | null;
  ringTimeoutSeconds: number;
  reminderLeadMinutes: number;
  /** How long a claimed job is an instance's before another may take it over (DESIGN.md "Scale-out"). */
  jobLeaseSeconds: number;
  /** Things worth a line at boot that do not stop it (an unknown `HUB_*` variable, most likely a typo). */
  warnings: string[];
}

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** A configuration the hub refuses to start with; the message lists every problem by variable name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      [
        'The hub cannot start with this configuration:',
        ...issues.map((issue) => `  - ${issue.variable}: ${issue.message}`),
      ].join('\n'),
    );
  }
}

// ---- the schema -------------------------------------------------------------------------------------

const text = z.string();
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const origin = /^https?:\/\/(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:(\d{1,5}|\*))?$/;
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim().replace(/\/$/, ''))
      .filter(Boolean),
  )
  .superRefine((entries, ctx) => {
    for (const entry of entries.filter((entry) => !origin.test(entry))) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an origin (scheme://host[:port], or :* for any port)`,
      });
    }
  });
const proxyHops = z
  .string()
  .transform((value) => (value === 'true' ? '1' : value === 'false' ? '0' : value))
  .pipe(wholeNumber(0, 10));
/** `per user/per IP` requests per window, e.g. `60/600`; 0 for no limit on that side. */
const rateLimit = z
  .string()
  .regex(/^\d{1,7}\/\d{1,7}$/, 'must be "<per user>/<per IP>", e.g. 60/600 (0 for no limit)')
  .transform((value): RateLimit => {
    const [perUser, perIp] = value.split('/').map(Number);
    return { perUser: perUser ?? 0, perIp: perIp ?? 0 };
  });
const parseRateLimit = (value: string): RateLimit => rateLimit.parse(value);
const base64url = (bytes: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}={0,2}$`),
      `must be ${bytes} bytes, base64url`,
    );
const appleId = z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character id Apple shows (A–Z, 0–9)');

const envSchema = z
  .object({
    PORT: wholeNumber(0, 65535).optional(),
    HOST: text.optional(),
    HUB_PUBLIC_URL: httpUrl.optional(),
    HUB_DATA_DIR: text.optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
    HUB_JWT_SECRET: text.min(32, 'must be at least 32 characters').optional(),
    HUB_JWKS_URL: httpUrl.optional(),
    HUB_JWT_ALGORITHMS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.enum(JWKS_ALGORITHMS, { error: `each must be one of ${JWKS_ALGORITHMS.join(', ')}` }))
          .min(1, 'must name at least one algorithm'),
      )
      .optional(),
    HUB_JWT_ISSUER: text.optional(),
    HUB_JWT_AUDIENCE: text.optional(),
    HUB_ADMIN_KEY: text.min(24, 'must be at least 24 characters').optional(),
    HUB_ALLOWED_ORIGINS: originList.optional(),
    HUB_MAX_BODY_BYTES: wholeNumber(1024, 1024 ** 3).optional(),
    HUB_ADMIN_MAX_BODY_BYTES: wholeNumber(1024, 1024 ** 3).optional(),
    STREAM_API_KEY: text.optional(),
    STREAM_API_SECRET: text.optional(),
    STREAM_BASE_URL: httpUrl.optional(),
    HMS_ACCESS_KEY: text.optional(),
    HMS_APP_SECRET: text.optional(),
    HMS_TEMPLATE_ID: text.optional(),
    HMS_API_URL: httpUrl.optional(),
    HMS_TEACHER_ROLE: text.optional(),
    HMS_STUDENT_ROLE: text.optional(),
    HMS_WEBHOOK_SECRET: text.min(32, 'must be at least 32 characters').optional(),
    VAPID_PUBLIC_KEY: base64url(65).optional(),
    VAPID_PRIVATE_KEY: base64url(32).optional(),
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/, 'must be a mailto: address or an https:// URL')
      .optional(),
    FCM_SERVICE_ACCOUNT: text.transform(parseServiceAccount).optional(),
    APNS_KEY_FILE: text.refine(existsSync, 'no such file').optional(),
    APNS_KEY_ID: appleId.optional(),
    APNS_TEAM_ID: appleId.optional(),
    APNS_TOPIC: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a bundle id such as edu.example.hub')
      .optional(),
    APNS_HOST: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host or host:port, without a scheme')
      .optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    SMTP_FROM: text.optional(),
    HUB_RING_TIMEOUT_S: wholeNumber(5, 600).optional(),
    HUB_REMINDER_LEAD_MIN: wholeNumber(0, 1440).optional(),
    HUB_JOB_LEASE_S: wholeNumber(1, 60).optional(),
    HUB_TRUST_PROXY: proxyHops.optional(),
    HUB_RATE_LIMIT_WINDOW_S: wholeNumber(1, 86400).optional(),
    HUB_RATE_LIMIT_TOKEN: rateLimit.optional(),
    HUB_RATE_LIMIT_CHAT_CREATE: rateLimit.optional(),
    HUB_RATE_LIMIT_CALL: rateLimit.optional(),
    HUB_RATE_LIMIT_TEST_NOTIFICATION: rateLimit.optional(),
    HUB_STREAM_TOKEN_TTL_S: wholeNumber(60, 86400).optional(),
    HUB_MESH_TOKEN_TTL_S: wholeNumber(60, 86400).optional(),
  })
  .superRefine((env, ctx) => {
    const issue = (variable: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [variable], message });
    const has = (name: keyof typeof env) => env[name] !== undefined;
    const production = has('HUB_JWT_SECRET') || has('HUB_JWKS_URL');

    if (has('HUB_JWT_SECRET') && has('HUB_JWKS_URL')) {
      issue('HUB_JWKS_URL', 'set HUB_JWT_SECRET (HS256) or HUB_JWKS_URL (RS256/ES256), not both');
    }
    if (has('HUB_JWT_ALGORITHMS') && !has('HUB_JWKS_URL')) {
      issue(
        'HUB_JWT_ALGORITHMS',
        has('HUB_JWT_SECRET')
          ? 'applies to HUB_JWKS_URL only; with HUB_JWT_SECRET the algorithm is HS256'
          : 'is set but HUB_JWKS_URL is not',
      );
    }
    if (production) {
      for (const name of ['HUB_JWT_ISSUER', 'HUB_JWT_AUDIENCE', 'HUB_ADMIN_KEY'] as const) {
        if (!has(name)) issue(name, 'is required in production (HUB_JWT_SECRET or HUB_JWKS_URL is set)');
      }
    } else {
      // Without an identity secret the hub runs in dev mode and mints tokens for anyone: refuse to do
      // that silently when the rest of a production identity is configured.
      for (const name of ['HUB_JWT_ISSUER', 'HUB_JWT_AUDIENCE'] as const) {
        if (has(name)) {
          issue(
            name,
            'is set, but neither HUB_JWT_SECRET nor HUB_JWKS_URL is: set one of them, or unset it for dev mode',
          );
        }
      }
    }

    const group = (label: string, required: (keyof typeof env)[], optional: (keyof typeof env)[] = []) => {
      const present = required.filter(has);
      if (present.length > 0 && present.length < required.length) {
        for (const name of required.filter((name) => !has(name))) {
          issue(
            name,
            `is required when ${present.join(' and ')} ${present.length > 1 ? 'are' : 'is'} set (${label} needs ${required.join(', ')})`,
          );
        }
      }
      if (present.length === 0) {
        for (const name of optional.filter(has)) {
          issue(
            name,
            `is set, but ${required.join(', ')} ${required.length > 1 ? 'are' : 'is'} not (${label})`,
          );
        }
      }
    };
    group('GetStream', ['STREAM_API_KEY', 'STREAM_API_SECRET'], ['STREAM_BASE_URL']);
    group(
      '100ms',
      ['HMS_ACCESS_KEY', 'HMS_APP_SECRET', 'HMS_TEMPLATE_ID'],
      ['HMS_API_URL', 'HMS_TEACHER_ROLE', 'HMS_STUDENT_ROLE', 'HMS_WEBHOOK_SECRET'],
    );
    group('web push', ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT']);
    group('APNs', ['APNS_KEY_FILE', 'APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC'], ['APNS_HOST']);
    group('email', ['SMTP_URL'], ['SMTP_FROM']);
  });

type ServiceAccount = NonNullable<HubConfig['fcm']>;

function parseServiceAccount(value: string, ctx: z.RefinementCtx): ServiceAccount {
  if (!value.startsWith('{')) {
    if (!existsSync(value))
      ctx.addIssue({ code: 'custom', message: 'is neither service account JSON nor an existing file' });
    return { serviceAccountFile: value };
  }
  try {
    const json = JSON.parse(value) as Record<string, unknown>;
    const field = (name: string) =>
      typeof json[name] === 'string' && json[name] !== '' ? json[name] : undefined;
    const projectId = field('project_id');
    const clientEmail = field('client_email');
    const privateKey = field('private_key');
    if (projectId && clientEmail && privateKey) return { projectId, clientEmail, privateKey };
    ctx.addIssue({
      code: 'custom',
      message: 'the service account JSON needs project_id, client_email and private_key',
    });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'starts with "{" but is not valid JSON' });
  }
  return { serviceAccountFile: '' };
}

// ---- loading ----------------------------------------------------------------------------------------

const KNOWN = new Set(CONFIG_VARIABLES.map((v) => v.name));

/**
 * Reads the configuration from an environment (main.ts passes `process.env`; tests pass a plain object).
 * Empty values count as unset. Throws `ConfigError` naming every offending variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): HubConfig {
  const raw: Record<string, string> = {};
  for (const name of KNOWN) {
    const value = env[name]?.trim();
    if (value) raw[name] = value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'configuration'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const mode: Mode = e.HUB_JWT_SECRET || e.HUB_JWKS_URL ? 'production' : 'dev';
  const port = e.PORT ?? DEFAULTS.PORT;

  // The schema made issuer and audience required whenever a secret or a key set is configured.
  const issuer = e.HUB_JWT_ISSUER ?? '';
  const audience = e.HUB_JWT_AUDIENCE ?? '';
  let identity: HubConfig['identity'] = { kind: 'dev' };
  if (e.HUB_JWT_SECRET) {
    identity = { kind: 'secret', secret: e.HUB_JWT_SECRET, issuer, audience };
  } else if (e.HUB_JWKS_URL) {
    identity = {
      kind: 'jwks',
      url: new URL(e.HUB_JWKS_URL),
      algorithms: e.HUB_JWT_ALGORITHMS ?? [DEFAULTS.HUB_JWT_ALGORITHMS],
      issuer,
      audience,
    };
  }

  const apnsHost = e.APNS_HOST ?? DEFAULTS.APNS_HOST;
  const [apnsHostName = apnsHost, apnsPort] = apnsHost.split(':');

  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('HUB_') && !KNOWN.has(name))
    .map((name) => `${name} is not a Teacher Hub variable (a typo?); it is ignored.`);

  return {
    mode,
    server: {
      port,
      host: e.HOST,
      publicUrl: (e.HUB_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    },
    storage: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.HUB_DATA_DIR ?? DEFAULTS.HUB_DATA_DIR },
    identity,
    admin: { key: e.HUB_ADMIN_KEY ?? DEFAULTS.DEV_ADMIN_KEY, isDevDefault: e.HUB_ADMIN_KEY === undefined },
    http: {
      allowedOrigins:
        e.HUB_ALLOWED_ORIGINS ?? (mode === 'dev' ? DEFAULTS.DEV_ALLOWED_ORIGINS.split(',') : []),
      maxBodyBytes: e.HUB_MAX_BODY_BYTES ?? DEFAULTS.HUB_MAX_BODY_BYTES,
      maxAdminBodyBytes: e.HUB_ADMIN_MAX_BODY_BYTES ?? DEFAULTS.HUB_ADMIN_MAX_BODY_BYTES,
      trustProxyHops: e.HUB_TRUST_PROXY ?? DEFAULTS.HUB_TRUST_PROXY,
    },
    rateLimits: {
      windowSeconds: e.HUB_RATE_LIMIT_WINDOW_S ?? DEFAULTS.HUB_RATE_LIMIT_WINDOW_S,
      limits: {
        token: e.HUB_RATE_LIMIT_TOKEN ?? parseRateLimit(DEFAULTS.HUB_RATE_LIMIT_TOKEN),
        'chat-create': e.HUB_RATE_LIMIT_CHAT_CREATE ?? parseRateLimit(DEFAULTS.HUB_RATE_LIMIT_CHAT_CREATE),
        call: e.HUB_RATE_LIMIT_CALL ?? parseRateLimit(DEFAULTS.HUB_RATE_LIMIT_CALL),
        'test-notification':
          e.HUB_RATE_LIMIT_TEST_NOTIFICATION ?? parseRateLimit(DEFAULTS.HUB_RATE_LIMIT_TEST_NOTIFICATION),
      },
    },
    tokenTtlSeconds: {
      stream: e.HUB_STREAM_TOKEN_TTL_S ?? DEFAULTS.HUB_STREAM_TOKEN_TTL_S,
      mesh: e.HUB_MESH_TOKEN_TTL_S ?? DEFAULTS.HUB_MESH_TOKEN_TTL_S,
    },
    stream:
      e.STREAM_API_KEY && e.STREAM_API_SECRET
        ? { apiKey: e.STREAM_API_KEY, apiSecret: e.STREAM_API_SECRET, baseUrl: e.STREAM_BASE_URL }
        : null,
    hms:
      e.HMS_ACCESS_KEY && e.HMS_APP_SECRET && e.HMS_TEMPLATE_ID
        ? {
            accessKey: e.HMS_ACCESS_KEY,
            appSecret: e.HMS_APP_SECRET,
            templateId: e.HMS_TEMPLATE_ID,
            apiUrl: (e.HMS_API_URL ?? DEFAULTS.HMS_API_URL).replace(/\/$/, ''),
            teacherRole: e.HMS_TEACHER_ROLE ?? DEFAULTS.HMS_TEACHER_ROLE,
            studentRole: e.HMS_STUDENT_ROLE ?? DEFAULTS.HMS_STUDENT_ROLE,
            webhookSecret: e.HMS_WEBHOOK_SECRET ?? null,
          }
        : null,
    vapid:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY && e.VAPID_SUBJECT
        ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT }
        : null,
    fcm: e.FCM_SERVICE_ACCOUNT ?? null,
    apns:
      e.APNS_KEY_FILE && e.APNS_KEY_ID && e.APNS_TEAM_ID && e.APNS_TOPIC
        ? {
            keyFile: e.APNS_KEY_FILE,
            keyId: e.APNS_KEY_ID,
            teamId: e.APNS_TEAM_ID,
            topic: e.APNS_TOPIC,
            host: apnsHostName,
            port: apnsPort === undefined ? undefined : Number(apnsPort),
          }
        : null,
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM ?? DEFAULTS.SMTP_FROM } : null,
    ringTimeoutSeconds: e.HUB_RING_TIMEOUT_S ?? DEFAULTS.HUB_RING_TIMEOUT_S,
    reminderLeadMinutes: e.HUB_REMINDER_LEAD_MIN ?? DEFAULTS.HUB_REMINDER_LEAD_MIN,
    jobLeaseSeconds: e.HUB_JOB_LEASE_S ?? DEFAULTS.HUB_JOB_LEASE_S,
    warnings,
  };
}

/**
 * For entry points (the server, scripts): the configuration from `env`, or a message naming every
 * offending variable and exit code 1.
 */
export function loadConfigOrExit(env: Readonly<Record<string, string | undefined>>): HubConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
