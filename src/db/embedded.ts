import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteServer } from './pglite-server';

export interface EmbeddedDatabase {
  url: string;
  /** The largest pg pool this server accepts: extra connections are refused, not queued. */
  maxConnections: number;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL (PGlite, on disk) served over the PostgreSQL wire protocol on loopback
 * (see pglite-server.ts for why not pglite-socket's server),
 * so the application talks to it through the same pg Pool and Kysely dialect as a real server.
 * All connections share one backend: no per-connection SET, temp tables or LISTEN/NOTIFY.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  options: { port?: number; maxConnections?: number } = {},
): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const pglite = await PGlite.create({ dataDir: dir });
  const maxConnections = options.maxConnections ?? 10;
  const server = new PgliteServer(pglite, maxConnections);
  const port = await server.listen(options.port ?? 0, '127.0.0.1');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    maxConnections,
    async stop() {
      await server.close();
      await pglite.close();
    },
  };
}
