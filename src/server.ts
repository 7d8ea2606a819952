import type { Server } from 'node:http';
import { createApp } from './app';
import { prepareDatabase } from './bootstrap';
import { ConfigError, loadConfig, type Config } from './config';
import { openDatabase } from './db/open';
import { createLogger } from './logger';
import { startNeedsFolder } from './modules/needs/fold-worker';
import { startMailWorker, type MailWorker } from './modules/notifications/mail-worker';
import { configureNotifications } from './modules/notifications/settings';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** The only place that reads the environment, opens the database, listens and shuts down. */
async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.LOG_LEVEL, config.production);
  const database = await openDatabase(config);
  await prepareDatabase(database.db, config, logger);
  // E-mail only with an SMTP server: without one, notifications stay in the inbox (nothing queued).
  configureNotifications({
    email: !!config.SMTP_URL,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  });
  let mailWorker: MailWorker | null = null;
  if (config.SMTP_URL)
    mailWorker = startMailWorker({
      db: database.db,
      logger,
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
    });
  else logger.info('e-mail is disabled (no SMTP_URL): notifications are in-app only');
  const needsFolder = startNeedsFolder({ db: database.db, logger });
  const app = createApp({
    db: database.db,
    readDb: database.readDb,
    pool: database.pool,
    replicaPool: database.replicaPool,
    config,
    logger,
  });
  const server: Server = app.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info(
      { port, database: config.embedded ? 'embedded' : 'postgresql' },
      `Patto listening on http://localhost:${port}`,
    );
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Stop accepting, let in-flight requests finish, then close the pool and the embedded DB.
    server.close(async () => {
      // The mail worker first: it confirms the e-mail in flight while the pool is still open.
      await mailWorker
        ?.stop()
        .catch((err) => logger.error({ err }, 'stopping the mail worker failed'));
      await needsFolder.stop();
      await database.close().catch((err) => logger.error({ err }, 'closing the database failed'));
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('Patto failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
