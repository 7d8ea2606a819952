import { sql } from 'kysely';
import { newTestDb, type TestDb } from '../helpers/test-db';

// On the embedded database this exercises src/db/pglite-server.ts: connections take turns per
// protocol unit, and a transaction keeps the backend to itself until it ends.
let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
  await sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`.execute(t.db);
  await sql`INSERT INTO counter VALUES (1, 0)`.execute(t.db);
});
afterAll(() => t.close());

describe('the database under concurrent connections', () => {
  it('answers interleaved parameterised queries of different shapes correctly', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 3 === 0
          ? t.pool.query('SELECT $1::int + $2::int AS v', [i, 1]).then((r) => r.rows[0].v === i + 1)
          : i % 3 === 1
            ? t.pool.query('SELECT $1::int * 2 AS v', [i]).then((r) => r.rows[0].v === i * 2)
            : t.pool
                .query('SELECT $1::text || $2::text || $3::text AS v', ['a', String(i), 'b'])
                .then((r) => r.rows[0].v === `a${i}b`),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it('keeps concurrent transactions apart: 40 read-modify-write increments give 40', async () => {
    await Promise.all(
      Array.from({ length: 40 }, () =>
        t.db.transaction().execute(async (tx) => {
          const row = await sql<{
            n: number;
          }>`SELECT n FROM counter WHERE id = 1 FOR UPDATE`.execute(tx);
          await sql`UPDATE counter SET n = ${row.rows[0]!.n + 1} WHERE id = 1`.execute(tx);
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`SELECT n FROM counter WHERE id = 1`.execute(t.db);
    expect(rows[0]!.n).toBe(40);
  });

  it('rolls back a transaction whose connection goes away', async () => {
    const client = await t.pool.connect();
    await client.query('BEGIN');
    await client.query('UPDATE counter SET n = -1 WHERE id = 1');
    client.release(new Error('drop this connection'));
    const { rows } = await sql<{ n: number }>`SELECT n FROM counter WHERE id = 1`.execute(t.db);
    expect(rows[0]!.n).toBe(40);
  });
});
