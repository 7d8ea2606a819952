import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'kysely';
import { importIstatComuni } from '../../src/modules/reference/importers/istat';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { ISTAT_SNAKE, OFFICIAL_ISTAT, available, istatRow, tempDir, writeIstat } from './fixtures';

jest.setTimeout(180_000);

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

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

const lauCount = async () =>
  (
    await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM territories WHERE level = 'LAU'`.execute(t.db)
  ).rows[0]!.n;
const versionCount = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM territory_versions`.execute(t.db))
    .rows[0]!.n;

const officialIt = available(OFFICIAL_ISTAT) ? it : it.skip;

describe('importIstatComuni on the official list (cp1252, ;, CRLF, multi-line headers)', () => {
  officialIt(
    'loads every comune under its NUTS-3 2024 parent, then a second run changes nothing',
    async () => {
      const progress: number[] = [];
      const first = await importIstatComuni(t.db, OFFICIAL_ISTAT, {
        validFrom: '2025-06-30',
        onProgress: (n) => progress.push(n),
      });
      expect(first.errors).toEqual([]);
      expect(first.encoding).toBe('cp1252');
      expect(first.rows).toBe(7896);
      // The 50 built-in comuni (Firenze, Prato, Montecopiolo, Sassofeltrio) are already there, unchanged.
      expect(first).toMatchObject({ inserted: 7846, updated: 0, closed: 0 });
      expect(progress[progress.length - 1]).toBe(7896);
      expect(await lauCount()).toBe(7896);

      const bolzano = await t.db
        .selectFrom('territories')
        .selectAll()
        .where('code', '=', '021008')
        .executeTakeFirstOrThrow();
      expect(bolzano).toMatchObject({
        name: 'Bolzano/Bozen',
        parent_code: 'ITH10',
        names: { it: 'Bolzano', de: 'Bozen' },
      });
      const agliè = await t.db
        .selectFrom('territories')
        .select('name')
        .where('code', '=', '001001')
        .executeTakeFirstOrThrow();
      expect(agliè.name).toBe('Agliè');

      const versions = await versionCount();
      const again = await importIstatComuni(t.db, OFFICIAL_ISTAT, { validFrom: '2025-06-30' });
      expect(again).toMatchObject({
        rows: 7896,
        inserted: 0,
        updated: 0,
        closed: 0,
        linked: 0,
        errors: [],
      });
      expect(await lauCount()).toBe(7896);
      expect(await versionCount()).toBe(versions);
    },
  );

  (available(ISTAT_SNAKE) && available(OFFICIAL_ISTAT) ? it : it.skip)(
    'reads the UTF-8, comma-separated copy of the same list as the same data',
    async () => {
      const report = await importIstatComuni(t.db, ISTAT_SNAKE, { validFrom: '2025-06-30' });
      expect(report).toMatchObject({
        encoding: 'utf8',
        rows: 7896,
        inserted: 0,
        updated: 0,
        closed: 0,
        errors: [],
      });
    },
  );
});

describe('importIstatComuni on broken files: a clear report, nothing written', () => {
  const expectNothingWritten = async (before: { lau: number; versions: number }) => {
    expect(await lauCount()).toBe(before.lau);
    expect(await versionCount()).toBe(before.versions);
  };
  const snapshot = async () => ({ lau: await lauCount(), versions: await versionCount() });

  it('reads Windows-1252 without being told, and UTF-8 with or without BOM', async () => {
    const rows = [{ code: '900001', name: 'Città di Prova', nuts3: 'ITI14' }];
    const latin = await importIstatComuni(t.db, writeIstat(dir, 'latin.csv', rows, 'win1252'), {
      validFrom: '2026-01-01',
    });
    expect(latin).toMatchObject({ encoding: 'cp1252', inserted: 1, errors: [] });
    const stored = await t.db
      .selectFrom('territories')
      .select('name')
      .where('code', '=', '900001')
      .executeTakeFirstOrThrow();
    expect(stored.name).toBe('Città di Prova');
    const utf8 = writeIstat(dir, 'utf8.csv', rows, 'utf8');
    fs.writeFileSync(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(utf8)]));
    expect(await importIstatComuni(t.db, utf8, { validFrom: '2026-01-01' })).toMatchObject({
      encoding: 'utf8',
      inserted: 0,
      updated: 0,
      errors: [],
    });
  });

  it('refuses a file that mixes UTF-8 and Windows-1252, naming the line', async () => {
    const before = await snapshot();
    const file = path.join(dir, 'mixed.csv');
    const head = writeIstat(dir, 'head.csv', [{ code: '900101', name: 'Città Uno' }], 'win1252');
    fs.writeFileSync(
      file,
      Buffer.concat([
        fs.readFileSync(head),
        Buffer.from(`${istatRow({ code: '900102', name: 'Città Due' })}\r\n`, 'utf8'),
      ]),
    );
    const report = await importIstatComuni(t.db, file, { validFrom: '2026-01-01' });
    expect(report.errors).toEqual([
      { line: 5, message: expect.stringContaining('mixed encodings'), code: 'encoding' },
    ]);
    expect(report.inserted).toBe(0);
    await expectNothingWritten(before);
  });

  it.each([
    ['an empty file', '', 'the file is empty', 'empty'],
    ['an XLSX file', 'PK\u0003\u0004binary', 'XLSX', 'zip'],
    ['a binary file', 'abc;def\u0000\u0001', 'binary', 'binary'],
  ])('refuses %s', async (_what, content, message, code) => {
    const file = path.join(dir, 'odd.csv');
    fs.writeFileSync(file, content, 'latin1');
    const report = await importIstatComuni(t.db, file);
    expect(report.errors).toEqual([{ line: 1, message: expect.stringContaining(message), code }]);
  });

  it('names a missing column', async () => {
    const file = path.join(dir, 'nocode.csv');
    fs.writeFileSync(
      file,
      'Codice Regione;Denominazione in italiano;Codice NUTS3 2024\r\n09;Firenze;ITI14\r\n',
    );
    const report = await importIstatComuni(t.db, file);
    expect(report.errors.map((e) => e.message)).toEqual([
      'missing column "codice comune formato alfanumerico"',
      'missing column "denominazione (italiana e straniera)"',
    ]);
  });

  it('reports every bad row by line and writes none of the good ones', async () => {
    const before = await snapshot();
    const file = writeIstat(dir, 'bad.csv', [
      { code: '900201', name: 'Buono Uno' },
      { code: '900202', name: 'Doppio' },
      { code: '900202', name: 'Doppio di nuovo' },
      { code: '900203', name: 'Orfano', nuts3: 'ITZZZ' },
      { code: '900204', name: '=CMD("calc")' },
      { code: '1001', name: 'Senza zeri' },
      { code: '900205', name: '@SUM(A1:A9)' },
      { code: '900206', name: 'Buono Due' },
    ]);
    const report = await importIstatComuni(t.db, file, { validFrom: '2026-01-01' });
    // The header spans lines 1–3, so the first data row is line 4.
    expect(report.errors).toEqual([
      {
        line: 6,
        message: 'duplicate code 900202 (first on line 5)',
        code: 'duplicate',
        params: { code: '900202', first: 5 },
      },
      {
        line: 7,
        message: 'unknown parent: NUTS-3 "ITZZZ" is not a known territory',
        code: 'unknownNuts3',
        params: { code: 'ITZZZ' },
      },
      {
        line: 8,
        message: expect.stringMatching(
          /^formula-like cell in "Denominazione \(Italiana e straniera\)"/,
        ),
        code: 'formula',
        params: { column: 'Denominazione (Italiana e straniera)', value: '"=CMD(\\"calc\\")"' },
      },
      {
        line: 9,
        message: 'code "1001" has lost its leading zeros: ISTAT codes have six digits',
        code: 'istatLeadingZeros',
        params: { code: '1001' },
      },
      {
        line: 10,
        message: expect.stringMatching(/^formula-like cell/),
        code: 'formula',
        params: expect.objectContaining({ value: '"@SUM(A1:A9)"' }),
      },
    ]);
    expect(report).toMatchObject({ rows: 8, inserted: 0, updated: 0, closed: 0 });
    await expectNothingWritten(before);
  });

  it('does not mistake ordinary text for a formula', async () => {
    const file = writeIstat(dir, 'plain.csv', [
      { code: '900301', name: "Sant'Angelo - Borgo" },
      { code: '900302', name: '-Nord' },
    ]);
    expect((await importIstatComuni(t.db, file, { validFrom: '2026-01-01' })).errors).toEqual([]);
  });

  it('refuses names encoded twice (AgliÃ¨ for Agliè) instead of renaming the comuni', async () => {
    const good = writeIstat(dir, 'once.csv', [{ code: '900401', name: 'Città Quattro' }], 'utf8');
    expect(await importIstatComuni(t.db, good, { validFrom: '2026-01-01' })).toMatchObject({
      inserted: 1,
      errors: [],
    });
    // The same list, opened as Windows-1252 and saved again as UTF-8.
    const twice = writeIstat(
      dir,
      'twice.csv',
      [{ code: '900401', name: 'CittÃ\u00a0 Quattro' }],
      'utf8',
    );
    const report = await importIstatComuni(t.db, twice, { validFrom: '2026-06-01' });
    expect(report.errors.map((e) => [e.line, e.code, e.params])).toEqual([
      [
        4,
        'doubleEncoded',
        { column: 'Denominazione (Italiana e straniera)', value: '"CittÃ\u00a0 Quattro"' },
      ],
    ]);
    const stored = await t.db
      .selectFrom('territories')
      .select('name')
      .where('code', '=', '900401')
      .executeTakeFirstOrThrow();
    expect(stored.name).toBe('Città Quattro');
  });

  it('streams a 100 MB file in bounded memory', async () => {
    const file = path.join(dir, 'huge.csv');
    // A bad first row: every row is still read and checked, none written.
    const header = writeIstat(dir, 'huge-head.csv', [{ code: '999999', name: 'X', nuts3: 'NOPE' }]);
    const row = istatRow({
      code: '@CODE@',
      name: `${'Comune con un nome molto lungo '.repeat(6)}@CODE@`,
    });
    // Written by a child process, so that this process's heap holds none of it.
    const rows = Number(
      execFileSync(process.execPath, [
        '-e',
        WRITE_HUGE,
        header,
        file,
        row,
        String(100 * 1024 * 1024),
      ]).toString(),
    );
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(100 * 1024 * 1024);

    // What the process keeps, after a full collection: its heap and the buffers outside it. A
    // whole-file read would show here as 100 MB or more. RSS and an uncollected heap are not used:
    // they follow garbage not yet collected and the allocator's arenas, not what is kept.
    const held = () => {
      collectGarbage();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const base = held();
    let peak = base;
    const report = await importIstatComuni(t.db, file, {
      onProgress: () => {
        peak = Math.max(peak, held());
      },
    });
    expect(report.rows).toBe(rows + 1);
    expect(report.errors[0]).toEqual({
      line: 4,
      message: 'unknown parent: NUTS-3 "NOPE" is not a known territory',
      code: 'unknownNuts3',
      params: { code: 'NOPE' },
    });
    expect(peak - base).toBeLessThan(40 * 1024 * 1024);
  });
});

const WRITE_HUGE = `
  const fs = require('fs');
  const [head, file, row, bytes] = process.argv.slice(1);
  const fd = fs.openSync(file, 'w');
  let size = fs.writeSync(fd, fs.readFileSync(head));
  let n = 0;
  while (size < Number(bytes)) {
    const chunk = [];
    for (let i = 0; i < 5000; i++) chunk.push(row.replaceAll('@CODE@', String(++n).padStart(6, '0')));
    size += fs.writeSync(fd, chunk.join('\\r\\n') + '\\r\\n', null, 'latin1');
  }
  fs.closeSync(fd);
  process.stdout.write(String(n));
`;
