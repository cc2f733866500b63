import { startPushService, type PushServicePeer } from './peers/push-service.ts';
import { createTestPki, type TestPki } from './peers/tls.ts';
import { createTestSchema, type TestSchema } from './postgres.ts';
import { createTestApp, type TestApp } from './test-app.ts';

/** Several in-process hub instances on one fresh PostgreSQL schema, with a local web push service. */
export interface InstancesOnOnePostgres {
  instances: TestApp[];
  pushService: PushServicePeer;
  schema: TestSchema;
  close(): Promise<void>;
}

/**
 * Starts one instance per id (each with its own job worker and LISTEN connection, as servers behind a load
 * balancer run) on one new schema of `TEST_DATABASE_URL`; `env` is added to every instance's.
 */
export async function startInstancesOnOnePostgres(
  instanceIds: string[],
  env: Record<string, string> = {},
): Promise<InstancesOnOnePostgres> {
  const pki: TestPki = await createTestPki();
  const pushService = await startPushService({ pki });
  const schema = await createTestSchema();
  const instances: TestApp[] = [];
  for (const instanceId of instanceIds) {
    instances.push(
      await createTestApp({
        env: { DATABASE_URL: schema.url, ...env },
        services: { instanceId, transport: { webPushAgent: pki.httpsAgent() } },
      }),
    );
  }
  return {
    instances,
    pushService,
    schema,
    async close() {
      for (const instance of instances) await instance.close();
      await schema.drop();
      await pushService.close();
      await pki.cleanup();
    },
  };
}
