import { sql } from 'kysely';
import { createDb, type DbHandle } from '../../src/db';
import { precompiled } from '../../src/db/precompiled';
import { MAX_PREPARED_PER_CONNECTION } from '../../src/db/prepared';
import { newTestDb, type TestDb } from '../helpers/test-db';

// One connection, so that every statement below runs where pg_prepared_statements is read (and,
// on the embedded database, no second connection of this pool shares the backend's names).
let t: TestDb;
let one: DbHandle;
beforeAll(async () => {
  t = await newTestDb();
  one = createDb(t.url, 1, { prepare: true });
});
afterAll(async () => {
  await one.db.destroy();
  await t.close();
});

const prepared = async () => {
  const { rows } = await sql<{ statement: string }>`
    SELECT statement FROM pg_prepared_statements WHERE name LIKE 'patto\\_%'`.execute(one.db);
  return rows.map((r) => r.statement);
};

describe('statements prepared per connection', () => {
  it('prepares a statement with parameters on its second run, once, and runs it with each call’s values', async () => {
    const builder = (code: string) =>
      one.db.selectFrom('territories').select('name').where('code', '=', code);
    const query = (code: string) => builder(code).executeTakeFirst();
    const text = builder('ITI1').compile().sql;
    expect((await query('ITI1'))?.name).toBe('Toscana');
    expect(await prepared()).not.toContain(text);
    expect((await query('ITI14'))?.name).toBe('Firenze');
    expect(await query('nowhere')).toBeUndefined();
    expect((await prepared()).filter((s) => s === text)).toHaveLength(1);
  });

  it('leaves a statement without parameters alone: it may hold several commands', async () => {
    await sql`CREATE TEMP TABLE prep_multi (n int); INSERT INTO prep_multi VALUES (1), (2)`.execute(
      one.db,
    );
    const { rows } = await sql<{ n: number }>`SELECT sum(n)::int AS n FROM prep_multi`.execute(
      one.db,
    );
    expect(rows[0]!.n).toBe(3);
    expect((await prepared()).some((s) => s.includes('prep_multi'))).toBe(false);
    await sql`DROP TABLE prep_multi`.execute(one.db);
  });

  it('answers an error for a statement that does not parse, and the connection goes on', async () => {
    const bad = sql`SELECT nosuchcolumn FROM territories WHERE code = ${'ITI1'}`;
    await expect(bad.execute(one.db)).rejects.toThrow(/nosuchcolumn/);
    await expect(bad.execute(one.db)).rejects.toThrow(/nosuchcolumn/);
    const { rows } = await sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(one.db);
    expect(rows[0]!.n).toBe(42);
  });

  it('drops a statement whose table changed under it: that call fails, the next one runs', async () => {
    await sql`CREATE TABLE prep_changed (id int PRIMARY KEY, a text)`.execute(one.db);
    await sql`INSERT INTO prep_changed VALUES (1, 'x')`.execute(one.db);
    const read = async () =>
      (await sql`SELECT * FROM prep_changed WHERE id = ${1}`.execute(one.db)).rows;
    await read();
    expect(await read()).toEqual([{ id: 1, a: 'x' }]);
    await sql`ALTER TABLE prep_changed ADD COLUMN b int DEFAULT 7`.execute(one.db);
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    expect(await read()).toEqual([{ id: 1, a: 'x', b: 7 }]);
    expect(await read()).toEqual([{ id: 1, a: 'x', b: 7 }]);
    await sql`DROP TABLE prep_changed`.execute(one.db);
  });

  it(`keeps the ${MAX_PREPARED_PER_CONNECTION} statements used last, and drops the others`, async () => {
    const texts: string[] = [];
    for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 5; i++) {
      const query = sql<{ n: number }>`SELECT ${i}::int + ${sql.lit(i)} AS n`;
      texts.push(query.compile(one.db).sql);
      for (let run = 0; run < 2; run++) {
        const { rows } = await query.execute(one.db);
        expect(rows[0]!.n).toBe(2 * i);
      }
    }
    const all = await prepared();
    expect(all).toHaveLength(MAX_PREPARED_PER_CONNECTION);
    expect(all).not.toContain(texts[0]);
    expect(all).toContain(texts.at(-1));
    // A dropped one runs again, prepared anew after its second run.
    for (let run = 0; run < 2; run++) {
      const { rows } = await sql<{ n: number }>`SELECT ${0}::int + ${sql.lit(0)} AS n`.execute(
        one.db,
      );
      expect(rows[0]!.n).toBe(0);
    }
    expect(await prepared()).toContain(texts[0]);
    expect(await prepared()).toHaveLength(MAX_PREPARED_PER_CONNECTION);
  });
});

describe('precompiled queries', () => {
  const nameOf = precompiled(['code'], (db, v) =>
    db.selectFrom('territories').select(['code', 'name']).where('code', '=', v.code),
  );

  it('run the query compiled once with each call’s values', async () => {
    expect(await nameOf(t.db, { code: 'ITI1' })).toEqual([{ code: 'ITI1', name: 'Toscana' }]);
    expect(await nameOf(t.db, { code: 'ITI14' })).toEqual([{ code: 'ITI14', name: 'Firenze' }]);
    expect(await nameOf(t.db, { code: 'nowhere' })).toEqual([]);
  });

  it('refuse a value that does not reach the query as a parameter', async () => {
    const raw = precompiled(['code'], (db, v) =>
      db
        .selectFrom('territories')
        .select('name')
        .where(sql<boolean>`${sql.raw(`code = '${v.code}'`)}`),
    );
    await expect(raw(t.db, { code: 'ITI1' })).rejects.toThrow('no parameter for code');
  });
});
