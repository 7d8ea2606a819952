import express, { type Express } from 'express';
import type { Config } from './config';
import type { Db } from './db';
import type pg from 'pg';
import type { Logger } from './logger';
import { setUpAuthentication } from './http/auth';
import { setUpCsrf } from './http/csrf';
import { errorHandler, notFound } from './http/errors';
import { setUpFlash } from './http/flash';
import { setUpHealthChecks } from './http/health';
import { setUpI18n } from './http/i18n';
import { setUpRequestLogging } from './http/request-logging';
import { setUpBodyParsing, setUpWebSecurity } from './http/security';
import { setUpWebSession } from './http/session';
import { setUpStaticAssets, setUpViews } from './http/views';
import { setUpLanguageMemory } from './modules/accounts/language-memory';
import { setUpUnreadCount } from './modules/notifications/unread-count';
import { apiRoutes } from './modules/api/api.routes';
import { webRoutes } from './routes';
import './http/types';

export interface AppServices {
  /** The primary: every write, and reads that must see the request's own writes. */
  db: Db;
  /** The read replica when DATABASE_REPLICA_URL is set, else `db`: dashboards and open data. */
  readDb: Db;
  pool: pg.Pool;
  /** The replica's own pool, only for /readyz to report on it. */
  replicaPool?: pg.Pool | null;
  config: Config;
  logger: Logger;
}

/** The application: middleware in order, the API, the pages, 404 and one error handler. */
export function createApp(services: AppServices): Express {
  const { db, pool, replicaPool, config, logger } = services;
  const app = express();
  setUpRequestLogging(app, logger);
  setUpWebSecurity(app, config);
  setUpViews(app);
  setUpStaticAssets(app);
  setUpI18n(app);
  setUpBodyParsing(app, config);
  setUpHealthChecks(app, db, replicaPool);
  // The API authenticates by bearer token only: no cookie session, so no CSRF either.
  app.use('/api/v1', apiRoutes(services));
  setUpWebSession(app, config, pool);
  setUpAuthentication(app, db);
  setUpLanguageMemory(app, db);
  // After authentication (needs req.user), before the pages (the header shows the badge).
  setUpUnreadCount(app, db);
  setUpCsrf(app);
  setUpFlash(app);
  app.use(webRoutes(services));
  app.use(notFound);
  app.use(errorHandler());
  return app;
}
