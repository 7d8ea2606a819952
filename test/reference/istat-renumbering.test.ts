import fs from 'node:fs';
import { sql } from 'kysely';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import type { SampleComune } from '../../src/modules/reference/importers/istat-sample';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { tempDir, writeIstat } from './fixtures';

jest.setTimeout(120_000);

// Sardinia's provinces were renumbered in 2025/26: every comune got a new ISTAT code under a new
// province (UTS), while its cadastral code stayed. Rows as in ISTAT's lists before and after.
const sardinia = { region: '20', regionName: 'Sardegna' };
const BEFORE: SampleComune[] = [
  {
    ...sardinia,
    code: '090001',
    name: 'Aggius',
    cadastral: 'A069',
    nuts3: 'ITG2D',
    utsName: 'Sassari',
    utsType: '1',
    plate: 'SS',
  },
  {
    ...sardinia,
    code: '090003',
    name: 'Alghero',
    cadastral: 'A192',
    nuts3: 'ITG2D',
    utsName: 'Sassari',
    utsType: '1',
    plate: 'SS',
  },
  {
    ...sardinia,
    code: '111001',
    name: 'Arbus',
    cadastral: 'A359',
    nuts3: 'ITG2H',
    utsName: 'Sud Sardegna',
    utsType: '1',
    plate: 'SU',
  },
  {
    ...sardinia,
    code: '111060',
    name: 'Samatzai',
    cadastral: 'H739',
    nuts3: 'ITG2H',
    utsName: 'Sud Sardegna',
    utsType: '1',
    plate: 'SU',
  },
  {
    ...sardinia,
    code: '111081',
    name: 'Seui',
    cadastral: 'I706',
    nuts3: 'ITG2H',
    utsName: 'Sud Sardegna',
    utsType: '1',
    plate: 'SU',
  },
  // Tuscany, untouched by the renumbering.
  { code: '048017', name: 'Firenze', cadastral: 'D612', nuts3: 'ITI14' },
];
const AFTER: SampleComune[] = [
  {
    ...sardinia,
    code: '113001',
    previous: '090001',
    name: 'Aggius',
    cadastral: 'A069',
    nuts3: 'ITG2D',
    uts: '113',
    utsName: 'Gallura Nord-Est Sardegna',
    utsType: '1',
    plate: 'OT',
  },
  {
    ...sardinia,
    code: '112001',
    previous: '090003',
    name: 'Alghero',
    cadastral: 'A192',
    nuts3: 'ITG2D',
    uts: '312',
    utsName: 'Sassari',
    utsType: '3',
    plate: 'SS',
  },
  {
    ...sardinia,
    code: '117001',
    previous: '111001',
    name: 'Arbus',
    cadastral: 'A359',
    nuts3: 'ITG2H',
    utsName: 'Medio Campidano',
    utsType: '1',
    plate: 'VS',
  },
  {
    ...sardinia,
    code: '118041',
    previous: '111060',
    name: 'Samatzai',
    cadastral: 'H739',
    nuts3: 'ITG2H',
    uts: '318',
    utsName: 'Cagliari',
    utsType: '3',
    plate: 'CA',
  },
  {
    ...sardinia,
    code: '116023',
    previous: '111081',
    name: 'Seui',
    cadastral: 'I706',
    nuts3: 'ITG2H',
    utsName: 'Ogliastra',
    utsType: '1',
    plate: 'OG',
  },
  { code: '048017', name: 'Firenze', cadastral: 'D612', nuts3: 'ITI14' },
];
const RENUMBERED = AFTER.filter((c) => c.previous).map((c) => [c.previous!, c.code] as const);

const OLD = { validFrom: '2025-06-30', version: 'ISTAT2025' };
const NEW = { validFrom: '2026-01-01', version: 'ISTAT2026' };

let dir: string;
beforeAll(() => (dir = tempDir()));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function expectRenumbered(t: TestDb) {
  const rows = await t.db
    .selectFrom('territories')
    .select(['code', 'name', 'parent_code', 'cadastral_code', 'valid_from', 'valid_to'])
    .where('code', 'in', [...RENUMBERED.flat()])
    .orderBy('code')
    .execute();
  for (const [oldCode, newCode] of RENUMBERED) {
    const o = rows.find((r) => r.code === oldCode)!;
    const n = rows.find((r) => r.code === newCode)!;
    expect(o).toMatchObject({ valid_from: '2025-06-30', valid_to: '2026-01-01' });
    expect(n).toMatchObject({
      name: o.name,
      parent_code: o.parent_code,
      cadastral_code: o.cadastral_code,
      valid_from: '2026-01-01',
      valid_to: null,
    });
  }
  const links = await t.db
    .selectFrom('territory_successors')
    .select(['old_code', 'new_code', 'since', 'kind'])
    .orderBy('old_code')
    .execute();
  expect(links).toEqual(
    [...RENUMBERED]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([old_code, new_code]) => ({
        old_code,
        new_code,
        since: '2026-01-01',
        kind: 'renumbered',
      })),
  );
  // The old code's history ends where the new code's begins.
  const history = await t.db
    .selectFrom('territory_versions')
    .select(['code', 'valid_from', 'valid_to', 'version'])
    .where('code', 'in', ['111060', '118041'])
    .orderBy('code')
    .execute();
  expect(history).toEqual([
    { code: '111060', valid_from: '2025-06-30', valid_to: '2026-01-01', version: 'ISTAT2025' },
    { code: '118041', valid_from: '2026-01-01', valid_to: null, version: 'ISTAT2026' },
  ]);
  // The new codes hang in the tree like the old ones.
  const { rows: path } = await sql<{ ancestor_code: string }>`
    SELECT ancestor_code FROM territory_ancestors WHERE code = '118041' ORDER BY depth`.execute(
    t.db,
  );
  expect(path.map((r) => r.ancestor_code)).toEqual(['118041', 'ITG2H', 'ITG2', 'ITG', 'IT']);
  const firenze = await t.db
    .selectFrom('territories')
    .select(['valid_to'])
    .where('code', '=', '048017')
    .executeTakeFirstOrThrow();
  expect(firenze.valid_to).toBeNull();
}

describe.each([
  ['a list with the previous-code column (as ISTAT publishes it since 2026)', '2026' as const],
  ['a list without it: matched through the cadastral code', '2025' as const],
])('the Sardinian renumbering from %s', (_title, layout) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await newTestDb();
  });
  afterAll(() => t.close());

  it('closes the old codes, opens the new ones and links old to new', async () => {
    const before = writeIstat(dir, `before-${layout}.csv`, BEFORE);
    const first = await importIstatComuni(t.db, before, OLD);
    expect(first).toMatchObject({ inserted: 5, errors: [] });

    const after = writeIstat(dir, `after-${layout}.csv`, AFTER, 'win1252', layout);
    const report = await importIstatComuni(t.db, after, NEW);
    expect(report).toMatchObject({ inserted: 5, updated: 0, closed: 5, linked: 5, errors: [] });
    await expectRenumbered(t);
  });

  it('changes nothing when the newer list is imported again', async () => {
    const after = writeIstat(dir, `after-${layout}.csv`, AFTER, 'win1252', layout);
    const again = await importIstatComuni(t.db, after, NEW);
    expect(again).toMatchObject({ inserted: 0, updated: 0, closed: 0, linked: 0, errors: [] });
    await expectRenumbered(t);
  });

  it('lets the older list, imported again, rewrite nothing', async () => {
    const before = writeIstat(dir, `before-${layout}.csv`, BEFORE);
    const report = await importIstatComuni(t.db, before, OLD);
    expect(report).toMatchObject({ inserted: 0, updated: 0, closed: 0, linked: 0, errors: [] });
    await expectRenumbered(t);
  });
});
