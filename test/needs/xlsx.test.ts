import ExcelJS from 'exceljs';
import type { Express } from 'express';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { tuscanScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof tuscanScenario>>;
let authority: Agent;
let region: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await tuscanScenario(t.db);
  // A campaign title is typed by a region user: the export must keep it inert.
  await t.db
    .updateTable('campaigns')
    .set({ title: '=HYPERLINK("http://evil.test","x")' })
    .where('id', '=', s.campaign.id)
    .execute();
  authority = await loginAs(app, s.authority.email, PASSWORD);
  region = await loginAs(app, s.region.email, PASSWORD);
});
afterAll(() => t.close());

async function workbook(agent: Agent, query: string) {
  const res = await agent
    .get(`/needs/export.xlsx?campaign=${s.campaign.id}&${query}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  );
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);
  return { ws: wb.worksheets[0]!, res };
}

/** The sheet as rows of plain values, and the row where the table's header starts. */
function rowsOf(ws: ExcelJS.Worksheet) {
  const rows: ExcelJS.CellValue[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = (row.values as ExcelJS.CellValue[]).slice(1);
  });
  // The header block has a 'Territorio' line too: the table's header is the last one.
  const head = rows.map((r) => r?.[0]).lastIndexOf('Territorio');
  return { rows, head };
}

describe('GET /needs/export.xlsx', () => {
  it('gives a local authority the protected view: markers, reasons, a header that says why', async () => {
    const { ws, res } = await workbook(authority, 'by=area');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="?needs-ITI14-area\.xlsx"?$/,
    );
    const { rows, head } = rowsOf(ws);
    expect(rows[1]).toEqual(['Territorio', 'Firenze (ITI14)']);
    const header = rows.slice(0, head).flat().join('\n');
    expect(header).toMatch(/Dati protetti: \d+ valori oscurati \(•\); soglia 3 imprese/);
    expect(header).toContain('• meno di 3 imprese');

    const fiesoleRow = head + 1 + rows.slice(head + 1).findIndex((r) => r?.[0] === 'Fiesole');
    const total = ws.getRow(fiesoleRow + 1).getCell(rows[head]!.length);
    expect(total.value).toBe('•');
    expect(total.note).toBe('meno di 3 imprese');

    // The same cells as the CSV of the same view: hidden where it is hidden, equal elsewhere.
    const csv = await authority.get(`/needs/export.csv?campaign=${s.campaign.id}&by=area`);
    const csvRows = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const csvHead = csvRows.map((r) => r[0]).lastIndexOf('Territorio');
    const table = rows.slice(head);
    expect(table.length).toBe(csvRows.length - csvHead);
    table.forEach((r, i) =>
      r.slice(1).forEach((v, j) => expect(String(v)).toBe(csvRows[csvHead + i]![j + 1])),
    );
    // No number hides behind a marker.
    let hidden = 0;
    ws.eachRow((row) =>
      row.eachCell((c) => {
        if (c.value === '•') {
          hidden++;
          expect(c.type).toBe(ExcelJS.ValueType.String);
        }
      }),
    );
    expect(hidden).toBeGreaterThanOrEqual(2);
  });

  it('never writes text as a formula', async () => {
    const { ws } = await workbook(authority, 'by=skill');
    const title = ws.getRow(1).getCell(2);
    expect(title.type).toBe(ExcelJS.ValueType.String);
    expect(title.value).toBe('=HYPERLINK("http://evil.test","x")');
    expect(title.formula).toBeUndefined();
    expect(title.numFmt).toBe('@');
    ws.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('gives the region every number, saying the figures are unprotected', async () => {
    const { ws } = await workbook(region, 'territory=ITI14&by=section&measure=firms');
    const { rows, head } = rowsOf(ws);
    expect(rows.slice(0, head).flat()).toContain(
      'Dati non protetti (regione): non destinati alla pubblicazione.',
    );
    const fiesole = rows.find((r) => r?.[0] === 'Fiesole')!;
    expect(fiesole.at(-1)).toBe(1);
    expect(rows.flat()).not.toContain('•');
  });

  it('answers 404 for a campaign the reader cannot open, 400 for a bad query', async () => {
    const other = await authority.get(
      '/needs/export.xlsx?campaign=00000000-0000-4000-8000-000000000000',
    );
    expect(other.status).toBe(404);
    expect((await authority.get('/needs/export.xlsx?by=nope')).status).toBe(400);
  });
});
