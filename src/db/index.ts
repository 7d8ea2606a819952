import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { prepareStatements } from './prepared';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories accept either the database or an open transaction. */
export type Executor = Db | Tx;

// int8 (counts, sums) as JS numbers: our counts and cent amounts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates (not timestamps) stay as ISO text: a date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
}

/**
 * A pool and its Kysely. `prepare`: each connection prepares its statements (see prepared.ts);
 * only on a PostgreSQL server of its own, never the embedded one.
 */
export function createDb(
  connectionString: string,
  max: number,
  options: { prepare?: boolean } = {},
): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  // A client losing its server must not crash the process. The pool listens to its idle clients
  // ('error' on the pool); a checked-out client (between two statements of a transaction) has
  // no listener of its own, so one is attached for its whole life: its next query then fails,
  // the request answers 503/500, and the pool replaces the client.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (options.prepare) prepareStatements(client);
  });
  return { pool, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
}
