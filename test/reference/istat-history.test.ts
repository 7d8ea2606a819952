import fs from 'node:fs';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { tempDir, writeIstat } from './fixtures';

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

const JANUARY = { validFrom: '2026-01-01', version: 'ISTAT2026A' };
const JULY = { validFrom: '2026-07-01', version: 'ISTAT2026B' };

const territory = (code: string) =>
  t.db
    .selectFrom('territories')
    .select(['name', 'valid_from', 'valid_to', 'version'])
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
const history = (code: string) =>
  t.db
    .selectFrom('territory_versions')
    .select(['valid_from', 'valid_to', 'name', 'version'])
    .where('code', '=', code)
    .orderBy('valid_from')
    .execute();

describe('importIstatComuni keeps history', () => {
  let january: string;
  let july: string;
  beforeAll(() => {
    january = writeIstat(dir, 'january.csv', [
      { code: '910001', name: 'Vecchio Nome', cadastral: 'Z901' },
      { code: '910002', name: 'Sparito', cadastral: 'Z902' },
      { code: '910003', name: 'Rinumerato', cadastral: 'Z903' },
    ]);
    july = writeIstat(dir, 'july.csv', [
      { code: '910001', name: 'Nuovo Nome', cadastral: 'Z901' },
      { code: '920003', name: 'Rinumerato', cadastral: 'Z903' },
    ]);
  });

  it('a full list closes the comuni it no longer has (here the built-in ones)', async () => {
    const report = await importIstatComuni(t.db, january, JANUARY);
    expect(report).toMatchObject({ inserted: 3, updated: 0, closed: 50, errors: [] });
    expect((await territory('048017')).valid_to).toBe('2026-01-01');
  });

  it('renames in place, closes what disappeared and links a renumbered comune to its new code', async () => {
    const report = await importIstatComuni(t.db, july, JULY);
    expect(report).toMatchObject({ inserted: 1, updated: 1, closed: 2, linked: 1, errors: [] });

    expect(await territory('910001')).toMatchObject({
      name: 'Nuovo Nome',
      valid_from: '2026-01-01',
      valid_to: null,
      version: 'ISTAT2026B',
    });
    expect(await history('910001')).toEqual([
      {
        valid_from: '2026-01-01',
        valid_to: '2026-07-01',
        name: 'Vecchio Nome',
        version: 'ISTAT2026A',
      },
      { valid_from: '2026-07-01', valid_to: null, name: 'Nuovo Nome', version: 'ISTAT2026B' },
    ]);
    expect(await territory('910002')).toMatchObject({ name: 'Sparito', valid_to: '2026-07-01' });
    expect(await history('910002')).toEqual([
      { valid_from: '2026-01-01', valid_to: '2026-07-01', name: 'Sparito', version: 'ISTAT2026A' },
    ]);
    const links = await t.db.selectFrom('territory_successors').selectAll().execute();
    expect(links).toEqual([
      { old_code: '910003', new_code: '920003', since: '2026-07-01', kind: 'renumbered' },
    ]);
  });

  it('changes nothing on a second run of the same list', async () => {
    const report = await importIstatComuni(t.db, july, JULY);
    expect(report).toMatchObject({ inserted: 0, updated: 0, closed: 0, linked: 0, errors: [] });
  });

  it('lets an older list rewrite nothing', async () => {
    const report = await importIstatComuni(t.db, january, JANUARY);
    expect(report).toMatchObject({ inserted: 0, updated: 0, closed: 0, linked: 0, errors: [] });
    expect((await territory('910001')).name).toBe('Nuovo Nome');
  });

  it('takes a corrected list of the same date in place of the first, keeping earlier history', async () => {
    const typo = writeIstat(dir, 'july-fixed.csv', [
      { code: '910001', name: 'Nuovo Nome Corretto', cadastral: 'Z901' },
      { code: '920003', name: 'Rinumerato', cadastral: 'Z903' },
    ]);
    const report = await importIstatComuni(t.db, typo, JULY);
    expect(report).toMatchObject({ inserted: 0, updated: 1, closed: 0, errors: [] });
    expect((await territory('910001')).name).toBe('Nuovo Nome Corretto');
    expect((await history('910001')).map((v) => [v.valid_from, v.valid_to, v.name])).toEqual([
      ['2026-01-01', '2026-07-01', 'Vecchio Nome'],
      ['2026-07-01', null, 'Nuovo Nome Corretto'],
    ]);
    // And back, for the tests below.
    expect(await importIstatComuni(t.db, july, JULY)).toMatchObject({ updated: 1, errors: [] });
  });

  it('reopens a comune listed again after it was closed', async () => {
    const again = writeIstat(dir, 'december.csv', [
      { code: '910001', name: 'Nuovo Nome', cadastral: 'Z901' },
      { code: '910002', name: 'Sparito', cadastral: 'Z902' },
      { code: '920003', name: 'Rinumerato', cadastral: 'Z903' },
    ]);
    const report = await importIstatComuni(t.db, again, { validFrom: '2026-12-01' });
    expect(report).toMatchObject({ inserted: 0, updated: 1, closed: 0, errors: [] });
    expect(await history('910002')).toEqual([
      { valid_from: '2026-01-01', valid_to: '2026-07-01', name: 'Sparito', version: 'ISTAT2026A' },
      { valid_from: '2026-12-01', valid_to: null, name: 'Sparito', version: 'ISTAT2026' },
    ]);
  });
});
