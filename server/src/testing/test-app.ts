import { createApp, type AppOptions } from '../app.ts';
import type { Clock } from '../domain/clock.ts';
import { loadConfig, type HubConfig } from '../env.ts';
import { createMemoryLogger } from '../logger.ts';
import { createServices, type ServiceOptions, type Services } from '../services.ts';
import { pgliteTemplate } from './pglite-template.ts';
import { claimsFor, signWithSecret } from './tokens.ts';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  services: Services;
  config: HubConfig;
  /** What the hub logged (errors of 500s land here). */
  logLines: string[];
  /**
   * A valid hub token for a directory user: from the dev issuer in dev mode, signed with
   * `HUB_JWT_SECRET` in production (HS256 only; JWKS tests sign with their own keys).
   */
  tokenFor(userId: string): Promise<string>;
  /** `app.request()` with `Authorization: Bearer <token for userId>`. */
  requestAs(userId: string, path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Tests share one app across many requests under a clock that stands still, so the rate limits are off
 * unless a test sets them (`server/src/security/rate-limits.test.ts` does).
 */
export const RATE_LIMITS_OFF = {
  HUB_RATE_LIMIT_TOKEN: '0/0',
  HUB_RATE_LIMIT_CHAT_CREATE: '0/0',
  HUB_RATE_LIMIT_CALL: '0/0',
  HUB_RATE_LIMIT_TEST_NOTIFICATION: '0/0',
} as const;

/**
 * The hub in-process, as `main.ts` builds it, with an in-memory PGlite (or the `DATABASE_URL` given in
 * `env`). Dev mode unless `env` configures an identity.
 */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    app?: AppOptions;
    services?: Pick<ServiceOptions, 'transport' | 'instanceId'>;
  } = {},
): Promise<TestApp> {
  const config = loadConfig({ HUB_DATA_DIR: 'memory', ...RATE_LIMITS_OFF, ...options.env });
  const logger = createMemoryLogger();
  const services = await createServices(config, {
    logger,
    clock: options.clock,
    ...options.services,
    pgliteTemplate: config.storage.kind === 'pglite' ? await pgliteTemplate() : undefined,
  });
  const app = createApp(services, options.app);

  const tokenFor = async (userId: string): Promise<string> => {
    const user = await services.directory.findUser(userId);
    if (!user) throw new Error(`tokenFor: no user ${userId} in the directory`);
    const identity = config.identity;
    if (identity.kind === 'dev') {
      const issuer = services.tokens.devIssuer;
      if (!issuer) throw new Error('dev mode without a dev issuer');
      return (await issuer.issue(user)).token;
    }
    if (identity.kind === 'secret') {
      return signWithSecret(
        identity.secret,
        claimsFor(user, { issuer: identity.issuer, audience: identity.audience, now: services.clock.now() }),
      );
    }
    throw new Error('tokenFor cannot sign for a JWKS-configured hub: sign with the test key pair');
  };

  return {
    app,
    services,
    config,
    logLines: logger.lines,
    tokenFor,
    async requestAs(userId, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('Authorization', `Bearer ${await tokenFor(userId)}`);
      return app.request(path, { ...init, headers });
    },
    close: () => services.close(),
  };
}

/** `HUB_JWT_SECRET` etc. for production-mode tests with HS256. */
export const PRODUCTION_ENV = {
  HUB_JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
  HUB_JWT_ISSUER: 'https://lms.example.edu',
  HUB_JWT_AUDIENCE: 'teacher-hub',
  HUB_ADMIN_KEY: 'test-admin-key-of-24-characters-or-more',
} as const;
