import { sql } from 'kysely';
import { loadBuiltinReference } from '../../src/modules/reference/builtin';
import { newTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const codes = async (where: ReturnType<typeof sql>) =>
  (
    await sql<{ code: string }>`SELECT code FROM territories WHERE ${where} ORDER BY code`.execute(
      t.db,
    )
  ).rows.map((r) => r.code);

describe('the built-in reference set', () => {
  it('loads again without inserting anything', async () => {
    expect(await loadBuiltinReference(t.db)).toEqual({ inserted: 0 });
  });

  it("spells the sector labels' accents, and corrects a label loaded before", async () => {
    const labelOfR = async () =>
      (
        await t.db
          .selectFrom('sectors')
          .select('names')
          .where('version', '=', 'NACE2')
          .where('code', '=', 'R')
          .executeTakeFirstOrThrow()
      ).names.it;
    expect(await labelOfR()).toBe('Attività artistiche, di intrattenimento e divertimento');
    await sql`UPDATE sectors SET names = jsonb_set(names, '{it}', '"Attivita'' artistiche"')
      WHERE version = 'NACE2' AND code = 'R'`.execute(t.db);
    expect(await loadBuiltinReference(t.db)).toEqual({ inserted: 1 });
    expect(await labelOfR()).toBe('Attività artistiche, di intrattenimento e divertimento');
    const typos = await sql<{ code: string }>`
      SELECT code FROM sectors WHERE names->>'it' ~ '[aeiou]''( |,|$)'`.execute(t.db);
    expect(typos.rows).toEqual([]);
  });

  it('has Toscana ITI1 with its ten provinces, Italian and English names', async () => {
    expect(await codes(sql`parent_code = 'ITI1' AND level = 'NUTS3'`)).toEqual([
      'ITI11',
      'ITI12',
      'ITI13',
      'ITI14',
      'ITI15',
      'ITI16',
      'ITI17',
      'ITI18',
      'ITI19',
      'ITI1A',
    ]);
    const iti1 = await t.db
      .selectFrom('territories')
      .selectAll()
      .where('code', '=', 'ITI1')
      .executeTakeFirstOrThrow();
    expect(iti1).toMatchObject({
      name: 'Toscana',
      level: 'NUTS2',
      parent_code: 'ITI',
      names: { it: 'Toscana', en: 'Tuscany' },
    });
    const fi = await t.db
      .selectFrom('territories')
      .select('names')
      .where('code', '=', 'ITI14')
      .executeTakeFirstOrThrow();
    expect(fi.names).toEqual({ it: 'Firenze', en: 'Florence' });
  });

  it('has every Italian region as NUTS-2, Trentino-Alto Adige as ITH1 and ITH2, and 107 provinces', async () => {
    const regions = await codes(sql`level = 'NUTS2' AND code LIKE 'IT%'`);
    expect(regions).toHaveLength(21);
    expect(regions).toEqual(expect.arrayContaining(['ITH1', 'ITH2', 'ITC2', 'ITG2', 'ITI1']));
    expect(await codes(sql`level = 'NUTS3' AND code LIKE 'IT%'`)).toHaveLength(107);
    expect(await codes(sql`level = 'NUTS1' AND code LIKE 'IT%'`)).toEqual([
      'ITC',
      'ITF',
      'ITG',
      'ITH',
      'ITI',
    ]);
  });

  it('has the 40Ready partner regions with everything below them', async () => {
    for (const [code, level] of [
      ['FI1B', 'NUTS2'],
      ['PL22', 'NUTS2'],
      ['ES22', 'NUTS2'],
      ['RO32', 'NUTS2'],
      ['BE3', 'NUTS1'],
      ['LT0', 'NUTS1'],
    ]) {
      const row = await t.db
        .selectFrom('territories')
        .select(['level', 'names'])
        .where('code', '=', code!)
        .executeTakeFirstOrThrow();
      expect(row.level).toBe(level);
      expect(row.names.en).toBeTruthy();
    }
    expect(await codes(sql`parent_code IN ('BE31','BE32','BE33','BE34','BE35')`)).toHaveLength(21);
    expect(await codes(sql`parent_code IN ('LT01','LT02')`)).toHaveLength(10);
    expect(await codes(sql`parent_code = 'PL22'`)).toHaveLength(8);
  });

  it('has the comuni of Firenze and Prato as LAU under their province, with cadastral codes', async () => {
    expect(await codes(sql`level = 'LAU' AND parent_code = 'ITI14'`)).toHaveLength(41);
    expect(await codes(sql`level = 'LAU' AND parent_code = 'ITI15'`)).toHaveLength(7);
    const firenze = await sql<{ names: Record<string, string>; cadastral_code: string }>`
      SELECT names, cadastral_code FROM territories WHERE code = '048017'`.execute(t.db);
    expect(firenze.rows[0]).toEqual({
      names: { it: 'Firenze', en: 'Florence' },
      cadastral_code: 'D612',
    });
  });

  it('keeps the NUTS 2021 parent of Montecopiolo and Sassofeltrio as history', async () => {
    const history = await t.db
      .selectFrom('territory_versions')
      .select(['code', 'valid_from', 'valid_to', 'parent_code', 'version'])
      .where('code', 'in', ['099030', '099031'])
      .orderBy('code')
      .orderBy('valid_from')
      .execute();
    expect(history).toEqual([
      {
        code: '099030',
        valid_from: '2021-01-01',
        valid_to: '2024-01-01',
        parent_code: 'ITI31',
        version: 'NUTS2021',
      },
      {
        code: '099030',
        valid_from: '2024-01-01',
        valid_to: null,
        parent_code: 'ITH59',
        version: 'NUTS2024',
      },
      {
        code: '099031',
        valid_from: '2021-01-01',
        valid_to: '2024-01-01',
        parent_code: 'ITI31',
        version: 'NUTS2021',
      },
      {
        code: '099031',
        valid_from: '2024-01-01',
        valid_to: null,
        parent_code: 'ITH59',
        version: 'NUTS2024',
      },
    ]);
  });

  it('gives every territory exactly one open history interval matching its current state', async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM territories t
      LEFT JOIN territory_versions v ON v.code = t.code AND v.valid_to IS NULL
      WHERE v.code IS NULL OR v.name <> t.name OR v.parent_code IS DISTINCT FROM t.parent_code`.execute(
      t.db,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('has the eleven Formazione 4.0 technologies and DigComp 2.2 (5 areas, 21 competences)', async () => {
    const f40 = await t.db
      .selectFrom('skills')
      .select(['code', 'names'])
      .where('area_code', '=', 'F40')
      .orderBy('position')
      .execute();
    expect(f40).toHaveLength(11);
    expect(f40[0]).toEqual({
      code: 'F40.a',
      names: { it: 'Big data e analisi dei dati', en: 'Big data and data analysis' },
    });
    const areas = await t.db
      .selectFrom('skill_areas')
      .select('code')
      .where('framework', '=', 'digcomp')
      .execute();
    expect(areas.map((a) => a.code).sort()).toEqual(['DC1', 'DC2', 'DC3', 'DC4', 'DC5']);
    const dc = await t.db
      .selectFrom('skills')
      .select(['code', 'esco_uri', 'names'])
      .where('area_code', 'like', 'DC%')
      .execute();
    expect(dc).toHaveLength(21);
    expect(dc.filter((s) => s.esco_uri === null).map((s) => s.code)).toEqual(['DC2.5']);
    expect(dc.every((s) => s.names.it && s.names.en)).toBe(true);
  });

  it('has NACE Rev. 2 and 2.1 sections and divisions, ISCO-08 groups and EQF 1–8', async () => {
    const count = async (
      table: 'sectors' | 'occupations',
      col: 'level',
      val: string,
      extra = sql`true`,
    ) =>
      (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(col)} = ${val} AND ${extra}`.execute(
          t.db,
        )
      ).rows[0]!.n;
    expect(await count('sectors', 'level', 'section', sql`version = 'NACE2'`)).toBe(21);
    expect(await count('sectors', 'level', 'division', sql`version = 'NACE2'`)).toBe(88);
    expect(await count('sectors', 'level', 'section', sql`version = 'NACE2.1'`)).toBe(22);
    expect(await count('occupations', 'level', 'major')).toBe(10);
    expect(await count('occupations', 'level', 'sub-major')).toBe(43);
    const c = await t.db
      .selectFrom('sectors')
      .select(['names', 'ateco_version'])
      .where('version', '=', 'NACE2')
      .where('code', '=', 'C')
      .executeTakeFirstOrThrow();
    expect(c).toEqual({
      names: { en: 'Manufacturing', it: 'Attività manifatturiere' },
      ateco_version: 'ATECO2007',
    });
    const eqf = await t.db
      .selectFrom('eqf_levels')
      .select(['level', 'descriptor'])
      .orderBy('level')
      .execute();
    expect(eqf.map((e) => e.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(eqf.every((e) => e.descriptor.it && e.descriptor.en)).toBe(true);
  });
});
