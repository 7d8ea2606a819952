import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrator';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import { importNuts } from '../../src/modules/reference/importers/nuts';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { NUTS_2021, NUTS_2024, OFFICIAL_ISTAT, available, tempDir } from './fixtures';

jest.setTimeout(120_000);

// A migrated database without the built-in set: the history starts from NUTS 2021.
let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await newTestDb({ empty: true });
  await migrateToLatest(t.db);
  dir = tempDir();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const history = (code: string) =>
  t.db
    .selectFrom('territory_versions')
    .select(['valid_from', 'valid_to', 'version', 'parent_code', 'name'])
    .where('code', '=', code)
    .orderBy('valid_from')
    .execute();

const files = available(NUTS_2021) && available(NUTS_2024);

(files ? describe : describe.skip)('importNuts on Eurostat NUTS 2021 then 2024', () => {
  it('loads NUTS 2021', async () => {
    const report = await importNuts(t.db, NUTS_2021, { version: 'NUTS2021' });
    expect(report).toMatchObject({ rows: 2010, inserted: 2010, updated: 0, closed: 0, errors: [] });
  });

  it('applies NUTS 2024: new codes, renamed regions as new intervals, vanished codes closed', async () => {
    const report = await importNuts(t.db, NUTS_2024, { version: 'NUTS2024' });
    // 290 codes exist only in 2021 (233 of them UK), 78 only in 2024.
    expect(report).toMatchObject({ rows: 1798, inserted: 78, closed: 290, errors: [] });
    expect(report.updated).toBeGreaterThan(0);
    expect(await history('ITF65')).toEqual([
      {
        valid_from: '2021-01-01',
        valid_to: '2024-01-01',
        version: 'NUTS2021',
        parent_code: 'ITF6',
        name: 'Reggio di Calabria',
      },
      {
        valid_from: '2024-01-01',
        valid_to: null,
        version: 'NUTS2024',
        parent_code: 'ITF6',
        name: 'Reggio Calabria',
      },
    ]);
    const uk = await t.db
      .selectFrom('territories')
      .select(['valid_to'])
      .where('code', '=', 'UKI')
      .executeTakeFirstOrThrow();
    expect(uk.valid_to).toBe('2024-01-01');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM territories`.execute(
      t.db,
    );
    expect(rows[0]!.n).toBe(2010 + 78);
  });

  it('changes nothing when NUTS 2024 is imported again', async () => {
    const report = await importNuts(t.db, NUTS_2024, { version: 'NUTS2024' });
    expect(report).toMatchObject({ inserted: 0, updated: 0, closed: 0, errors: [] });
  });

  it('refuses an older version once a newer one is loaded', async () => {
    const report = await importNuts(t.db, NUTS_2021, { version: 'NUTS2021' });
    expect(report.errors[0]!.message).toMatch(/older than the NUTS data already loaded/);
    expect(report.errors[0]).toMatchObject({
      code: 'olderVersion',
      params: { version: 'NUTS2021', date: '2021-01-01', loaded: '2024-01-01' },
    });
    expect(report.inserted + report.updated + report.closed).toBe(0);
  });

  (available(OFFICIAL_ISTAT) ? it : it.skip)(
    'then the ISTAT list records Montecopiolo in ITI31 under NUTS 2021 and in ITH59 from 2024',
    async () => {
      const report = await importIstatComuni(t.db, OFFICIAL_ISTAT, { validFrom: '2025-06-30' });
      expect(report).toMatchObject({ inserted: 7896, errors: [] });
      expect(await history('099030')).toEqual([
        {
          valid_from: '2021-01-01',
          valid_to: '2024-01-01',
          version: 'NUTS2021',
          parent_code: 'ITI31',
          name: 'Montecopiolo',
        },
        {
          valid_from: '2024-01-01',
          valid_to: null,
          version: 'NUTS2024',
          parent_code: 'ITH59',
          name: 'Montecopiolo',
        },
      ]);
    },
  );
});

describe('importNuts on broken files', () => {
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const header = 'nuts_id,level,country,parent_id,name_latn,name_native\n';

  it('accepts a child listed before its parent (checked at the end)', async () => {
    const file = write('order.csv', `${header}QQ1,1,QQ,QQ,Uno,Uno\nQQ,0,QQ,,Qualia,Qualia\n`);
    const db = await newTestDb({ empty: true });
    try {
      await migrateToLatest(db.db);
      const report = await importNuts(db.db, file, { version: 'NUTS2024' });
      expect(report).toMatchObject({ inserted: 2, errors: [] });
    } finally {
      await db.close();
    }
  });

  it('refuses a file cut short in mid-row: the regions after the cut are not closed', async () => {
    // NUTS 2024 downloaded again as a later version, but broken off inside a Greek region's row.
    const whole = fs.readFileSync(NUTS_2024, 'utf8');
    const cut = write('cut.csv', whole.slice(0, whole.indexOf('\nEL533') + 12));
    const report = await importNuts(t.db, cut, { version: 'NUTS2028' });
    expect(report.errors).toEqual([
      {
        line: report.rows + 1,
        message: 'expected 9 cells, found 4',
        code: 'cellCount',
        params: { expected: 9, found: 4 },
      },
    ]);
    expect(await history('ITI14')).toHaveLength(1);
    expect((await history('ITI14'))[0]!.valid_to).toBeNull();
  });

  it('reports an unknown parent, a wrong parent column, a bad level and a duplicate', async () => {
    const file = write(
      'bad.csv',
      `${header}ZZ1,1,ZZ,ZZ,Orfano,Orfano\nIT,0,IT,,Italia,Italia\nITC,1,IT,ITX,Nord-Ovest,Nord-Ovest\nITC1,3,IT,ITC,Piemonte,Piemonte\nIT,0,IT,,Italia,Italia\n`,
    );
    const report = await importNuts(t.db, file, { version: 'NUTS2027' });
    expect(report.errors).toEqual([
      {
        line: 4,
        message: 'parent "ITX" does not match code ITC',
        code: 'parentMismatch',
        params: { parent: 'ITX', code: 'ITC' },
      },
      {
        line: 5,
        message: '"ITC1" is not a NUTS level-3 code',
        code: 'nutsCode',
        params: { code: 'ITC1', level: '3' },
      },
      {
        line: 6,
        message: 'duplicate code IT (first on line 3)',
        code: 'duplicate',
        params: { code: 'IT', first: 3 },
      },
      {
        line: 2,
        message: 'unknown parent "ZZ"',
        code: 'unknownParent',
        params: { code: 'ZZ' },
      },
    ]);
    expect(report.inserted + report.updated + report.closed).toBe(0);
  });

  it('names a missing column and refuses a bad version', async () => {
    expect(
      (
        await importNuts(t.db, write('nolevel.csv', 'nuts_id,name_latn\nIT,Italia\n'), {
          version: 'NUTS2024',
        })
      ).errors,
    ).toEqual([
      { line: 1, message: 'missing column "level"', code: 'missingColumn', column: 'level' },
    ]);
    expect((await importNuts(t.db, NUTS_2024, { version: '2024' })).errors).toEqual([
      {
        line: 0,
        message: 'version must look like NUTS2024 (got 2024)',
        code: 'badVersion',
        params: { version: '2024' },
      },
    ]);
  });
});
