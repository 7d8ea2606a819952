import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import type { Db } from './index';
import { prepareStatements } from './prepared';

/** How long reads stay on the primary after the replica refused a connection. */
const REPLICA_BACKOFF_MS = 5000;

export interface ReplicaHandle {
  /** Reads that tolerate a few seconds of lag: dashboards, open data. Never for writes. */
  readDb: Db;
  /** The replica's own pool, for /readyz to ask the replica itself. */
  replicaPool: pg.Pool;
}

/**
 * A read-only Kysely on a streaming replica that falls back to the primary while the replica is
 * unreachable: a stopped replica slows nothing down and breaks no page. The fallback happens when
 * a connection is taken, so a query already running on a replica that dies still fails.
 */
export function openReplica(
  url: string,
  max: number,
  primary: pg.Pool,
  options: { prepare?: boolean } = {},
): ReplicaHandle {
  const replicaPool = new pg.Pool({
    connectionString: url,
    max,
    // Short: a replica that does not answer must not hold a page up for long.
    connectionTimeoutMillis: 1000,
    idleTimeoutMillis: 30000,
  });
  replicaPool.on('error', () => undefined);
  replicaPool.on('connect', (client) => {
    client.on('error', () => undefined); // see db/index.ts
    if (options.prepare) prepareStatements(client);
  });
  let skipUntil = 0;
  const failover: PostgresPool = {
    async connect() {
      if (Date.now() >= skipUntil) {
        try {
          return await replicaPool.connect();
        } catch {
          skipUntil = Date.now() + REPLICA_BACKOFF_MS;
        }
      }
      return primary.connect();
    },
    // The primary pool is closed by its owner.
    end: () => replicaPool.end(),
  };
  return {
    replicaPool,
    readDb: new Kysely<Database>({ dialect: new PostgresDialect({ pool: failover }) }),
  };
}
