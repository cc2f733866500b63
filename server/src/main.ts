import { createApp } from './app.ts';
import { loadConfigOrExit } from './env.ts';
import { createConsoleLogger } from './logger.ts';
import { serveHub } from './serve.ts';
import { createServices } from './services.ts';

/** Starts the hub. The only file that reads `process.env`. */
async function main(): Promise<void> {
  const logger = createConsoleLogger();
  const config = loadConfigOrExit(process.env);
  for (const warning of config.warnings) logger.warn(warning);

  const services = await createServices(config, { logger });
  const app = createApp(services);
  services.start();
  const { server, address } = await serveHub(services, app, {
    port: config.server.port,
    hostname: config.server.host,
  });
  const url = config.server.port === 0 ? `http://localhost:${address.port}` : config.server.publicUrl;
  logger.info(`Teacher Hub listening on ${url}`, {
    mode: config.mode,
    port: address.port,
    db: services.database.kind,
    chat: services.chat.provider.kind,
    ...(config.storage.kind === 'pglite' ? { dataDir: config.storage.dataDir } : {}),
  });
  if (config.mode === 'dev') {
    logger.info(
      `Dev mode: demo LMS at ${url}/, tokens from POST /v1/dev/token` +
        (config.admin.isDevDefault ? `, admin key "${config.admin.key}"` : ''),
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    // Stop accepting connections, let in-flight requests finish, then close the database.
    const forced = setTimeout(() => {
      logger.warn('Shutdown took longer than 10 s; exiting.');
      process.exit(1);
    }, 10_000);
    forced.unref();
    // WebSockets (the chat emulator's) are not HTTP connections the server can close: close them first.
    void services.chat.close();
    server.close(() => {
      services.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('closing the database failed', { error });
          process.exit(1);
        },
      );
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    // Live streams (SSE) never go idle: end them so the server can close; clients reconnect elsewhere.
    if ('closeAllConnections' in server) server.closeAllConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('The hub failed to start:', error);
  process.exit(1);
});
