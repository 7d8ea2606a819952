import type pg from 'pg';
import type { Config } from '../config';
import { createDb, type Db, type DbHandle } from './index';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { openReplica } from './replica';
import path from 'node:path';

export interface OpenDatabase extends DbHandle {
  /** The replica (DATABASE_REPLICA_URL) when set, else the primary `db` itself. */
  readDb: Db;
  replicaPool: pg.Pool | null;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/**
 * DATABASE_URL set → that server; unset → the embedded PostgreSQL under DATA_DIR/pglite.
 * DATABASE_REPLICA_URL set → a second pool for reads that tolerate lag (see replica.ts).
 */
export async function openDatabase(config: Config): Promise<OpenDatabase> {
  const embedded = config.DATABASE_URL
    ? null
    : await startEmbeddedDatabase(path.join(config.DATA_DIR, 'pglite'));
  const url = config.DATABASE_URL ?? embedded!.url;
  const max = embedded
    ? Math.min(config.DATABASE_POOL_MAX, embedded.maxConnections)
    : config.DATABASE_POOL_MAX;
  const handle = createDb(url, max, { prepare: !embedded && config.DATABASE_PREPARE });
  const replica = config.DATABASE_REPLICA_URL
    ? openReplica(config.DATABASE_REPLICA_URL, config.DATABASE_POOL_MAX, handle.pool, {
        prepare: config.DATABASE_PREPARE,
      })
    : null;
  return {
    ...handle,
    readDb: replica?.readDb ?? handle.db,
    replicaPool: replica?.replicaPool ?? null,
    embedded,
    async close() {
      await replica?.readDb.destroy();
      await handle.db.destroy();
      await embedded?.stop();
    },
  };
}
