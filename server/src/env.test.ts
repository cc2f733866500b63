import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, configTableMarkdown, loadConfig } from './env.ts';

const PRODUCTION = {
  HUB_JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
  HUB_JWT_ISSUER: 'https://lms.example.edu',
  HUB_JWT_AUDIENCE: 'teacher-hub',
  HUB_ADMIN_KEY: 'an-admin-key-of-24-characters',
};

/** The variables a ConfigError names, in order. */
function offending(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.issues.map((issue) => issue.variable);
  }
  assert.fail('expected the configuration to be refused');
}

/** The message of the ConfigError the environment produces. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loadConfig', () => {
  describe('with no configuration', () => {
    const config = loadConfig({});

    it('runs in dev mode on port 8787 with PGlite in ./.hub-data', () => {
      assert.equal(config.mode, 'dev');
      assert.equal(config.server.port, 8787);
      assert.equal(config.server.host, undefined);
      assert.equal(config.server.publicUrl, 'http://localhost:8787');
      assert.deepEqual(config.storage, { kind: 'pglite', dataDir: './.hub-data' });
      assert.deepEqual(config.identity, { kind: 'dev' });
    });

    it('uses the dev admin key and allows localhost pages on any port', () => {
      assert.deepEqual(config.admin, { key: 'dev-admin-key', isDevDefault: true });
      assert.deepEqual(config.http.allowedOrigins, ['http://localhost:*', 'http://127.0.0.1:*']);
    });

    it('limits bodies to 1 MiB (32 MiB for the admin directory) and configures no provider', () => {
      assert.equal(config.http.maxBodyBytes, 1024 * 1024);
      assert.equal(config.http.maxAdminBodyBytes, 32 * 1024 * 1024);
      assert.equal(config.stream, null);
      assert.equal(config.hms, null);
      assert.equal(config.vapid, null);
      assert.equal(config.fcm, null);
      assert.equal(config.apns, null);
      assert.equal(config.smtp, null);
      assert.equal(config.ringTimeoutSeconds, 30);
      assert.equal(config.reminderLeadMinutes, 15);
    });
  });

  it('derives the public URL from PORT, keeps HUB_DATA_DIR=memory, and treats empty values as unset', () => {
    const config = loadConfig({
      PORT: '9000',
      HUB_DATA_DIR: 'memory',
      HUB_JWT_SECRET: '',
      HOST: '127.0.0.1',
    });
    assert.equal(config.mode, 'dev');
    assert.equal(config.server.publicUrl, 'http://localhost:9000');
    assert.equal(config.server.host, '127.0.0.1');
    assert.deepEqual(config.storage, { kind: 'pglite', dataDir: 'memory' });
  });

  it('uses PostgreSQL when DATABASE_URL is set, even in dev mode', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://hub@db.internal:5432/hub' });
    assert.equal(config.mode, 'dev');
    assert.deepEqual(config.storage, { kind: 'postgres', url: 'postgres://hub@db.internal:5432/hub' });
  });

  describe('production', () => {
    it('is on with HUB_JWT_SECRET (HS256) and takes issuer, audience and admin key', () => {
      const config = loadConfig(PRODUCTION);
      assert.equal(config.mode, 'production');
      assert.deepEqual(config.identity, {
        kind: 'secret',
        secret: PRODUCTION.HUB_JWT_SECRET,
        issuer: 'https://lms.example.edu',
        audience: 'teacher-hub',
      });
      assert.deepEqual(config.admin, { key: PRODUCTION.HUB_ADMIN_KEY, isDevDefault: false });
      assert.deepEqual(config.http.allowedOrigins, [], 'no cross-origin page is allowed unless configured');
    });

    it('is on with HUB_JWKS_URL, pinned to RS256 unless HUB_JWT_ALGORITHMS says otherwise', () => {
      const { HUB_JWT_SECRET: _secret, ...rest } = PRODUCTION;
      const jwks = { ...rest, HUB_JWKS_URL: 'https://lms.example.edu/.well-known/jwks.json' };
      const config = loadConfig(jwks);
      assert.equal(config.mode, 'production');
      assert.equal(config.identity.kind === 'jwks' && config.identity.algorithms.join(), 'RS256');
      const pinned = loadConfig({ ...jwks, HUB_JWT_ALGORITHMS: 'ES256, RS256' });
      assert.equal(pinned.identity.kind === 'jwks' && pinned.identity.algorithms.join(), 'ES256,RS256');
    });

    it('requires HUB_JWT_ISSUER, HUB_JWT_AUDIENCE and HUB_ADMIN_KEY, naming each', () => {
      assert.deepEqual(offending({ HUB_JWT_SECRET: PRODUCTION.HUB_JWT_SECRET }), [
        'HUB_JWT_ISSUER',
        'HUB_JWT_AUDIENCE',
        'HUB_ADMIN_KEY',
      ]);
    });

    it('refuses a short secret or admin key', () => {
      assert.deepEqual(offending({ ...PRODUCTION, HUB_JWT_SECRET: 'short', HUB_ADMIN_KEY: 'short' }).sort(), [
        'HUB_ADMIN_KEY',
        'HUB_JWT_SECRET',
      ]);
    });

    it('refuses both a secret and a JWKS, and symmetric or unknown algorithms for a JWKS', () => {
      assert.deepEqual(offending({ ...PRODUCTION, HUB_JWKS_URL: 'https://lms.example.edu/jwks' }), [
        'HUB_JWKS_URL',
      ]);
      const { HUB_JWT_SECRET: _secret, ...rest } = PRODUCTION;
      for (const algorithms of ['HS256', 'none', 'RS256,HS512']) {
        assert.deepEqual(
          offending({
            ...rest,
            HUB_JWKS_URL: 'https://lms.example.edu/jwks',
            HUB_JWT_ALGORITHMS: algorithms,
          }),
          ['HUB_JWT_ALGORITHMS'],
          algorithms,
        );
      }
      assert.deepEqual(offending({ ...PRODUCTION, HUB_JWT_ALGORITHMS: 'RS256' }), ['HUB_JWT_ALGORITHMS']);
    });
  });

  it('refuses an issuer or audience without a secret, rather than silently running dev mode', () => {
    assert.match(
      refusal({ HUB_JWT_ISSUER: 'https://lms.example.edu' }),
      /HUB_JWT_ISSUER: is set, but neither HUB_JWT_SECRET nor HUB_JWKS_URL is/,
    );
  });

  describe('provider groups are all or nothing', () => {
    const cases: Array<[string, Record<string, string>, string[]]> = [
      ['GetStream key without secret', { STREAM_API_KEY: 'key' }, ['STREAM_API_SECRET']],
      ['GetStream base URL alone', { STREAM_BASE_URL: 'http://127.0.0.1:3030' }, ['STREAM_BASE_URL']],
      ['100ms without template', { HMS_ACCESS_KEY: 'a', HMS_APP_SECRET: 'b' }, ['HMS_TEMPLATE_ID']],
      ['100ms secret alone', { HMS_APP_SECRET: 'b' }, ['HMS_ACCESS_KEY', 'HMS_TEMPLATE_ID']],
      [
        'VAPID public key alone',
        { VAPID_PUBLIC_KEY: 'B'.repeat(87) },
        ['VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'],
      ],
      [
        'APNs without topic',
        { APNS_KEY_ID: 'ABCDEFGHIJ', APNS_TEAM_ID: 'ABCDEFGHIJ' },
        ['APNS_KEY_FILE', 'APNS_TOPIC'],
      ],
      ['SMTP_FROM without SMTP_URL', { SMTP_FROM: 'Hub <hub@example.edu>' }, ['SMTP_FROM']],
    ];
    for (const [name, env, missing] of cases) {
      it(`names what is missing: ${name}`, () => {
        assert.deepEqual(offending(env), missing);
      });
    }

    it('says in the message which variable is missing and why', () => {
      assert.match(
        refusal({ STREAM_API_KEY: 'key' }),
        /STREAM_API_SECRET: is required when STREAM_API_KEY is set \(GetStream needs STREAM_API_KEY, STREAM_API_SECRET\)/,
      );
    });

    it('lists every problem at once', () => {
      assert.deepEqual(offending({ PORT: 'eighty', STREAM_API_KEY: 'key', SMTP_URL: 'http://mail' }), [
        'PORT',
        'SMTP_URL',
        'STREAM_API_SECRET',
      ]);
    });

    it('builds complete groups with their defaults', () => {
      const directory = mkdtempSync(join(tmpdir(), 'hub-env-'));
      const keyFile = join(directory, 'AuthKey_ABCDEFGHIJ.p8');
      writeFileSync(keyFile, 'not checked here');
      const config = loadConfig({
        STREAM_API_KEY: 'key',
        STREAM_API_SECRET: 'secret',
        HMS_ACCESS_KEY: 'access',
        HMS_APP_SECRET: 'app-secret',
        HMS_TEMPLATE_ID: 'template',
        VAPID_PUBLIC_KEY: 'B'.repeat(87),
        VAPID_PRIVATE_KEY: 'k'.repeat(43),
        VAPID_SUBJECT: 'mailto:ops@example.edu',
        FCM_SERVICE_ACCOUNT: JSON.stringify({ project_id: 'p', client_email: 'e@p.iam', private_key: 'k' }),
        APNS_KEY_FILE: keyFile,
        APNS_KEY_ID: 'ABCDEFGHIJ',
        APNS_TEAM_ID: 'KLMNOPQRST',
        APNS_TOPIC: 'edu.example.hub',
        APNS_HOST: 'localhost:8443',
        SMTP_URL: 'smtp://user:pass@mail.example.edu:587',
        HUB_RING_TIMEOUT_S: '45',
        HUB_REMINDER_LEAD_MIN: '10',
      });
      assert.deepEqual(config.stream, { apiKey: 'key', apiSecret: 'secret', baseUrl: undefined });
      assert.equal(config.hms?.apiUrl, 'https://api.100ms.live/v2');
      assert.equal(config.hms?.teacherRole, 'teacher');
      assert.equal(config.hms?.studentRole, 'student');
      assert.equal(config.vapid?.subject, 'mailto:ops@example.edu');
      assert.deepEqual(config.fcm, { projectId: 'p', clientEmail: 'e@p.iam', privateKey: 'k' });
      assert.deepEqual(config.apns, {
        keyFile,
        keyId: 'ABCDEFGHIJ',
        teamId: 'KLMNOPQRST',
        topic: 'edu.example.hub',
        host: 'localhost',
        port: 8443,
      });
      assert.deepEqual(config.smtp, {
        url: 'smtp://user:pass@mail.example.edu:587',
        from: 'Teacher Hub <no-reply@localhost>',
      });
      assert.equal(config.ringTimeoutSeconds, 45);
      assert.equal(config.reminderLeadMinutes, 10);
    });

    it('checks the FCM service account and the APNs key file', () => {
      assert.deepEqual(offending({ FCM_SERVICE_ACCOUNT: '{"project_id": "p"}' }), ['FCM_SERVICE_ACCOUNT']);
      assert.deepEqual(offending({ FCM_SERVICE_ACCOUNT: '/nonexistent/service-account.json' }), [
        'FCM_SERVICE_ACCOUNT',
      ]);
      assert.deepEqual(
        offending({
          APNS_KEY_FILE: '/nonexistent/AuthKey.p8',
          APNS_KEY_ID: 'ABCDEFGHIJ',
          APNS_TEAM_ID: 'ABCDEFGHIJ',
          APNS_TOPIC: 'edu.example.hub',
        }),
        ['APNS_KEY_FILE'],
      );
    });
  });

  it('refuses malformed values, naming the variable', () => {
    assert.deepEqual(offending({ PORT: '70000' }), ['PORT']);
    assert.deepEqual(offending({ HUB_ALLOWED_ORIGINS: 'https://lms.example.edu, lms.example.edu' }), [
      'HUB_ALLOWED_ORIGINS',
    ]);
    assert.deepEqual(offending({ DATABASE_URL: 'mysql://db/hub' }), ['DATABASE_URL']);
    assert.deepEqual(offending({ HUB_RING_TIMEOUT_S: '2' }), ['HUB_RING_TIMEOUT_S']);
    assert.deepEqual(offending({ HUB_MAX_BODY_BYTES: '1.5' }), ['HUB_MAX_BODY_BYTES']);
  });

  it('parses HUB_ALLOWED_ORIGINS as a list of origins and any-port patterns', () => {
    const config = loadConfig({ HUB_ALLOWED_ORIGINS: 'https://lms.example.edu/, http://localhost:* ' });
    assert.deepEqual(config.http.allowedOrigins, ['https://lms.example.edu', 'http://localhost:*']);
  });

  it('warns about HUB_ variables it does not know (typos), without refusing them', () => {
    const config = loadConfig({ HUB_JWT_SECERT: 'x' });
    assert.equal(config.mode, 'dev');
    assert.match(config.warnings.join(), /HUB_JWT_SECERT is not a Teacher Hub variable/);
  });
});

describe('CONFIG_VARIABLES', () => {
  it('documents every variable once, with a description and both modes', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    assert.equal(new Set(names).size, names.length);
    for (const v of CONFIG_VARIABLES) {
      assert.ok(v.description.length > 10, v.name);
      assert.ok(v.dev && v.production, v.name);
    }
    for (const required of [
      'PORT',
      'HUB_DATA_DIR',
      'DATABASE_URL',
      'HUB_JWT_SECRET',
      'HUB_JWKS_URL',
      'SMTP_URL',
    ]) {
      assert.ok(names.includes(required), required);
    }
  });

  it('renders the README table, one row per variable', () => {
    const table = configTableMarkdown().split('\n');
    assert.equal(table.length, CONFIG_VARIABLES.length + 2);
    assert.match(table[2] ?? '', /^\| `PORT` \| `8787` \|/);
  });
});
