import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import { importNuts } from '../../src/modules/reference/importers/nuts';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { tempDir, writeIstat } from './fixtures';

jest.setTimeout(120_000);

// territory_ancestors is kept by triggers (2026_11_23_1100, made faster by 1160): after every
// kind of change it must equal the closure recomputed from territories.parent_code.
let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await newTestDb();
  dir = tempDir();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

async function expectExactClosure() {
  const { rows: kept } = await sql`
    SELECT code, ancestor_code, ancestor_level, depth::int AS depth
    FROM territory_ancestors ORDER BY code, ancestor_code`.execute(t.db);
  const { rows: recomputed } = await sql`
    WITH RECURSIVE up(code, ancestor_code, depth) AS (
      SELECT code, code, 0 FROM territories
      UNION ALL
      SELECT up.code, p.parent_code, up.depth + 1
      FROM up JOIN territories p ON p.code = up.ancestor_code
      WHERE p.parent_code IS NOT NULL
    )
    SELECT up.code, up.ancestor_code, a.level AS ancestor_level, up.depth
    FROM up JOIN territories a ON a.code = up.ancestor_code
    ORDER BY up.code, up.ancestor_code`.execute(t.db);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept).toEqual(recomputed);
}

describe('the territory closure stays exact', () => {
  it('after an ISTAT import of new comuni under known provinces (the set-based fast path)', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      code: String(970001 + i),
      name: `Comune di prova ${i}`,
      nuts3: ['ITI11', 'ITI14', 'ITI1A'][i % 3]!,
    }));
    const report = await importIstatComuni(t.db, writeIstat(dir, 'many.csv', rows), {
      validFrom: '2026-02-01',
    });
    expect(report).toMatchObject({ inserted: 1200, errors: [] });
    await expectExactClosure();
  });

  it('after a NUTS file listing children before their parents (the recursive path)', async () => {
    const file = path.join(dir, 'order.csv');
    fs.writeFileSync(
      file,
      'nuts_id,level,country,parent_id,name_latn\n' +
        'QQ123,3,QQ,QQ12,Tre\nQQ12,2,QQ,QQ1,Due\nQQ124,3,QQ,QQ12,Quattro\nQQ1,1,QQ,QQ,Uno\nQQ,0,QQ,,Qualia\n',
    );
    // A NUTS file is the whole classification: load it into its own copy of the tree.
    const other = await newTestDb();
    try {
      const report = await importNuts(other.db, file, { version: 'NUTS2027' });
      expect(report.errors).toEqual([]);
      const { rows } = await sql<{ ancestor_code: string }>`
        SELECT ancestor_code FROM territory_ancestors WHERE code = 'QQ123' ORDER BY depth`.execute(
        other.db,
      );
      expect(rows.map((r) => r.ancestor_code)).toEqual(['QQ123', 'QQ12', 'QQ1', 'QQ']);
    } finally {
      await other.close();
    }
  });

  it('after a comune inserted before its province, in a later statement of the same transaction', async () => {
    await t.db.transaction().execute(async (tx) => {
      await sql`SET CONSTRAINTS ALL DEFERRED`.execute(tx);
      await sql`
        INSERT INTO territories (code, level, parent_code, name, version)
        VALUES ('979001', 'LAU', 'ITI1Q', 'Anticipato', 'TEST')`.execute(tx);
      await sql`
        INSERT INTO territories (code, level, parent_code, name, version)
        VALUES ('ITI1Q', 'NUTS3', 'ITI1', 'Provincia tardiva', 'TEST')`.execute(tx);
    });
    await expectExactClosure();
  });

  it('after comuni and a province move to another parent', async () => {
    await sql`UPDATE territories SET parent_code = 'ITI12' WHERE code IN ('970001', '970002')`.execute(
      t.db,
    );
    await sql`UPDATE territories SET parent_code = 'ITI2' WHERE code = 'ITI1Q'`.execute(t.db);
    await expectExactClosure();
  });

  it('after a territory is deleted (its pairs go with it)', async () => {
    await sql`DELETE FROM territory_versions WHERE code = '979001'`.execute(t.db);
    await sql`DELETE FROM territories WHERE code = '979001'`.execute(t.db);
    const { rows } = await sql`
      SELECT 1 FROM territory_ancestors WHERE code = '979001' OR ancestor_code = '979001'`.execute(
      t.db,
    );
    expect(rows).toEqual([]);
    await expectExactClosure();
  });
});
