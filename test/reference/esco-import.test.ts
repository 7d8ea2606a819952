import fs from 'node:fs';
import path from 'node:path';
import { importEsco } from '../../src/modules/reference/importers/esco';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { ESCO_DIGITAL, ESCO_HIERARCHY, available, tempDir } from './fixtures';

jest.setTimeout(60_000);

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

const HEADER =
  'conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description\n';
const row = (uuid: string, label: string) =>
  `KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/${uuid},${label},released,skill/competence,cross-sector,,"About ${label}, in short."\n`;
const U1 = '00000000-0000-4000-8000-000000000001';
const U2 = '00000000-0000-4000-8000-000000000002';
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

(available(ESCO_DIGITAL) ? describe : describe.skip)(
  'importEsco on the ESCO digital skills collection',
  () => {
    const area = { code: 'ESCO-DIGITAL', name: 'ESCO digital skills' };

    it('keeps each ESCO URI once: the DigComp competences already built in stay where they are', async () => {
      const report = await importEsco(t.db, ESCO_DIGITAL, { area, validFrom: '2026-01-01' });
      expect(report).toMatchObject({
        rows: 1284,
        inserted: 1264,
        updated: 0,
        closed: 0,
        errors: [],
      });
      const haskell = await t.db
        .selectFrom('skills')
        .selectAll()
        .where(
          'esco_uri',
          '=',
          'http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02',
        )
        .executeTakeFirstOrThrow();
      expect(haskell).toMatchObject({
        code: 'ESCO-000f1d3d-220f-4789-9c0a-cc742521fb02',
        area_code: 'ESCO-DIGITAL',
        name: 'Haskell',
        names: { en: 'Haskell' },
      });
    });

    it('changes nothing on a second run', async () => {
      const report = await importEsco(t.db, ESCO_DIGITAL, { area, validFrom: '2026-01-01' });
      expect(report).toMatchObject({ inserted: 0, updated: 0, closed: 0, errors: [] });
    });
  },
);

describe('importEsco on fixtures', () => {
  const area = { code: 'ESCO-TEST', name: 'Test skills' };

  it('closes a skill the next file no longer lists, and updates a changed label', async () => {
    expect(
      await importEsco(
        t.db,
        write('a.csv', HEADER + row(U1, 'weld parts') + row(U2, 'solder parts')),
        { area, validFrom: '2026-01-01' },
      ),
    ).toMatchObject({ inserted: 2, errors: [] });
    const next = await importEsco(t.db, write('b.csv', HEADER + row(U1, 'weld metal parts')), {
      area,
      validFrom: '2026-06-01',
    });
    expect(next).toMatchObject({ inserted: 0, updated: 1, closed: 1, errors: [] });
    const skills = await t.db
      .selectFrom('skills')
      .select(['code', 'name', 'valid_to'])
      .where('area_code', '=', 'ESCO-TEST')
      .orderBy('code')
      .execute();
    expect(skills).toEqual([
      { code: `ESCO-${U1}`, name: 'weld metal parts', valid_to: null },
      { code: `ESCO-${U2}`, name: 'solder parts', valid_to: '2026-06-01' },
    ]);
  });

  it('refuses a file cut short in mid-row, closing nothing it no longer reaches', async () => {
    const area = { code: 'ESCO-CUT', name: 'Cut skills' };
    const uuid = (n: number) => `00000000-0000-4000-8000-00000000002${n}`;
    const whole = HEADER + row(uuid(1), 'weld') + row(uuid(2), 'solder') + row(uuid(3), 'rivet');
    expect(
      await importEsco(t.db, write('whole.csv', whole), { area, validFrom: '2026-01-01' }),
    ).toMatchObject({ inserted: 3, errors: [] });
    // The same file, downloaded again but cut inside its third line's label.
    const cut = whole.slice(0, whole.indexOf('rivet') + 3);
    const report = await importEsco(t.db, write('cut.csv', cut), {
      area,
      validFrom: '2026-06-01',
    });
    expect(report.errors).toEqual([
      {
        line: 4,
        message: 'expected 8 cells, found 3',
        code: 'cellCount',
        params: { expected: 8, found: 3 },
      },
    ]);
    const open = await t.db
      .selectFrom('skills')
      .select('code')
      .where('area_code', '=', 'ESCO-CUT')
      .where('valid_to', 'is', null)
      .execute();
    expect(open).toHaveLength(3);
  });

  it('refuses formula cells and bad URIs, writing nothing', async () => {
    const file = write(
      'bad.csv',
      HEADER +
        row(U1, '=HYPERLINK("http://x")') +
        'KnowledgeSkillCompetence,not-a-uri,x,released,,,,\n' +
        row('00000000-0000-4000-8000-000000000003', 'fine'),
    );
    const report = await importEsco(t.db, file, { area, validFrom: '2026-07-01' });
    expect(report.errors).toEqual([
      {
        line: 2,
        message: expect.stringMatching(/^formula-like cell in "preferredLabel"/),
        code: 'formula',
        params: { column: 'preferredLabel', value: '"=HYPERLINK(\\"http://x\\")"' },
      },
      {
        line: 3,
        message: '"not-a-uri" is not an ESCO skill URI',
        code: 'escoUri',
        params: { uri: 'not-a-uri' },
      },
    ]);
    expect(report.inserted).toBe(0);
    const third = await t.db
      .selectFrom('skills')
      .select('code')
      .where('code', '=', 'ESCO-00000000-0000-4000-8000-000000000003')
      .execute();
    expect(third).toEqual([]);
  });

  (available(ESCO_HIERARCHY) ? it : it.skip)(
    'names the missing columns of a file that is not a skills collection',
    async () => {
      const report = await importEsco(t.db, ESCO_HIERARCHY, { area });
      expect(report.errors).toEqual([
        {
          line: 1,
          message: 'missing column "concepturi"',
          code: 'missingColumn',
          column: 'concepturi',
        },
        {
          line: 1,
          message: 'missing column "preferredlabel"',
          code: 'missingColumn',
          column: 'preferredlabel',
        },
      ]);
    },
  );
});
