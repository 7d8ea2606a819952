import type { Config } from '../config';
import { createDb, type DbHandle } from './index';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import path from 'node:path';

export interface OpenDatabase extends DbHandle {
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/** DATABASE_URL set → that server; unset → the embedded PostgreSQL under DATA_DIR/pglite. */
export async function openDatabase(config: Config): Promise<OpenDatabase> {
  const embedded = config.DATABASE_URL
    ? null
    : await startEmbeddedDatabase(path.join(config.DATA_DIR, 'pglite'));
  const url = config.DATABASE_URL ?? embedded!.url;
  const max = embedded
    ? Math.min(config.DATABASE_POOL_MAX, embedded.maxConnections)
    : config.DATABASE_POOL_MAX;
  const handle = createDb(url, max);
  return {
    ...handle,
    embedded,
    async close() {
      await handle.db.destroy();
      await embedded?.stop();
    },
  };
}
