import { sql } from 'kysely';
import type { Express } from 'express';
import type { Db } from '../db';
import { allow } from './authorize';

/** /healthz: the process answers. /readyz: the database answers too (within two seconds). */
export function setUpHealthChecks(app: Express, db: Db): void {
  app.get('/healthz', allow('public'), (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', allow('public'), async (_req, res) => {
    try {
      await Promise.race([
        sql`SELECT 1`.execute(db),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.json({ status: 'ready', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
