import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { csrfFrom, loginAs, testApp, type Agent } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { errorLines, fileProblem } from '../../src/modules/reference/importers/cli';
import { decodeEntities } from '../helpers/html';

const OFFICIAL = path.resolve(
  __dirname,
  '../../../shared/data/territories/official/Elenco-comuni-italiani.csv',
);
const NUTS_2024 = path.resolve(__dirname, '../../../shared/data/territories/nuts_2024.csv');

let t: TestDb;
let admin: Agent;
let adminId: string;
beforeAll(async () => {
  t = await newTestDb();
  const user = await newUser(t.db, { role: 'admin' });
  adminId = user.id;
  admin = await loginAs(testApp(t, { IMPORT_MAX_MB: '1' }), user.email, PASSWORD);
});
afterAll(() => t.close());

async function upload(
  fields: Record<string, string>,
  file?: { name: string; content: Buffer | string },
) {
  const token = await csrfFrom(admin, '/admin/imports');
  let req = admin.post(`/admin/imports?_csrf=${encodeURIComponent(token)}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('file', Buffer.from(file.content), file.name);
  return req;
}

async function waitForJob(location: string) {
  for (let i = 0; i < 200; i++) {
    const page = await admin.get(location);
    if (!page.headers.refresh) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('import did not finish');
}

/** Text as UTF-16 little-endian with its byte-order mark. */
const utf16 = (text: string) =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

const jobs = async () => (await t.db.selectFrom('import_jobs').select('id').execute()).length;

describe('GET /admin/imports', () => {
  // The form offered NUTS2021, which the built-in NUTS 2024 codes make impossible to import.
  it('offers only the NUTS versions that can still come, and says why the others cannot', async () => {
    const page = await admin.get('/admin/imports');
    const options = [...page.text.matchAll(/<option value="(NUTS\d{4})"/g)].map((m) => m[1]);
    expect(options).toEqual(['NUTS2024']);
    // The day in words, as everywhere else on the pages: it read "dal 2024-01-01".
    expect(decodeEntities(page.text)).toContain(
      'NUTS2021 non si può importare qui: i codici NUTS già caricati valgono dal 1º gennaio 2024,',
    );
    expect((await admin.get('/admin/imports?lang=en')).text).toContain(
      'the NUTS codes already loaded apply from 1 January 2024,',
    );
    await admin.get('/admin/imports?lang=it');
  });
});

describe('POST /admin/imports', () => {
  it('imports a NUTS file and shows the report; a second run changes nothing', async () => {
    const csv =
      'nuts_id,level,country,parent_id,name_latn,name_native\nIT,0,IT,,Italia,Italia\nITI,1,IT,IT,Centro (IT),Centro (IT)\nITI1,2,IT,ITI,Toscana,Toscana\nITI1Z,3,IT,ITI1,Nuova Provincia,Nuova Provincia\n';
    const res = await upload(
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'nuts.csv', content: csv },
    );
    expect(res.status).toBe(303);
    const page = await waitForJob(res.headers.location!);
    expect(page.text).toContain('Importazione completata.');
    // The report's labels, not their keys (the rows read once showed as "imports.rows").
    expect(page.text).toContain('Righe lette');
    expect(page.text).not.toMatch(/imports\.\w/);
    // The size in the reader's language: "bytes" in English (it read "byte" in both).
    expect(page.text).toContain(`nuts.csv (${csv.length} byte)`);
    const en = await admin.get(`${res.headers.location!}?lang=en`);
    expect(en.text).toContain(`nuts.csv (${csv.length} bytes)`);
    await admin.get('/admin/imports?lang=it');
    expect(
      await t.db
        .selectFrom('territories')
        .select('name')
        .where('code', '=', 'ITI1Z')
        .executeTakeFirst(),
    ).toEqual({ name: 'Nuova Provincia' });
    const again = await waitForJob(
      (await upload({ kind: 'nuts', version: 'NUTS2024' }, { name: 'nuts.csv', content: csv }))
        .headers.location!,
    );
    const report = await t.db
      .selectFrom('import_jobs')
      .select('report')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(again.text).toContain('Importazione completata.');
    expect(report.report).toMatchObject({ rows: 4, inserted: 0, updated: 0 });
  });

  it('reports a bad row by line number and writes nothing', async () => {
    const csv =
      'nuts_id,level,country,parent_id,name_latn\nITI1Y,3,IT,ITI1,Buona\nITZZ7,3,IT,NOPE9,Senza genitore\n';
    const res = await upload(
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'bad.csv', content: csv },
    );
    const page = await waitForJob(res.headers.location!);
    expect(page.text).toContain('nessuna modifica è stata scritta');
    expect(page.text).toMatch(/<td>3<\/td>/);
    expect(
      await t.db
        .selectFrom('territories')
        .select('code')
        .where('code', '=', 'ITI1Y')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it("words a refused file in the page's language: a missing column, a UTF-16 file", async () => {
    const wrong = await upload({ kind: 'istat' }, { name: 'x.csv', content: 'a;b\n1;2\n' });
    const page = await waitForJob(wrong.headers.location!);
    expect(page.text).toContain(
      'Manca la colonna «codice comune formato alfanumerico»: controlla di aver scelto il tipo di file giusto',
    );
    expect(page.text).not.toContain('missing column');
    const en = await admin.get(`${wrong.headers.location!}?lang=en`);
    expect(en.text).toContain('The column “codice comune formato alfanumerico” is missing');
    // Refused before any job starts, in the page's language (English here).
    const refused = await upload(
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'y.csv', content: Buffer.from([0xff, 0xfe, 0x61, 0x62]) },
    );
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('The file is UTF-16: save it as UTF-8 CSV');
    expect(refused.text).not.toContain('is not supported');
    await admin.get('/admin/imports?lang=it');
  });

  it("words each refused row in the page's language, and the command line in English", async () => {
    const csv = [
      'codice_comune;denominazione;nuts3_2024;codice_catastale',
      '1001;Senza zeri;ITI14;A001',
      '900101;Uno;ITI14;A002',
      '900101;Doppio;ITI14;A003',
      '900102;Orfano;ITZZZ;A004',
      '900103;Catasto;ITI14;1234',
      '900104;Corta;ITI14',
      '',
    ].join('\n');
    const res = await upload({ kind: 'istat' }, { name: 'comuni.csv', content: csv });
    const page = await waitForJob(res.headers.location!);
    for (const reason of [
      'Il codice «1001» ha perso gli zeri iniziali: i codici ISTAT hanno sei cifre',
      'Codice 900101 ripetuto (compare già alla riga 3).',
      'il codice NUTS-3 «ITZZZ» non è un territorio noto.',
      'Il codice catastale «1234» non ha la forma di A074',
      'Celle nella riga: 3, attese 4. Controlla i separatori e le virgolette, o se il file è stato troncato.',
    ])
      expect(page.text).toContain(reason);
    expect(page.text).not.toMatch(/leading zeros|duplicate code|unknown parent|is not like A074/);

    const en = await admin.get(`${res.headers.location!}?lang=en`);
    for (const reason of [
      'The code “1001” has lost its leading zeros: ISTAT codes have six digits',
      'Code 900101 appears twice (first on line 3).',
      'Unknown parent: NUTS-3 “ITZZZ” is not a known territory.',
      'The cadastral code “1234” is not like A074',
      'Cells in the row: 3, expected 4. Check the separators and the quotes, or whether the file was cut short.',
    ])
      expect(en.text).toContain(reason);
    await admin.get('/admin/imports?lang=it');

    const job = await t.db
      .selectFrom('import_jobs')
      .select('report')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(errorLines(job.report!.errors)).toEqual([
      'line 2: code "1001" has lost its leading zeros: ISTAT codes have six digits',
      'line 4: duplicate code 900101 (first on line 3)',
      'line 5: unknown parent: NUTS-3 "ITZZZ" is not a known territory',
      'line 6: cadastral code "1234" is not like A074',
      'line 7: expected 4 cells, found 3',
      'Nothing was written: fix the lines above and run again.',
    ]);
  });

  it('keeps the message of a reason it has no words for', async () => {
    const job = await t.db
      .insertInto('import_jobs')
      .values({
        kind: 'nuts',
        version: 'NUTS2024',
        file_name: 'old.csv',
        file_bytes: 10,
        status: 'failed',
        created_by: adminId,
        report: JSON.stringify({
          rows: 2,
          inserted: 0,
          updated: 0,
          closed: 0,
          linked: 0,
          encoding: 'utf8',
          errors: [
            { line: 2, message: 'a reason from before codes' },
            {
              line: 3,
              message: 'a reason from a newer version',
              code: 'fromTheFuture',
              params: {},
            },
          ],
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const page = await admin.get(`/admin/imports/${job.id}`);
    expect(page.text).toContain('a reason from before codes');
    expect(page.text).toContain('a reason from a newer version');
  });

  it('keeps each ESCO collection in its own area: a second one closes nothing of the first', async () => {
    const header =
      'conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description\n';
    const row = (n: number, label: string) =>
      `KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/00000000-0000-4000-8000-0000000009${n}0,${label},released,skill/competence,cross-sector,,\n`;
    const digital = await upload(
      { kind: 'esco' },
      { name: 'digitalSkillsCollection_en.csv', content: header + row(1, 'use cloud tools') },
    );
    expect((await waitForJob(digital.headers.location!)).text).toContain(
      'Importazione completata.',
    );
    // Imported some time ago: a later file of the same area that does not list it would close it.
    await t.db
      .updateTable('skills')
      .set({ valid_from: '2026-01-01' })
      .where('name', '=', 'use cloud tools')
      .execute();
    const green = await upload(
      { kind: 'esco' },
      { name: 'greenSkillsCollection_en.csv', content: header + row(2, 'reduce waste') },
    );
    expect((await waitForJob(green.headers.location!)).text).toContain('Importazione completata.');
    const skills = await t.db
      .selectFrom('skills')
      .select(['name', 'area_code', 'valid_to'])
      .where('name', 'in', ['use cloud tools', 'reduce waste'])
      .orderBy('name')
      .execute();
    expect(skills).toEqual([
      { name: 'reduce waste', area_code: 'ESCO-GREEN', valid_to: null },
      { name: 'use cloud tools', area_code: 'ESCO-DIGITAL', valid_to: null },
    ]);
  });

  it('refuses a formula-injection cell', async () => {
    const csv = 'nuts_id,level,country,parent_id,name_latn\nITI1X,3,IT,ITI1,"=CMD(""calc"")"\n';
    const page = await waitForJob(
      (await upload({ kind: 'nuts', version: 'NUTS2024' }, { name: 'f.csv', content: csv })).headers
        .location!,
    );
    expect(page.text).toContain('formula');
    expect(
      await t.db
        .selectFrom('territories')
        .select('code')
        .where('code', '=', 'ITI1X')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('imports a NUTS workbook (XLSX) like its CSV, and refuses a formula cell by reference', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('NUTS 2024');
    sheet.addRow(['nuts_id', 'level', 'country', 'parent_id', 'name_latn', 'name_native']);
    sheet.addRow(['ITI1W', 3, 'IT', 'ITI1', 'Provincia dal foglio', 'Provincia dal foglio']);
    const res = await upload(
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'NUTS2024.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) },
    );
    expect(res.status).toBe(303);
    expect((await waitForJob(res.headers.location!)).text).toContain('Importazione completata.');
    expect(
      await t.db
        .selectFrom('territories')
        .select(['name', 'parent_code'])
        .where('code', '=', 'ITI1W')
        .executeTakeFirst(),
    ).toEqual({ name: 'Provincia dal foglio', parent_code: 'ITI1' });

    sheet.addRow(['ITI1V', 3, 'IT', 'ITI1', { formula: 'E2&"!"', result: 'x!' }, null]);
    const bad = await upload(
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'NUTS2024.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) },
    );
    const page = await waitForJob(bad.headers.location!);
    expect(page.text).toContain('La cella E3 contiene una formula');
    expect(page.text).not.toContain('formulas are not accepted');
    expect(page.text).toContain('nessuna modifica è stata scritta');
    expect(
      await t.db.selectFrom('territories').select('code').where('code', '=', 'ITI1V').execute(),
    ).toEqual([]);
  });

  it.each([
    ['no file', { kind: 'istat' }, undefined, 'Scegli un file'],
    [
      'an XLSX for the ISTAT list',
      { kind: 'istat' },
      { name: 'comuni.xlsx', content: Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0]) },
      'Solo la classificazione NUTS si può caricare come XLSX',
    ],
    [
      'a file named .xlsx that is not a workbook',
      { kind: 'nuts', version: 'NUTS2024' },
      { name: 'nuts.xlsx', content: 'nuts_id,level\nIT,0\n' },
      'non è un foglio di calcolo XLSX valido',
    ],
    ['not a CSV', { kind: 'istat' }, { name: 'x.pdf', content: '%PDF-1.4' }, 'deve essere un CSV'],
    ['an empty file', { kind: 'istat' }, { name: 'x.csv', content: '' }, 'Il file è vuoto'],
    [
      'a UTF-16 file, as Excel saves "Unicode text"',
      { kind: 'istat' },
      { name: 'x.csv', content: utf16('Codice Comune;Denominazione\n048014;Empoli\n') },
      'Il file è in UTF-16: salvalo come CSV UTF-8',
    ],
    [
      'a binary file named .csv',
      { kind: 'istat' },
      { name: 'x.csv', content: Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0]) },
      'non è un CSV di testo',
    ],
    [
      'NUTS without a version',
      { kind: 'nuts' },
      { name: 'n.csv', content: 'a,b\n' },
      'versione della classificazione',
    ],
    [
      'an unknown kind',
      { kind: 'shapefile' },
      { name: 'n.csv', content: 'a,b\n' },
      'Scegli uno dei valori',
    ],
  ])('refuses %s with a clear message and starts nothing', async (_what, fields, file, message) => {
    const before = await jobs();
    const res = await upload(fields as Record<string, string>, file as never);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await jobs()).toBe(before);
  });

  it('refuses a file over the size limit with 413', async () => {
    const before = await jobs();
    const res = await upload(
      { kind: 'istat' },
      { name: 'big.csv', content: 'x'.repeat(1024 * 1024 + 10) },
    );
    expect(res.status).toBe(413);
    expect(res.text).toContain('supera il limite di 1 MB');
    expect(await jobs()).toBe(before);
  });

  it('is for admin users only', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get('/admin/imports')).status).toBe(403);
    expect((await request(testApp(t)).get('/admin/imports')).status).toBe(302);
  });
});

const official = fs.existsSync(OFFICIAL) && fs.existsSync(NUTS_2024);
if (!official) console.warn(`Skipping the official-file upload: ${OFFICIAL} is not present`);
(official ? describe : describe.skip)('uploading the official ISTAT list', () => {
  it('imports every comune, detecting Windows-1252', async () => {
    const res = await upload(
      { kind: 'istat' },
      { name: 'Elenco-comuni-italiani.csv', content: fs.readFileSync(OFFICIAL) },
    );
    // The test app's limit is 1 MB; the official file is larger, so use a roomier app here.
    if (res.status === 413) {
      const user = await newUser(t.db, { role: 'admin' });
      admin = await loginAs(testApp(t), user.email, PASSWORD);
      const retry = await upload(
        { kind: 'istat' },
        { name: 'Elenco-comuni-italiani.csv', content: fs.readFileSync(OFFICIAL) },
      );
      const page = await waitForJob(retry.headers.location!);
      expect(page.text).toContain('Windows-1252');
    }
    const n = await t.db
      .selectFrom('territories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('level', '=', 'LAU')
      .executeTakeFirstOrThrow();
    expect(n.n).toBeGreaterThanOrEqual(7896);
  }, 120_000);
});

describe('the import scripts (npm run import:…)', () => {
  it('refuse a second file, a missing file and a folder instead of ignoring them', () => {
    expect(fileProblem([OFFICIAL])).toBeNull();
    expect(fileProblem([OFFICIAL, NUTS_2024])).toBe(
      `one file at a time: run the import once for each of ${OFFICIAL}, ${NUTS_2024}`,
    );
    expect(fileProblem(['/no/such/comuni.csv'])).toBe('/no/such/comuni.csv: no such file');
    expect(fileProblem([__dirname])).toBe(`${__dirname}: not a file`);
  });

  it('ask for a missing --version before opening the database', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/import-nuts.ts', NUTS_2024],
      {
        cwd: path.resolve(__dirname, '../..'),
        encoding: 'utf8',
        // Never reached: the command stops before it opens a database.
        env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^missing --version\nusage: npm run import:nuts -- /);
  });

  it('say a problem of the whole file without a line 0', () => {
    expect(
      errorLines([{ line: 0, message: 'version must look like NUTS2024 (got 2024)' }]),
    ).toEqual([
      'version must look like NUTS2024 (got 2024)',
      'Nothing was written: fix the lines above and run again.',
    ]);
  });
});
