import { sql } from 'kysely';
import type { Express } from 'express';
import type pg from 'pg';
import type { Db } from '../db';
import { allow } from './authorize';

const TIMEOUT_MS = 2000;

/** Resolves true when the query answers within TIMEOUT_MS, false on an error or a timeout. */
async function answers(query: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      query,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process answers. /readyz: the primary answers too (within two seconds). The
 * replica is reported but never makes the instance unready: reads fall back to the primary.
 */
export function setUpHealthChecks(app: Express, db: Db, replicaPool?: pg.Pool | null): void {
  app.get('/healthz', allow('public'), (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', allow('public'), async (_req, res) => {
    const [primary, replica] = await Promise.all([
      answers(sql`SELECT 1`.execute(db)),
      replicaPool ? answers(replicaPool.query('SELECT 1')) : null,
    ]);
    const body = {
      status: primary ? 'ready' : 'unavailable',
      database: primary ? 'ok' : 'unreachable',
      ...(replica === null ? {} : { replica: replica ? 'ok' : 'unreachable' }),
    };
    res.status(primary ? 200 : 503).json(body);
  });
}
