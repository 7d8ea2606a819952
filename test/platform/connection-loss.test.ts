import { sql } from 'kysely';
import pg from 'pg';
import { adminUrl } from '../helpers/mode';
import { newTestDb, type TestDb } from '../helpers/test-db';

/**
 * PostgreSQL cutting a connection (a restart, a failover, pg_terminate_backend) while the app
 * holds it in a transaction: that request fails, the process lives on, the pool reconnects.
 * Real PostgreSQL only: the embedded server has one backend and no pg_terminate_backend.
 */
const admin = adminUrl();
const reason = 'the embedded database cannot terminate one connection: run with TEST_DATABASE_URL';
if (!admin) console.warn(`connection-loss tests skipped: ${reason}`);
const describeOnServer = admin ? describe : describe.skip;

let t: TestDb;
beforeAll(async () => {
  if (admin) t = await newTestDb();
});
afterAll(() => t?.close());

async function terminate(pid: number) {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('SELECT pg_terminate_backend($1)', [pid]);
  await c.end();
}

describeOnServer('a connection cut inside a transaction', () => {
  it('fails that transaction and nothing else; the next query gets a new connection', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const run = t.db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
        await terminate(rows[0]!.pid);
        // Between two statements the client is checked out and idle: the server's goodbye
        // arrives now, as an 'error' event on the client.
        await new Promise((r) => setTimeout(r, 300));
        await sql`SELECT 1`.execute(tx);
      });
      await expect(run).rejects.toThrow();
      expect(uncaught).toEqual([]);
      const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(t.db);
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
