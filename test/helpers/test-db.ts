import crypto from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../src/db';
import { adminUrl, CONTROL_ENV, TEMPLATE_ENV } from './mode';

export interface TestDb {
  db: Db;
  pool: pg.Pool;
  url: string;
  /** Opens another pool on the same database (e.g. a second app instance). */
  maxConnections: number;
  close(): Promise<void>;
}

/**
 * A database of this test file's own: migrated, with the built-in reference data, and nobody
 * else's rows. `empty: true` gives one with no migrations at all.
 */
export async function newTestDb(options: { empty?: boolean } = {}): Promise<TestDb> {
  const admin = adminUrl();
  if (admin) {
    const name = `patto_t_${crypto.randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(
      options.empty
        ? `CREATE DATABASE ${name}`
        : `CREATE DATABASE ${name} TEMPLATE ${process.env[TEMPLATE_ENV]}`,
    );
    await client.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    const url = u.toString();
    // As the app on a server of its own: each connection prepares its statements.
    const { db, pool } = createDb(url, 10, { prepare: true });
    return {
      db,
      pool,
      url,
      maxConnections: 50,
      async close() {
        await db.destroy();
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const control = process.env[CONTROL_ENV];
  if (!control)
    throw new Error('test database control server missing: run tests through jest (globalSetup)');
  const res = await fetch(`${control}/new${options.empty ? '?empty=1' : ''}`);
  if (!res.ok) throw new Error(`could not create a test database: ${await res.text()}`);
  const { id, url, maxConnections } = (await res.json()) as {
    id: string;
    url: string;
    maxConnections: number;
  };
  // Leave room for a second pool (session-restart and two-instance tests).
  const { db, pool } = createDb(url, Math.floor(maxConnections / 2));
  return {
    db,
    pool,
    url,
    maxConnections,
    async close() {
      await db.destroy();
      await fetch(`${control}/release?id=${id}`);
    },
  };
}
