import ExcelJS from 'exceljs';
import type { Express } from 'express';
import request from 'supertest';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { withSurveysClosed } from '../needs/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { dashboardScenario, NEXT_QUARTER, QUARTER_AFTER, type DashboardScenario } from './scenario';
import { decodeEntities, pageText } from '../helpers/html';

let t: TestDb;
let app: Express;
let s: DashboardScenario;
let region: Agent;
let authority: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await dashboardScenario(t.db);
  // A campaign title is typed by a region user: the exports must keep it inert.
  await t.db
    .updateTable('campaigns')
    .set({ title: '=HYPERLINK("http://evil.test","x")' })
    .where('id', '=', s.campaignId)
    .execute();
  region = await loginAs(app, s.region.email, PASSWORD);
  authority = await loginAs(app, s.authority.email, PASSWORD);
});
afterAll(() => t.close());

/** A translation key left raw on a page: `dashboard.columns.firms`, `needsMap.none`… */
const RAW_KEY = /\b(dashboard|needs|needsMap|campaignCharts)\.[a-zA-Z]+\b(?!\.css)/;

describe('GET /dashboard', () => {
  it('gives a pact drawn up for the whole territory a row of its own, so the rows add up to the total', async () => {
    // Firenze's pact is the province's: seen with Firenze's comuni as rows, no comune has it.
    const res = await region.get(`/dashboard?campaign=${s.campaignId}&territory=ITI14`);
    expect(res.status).toBe(200);
    const page = pageText(res.text);
    const whole = /Patti per l'intero territorio di Firenze ((?:\S+ ){10})/.exec(page);
    expect(whole).not.toBeNull();
    const total = /Totale: Firenze ((?:\S+ ){10})/.exec(page)![1]!.trim().split(' ');
    const cells = whole![1]!.trim().split(' ');
    // No firms nor needs of its own; every pact figure the total has, since no comune has any.
    expect(cells.slice(0, 2)).toEqual(['–', '–']);
    expect(cells[2]).toBe(total[2]);
    expect(cells[3]).toBe('–');
    expect(Number(cells[2])).toBeGreaterThan(0);
    const csv = await region.get(`/dashboard/export.csv?campaign=${s.campaignId}&territory=ITI14`);
    expect(csv.text).toContain("Patti per l'intero territorio di Firenze");
    // With the provinces as rows, Firenze's pact is in Firenze's row: no such row.
    const tuscany = await region.get(`/dashboard?campaign=${s.campaignId}`);
    expect(tuscany.text).not.toContain('<th scope="row">Patti per l');
  });

  it('shows the region its table, map, quarters and regions in Italian, each figure linking down', async () => {
    const res = await region.get(`/dashboard?campaign=${s.campaignId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Cruscotto strategico');
    expect(res.text).not.toMatch(RAW_KEY);
    const page = pageText(res.text);
    expect(page).toContain('Imprese rilevate');
    expect(page).toMatch(/Firenze 7 29 14 48,3 %/);
    // Drill down, needs behind the number, pacts behind covered and committed.
    const html = decodeEntities(res.text);
    expect(html).toContain(
      `href="/dashboard?campaign=${s.campaignId}&territory=ITI14&map=coverage"`,
    );
    expect(html).toContain(`href="/needs?campaign=${s.campaignId}&territory=ITI14"`);
    expect(html).toContain(`href="/pacts?campaign=${s.campaignId}&territory=ITI14"`);
    // The map (tile grid: no boundaries imported) with its table, the quarters with theirs.
    expect(res.text).toContain('id="dashboard-map-title"');
    expect(res.text).toContain('<title>Firenze: 48,3 % (Copertura %)</title>');
    expect(res.text).toContain('<title>Prato: 42,9 % (Copertura %)</title>');
    expect(res.text).toContain('<title>Arezzo: nessun fabbisogno dichiarato</title>');
    expect(res.text).toContain('<title id="dashboard-series-title">');
    expect(res.text).toMatch(
      new RegExp(`<desc id="dashboard-series-desc">${NEXT_QUARTER}: Lavoratori da formare 21`),
    );
    expect(page).toContain('Confronto tra regioni');
    expect(page).toMatch(/Toscana .*\(non protetti\) 10 60 /);
    expect(res.text).toContain('/dashboard/export.csv?');
  });

  it('says that a chosen quarter counts the commitments of the actions planned in it', async () => {
    // NEXT_QUARTER holds the pact's actions; the grant was committed when approved, not in it.
    const res = await region.get(`/dashboard?campaign=${s.campaignId}&period=${NEXT_QUARTER}`);
    const page = pageText(res.text);
    expect(page).toMatch(/Totale: Toscana 10 21 13 61,9 % 6\.000,00 €/);
    expect(page).toContain(
      "Impegnato: il registro degli impegni a oggi, per trimestre dell'azione.",
    );
    const en = await region.get(
      `/dashboard?campaign=${s.campaignId}&period=${NEXT_QUARTER}&lang=en`,
    );
    expect(pageText(en.text)).toContain(
      "Committed: the commitments ledger now, by the action's quarter.",
    );
  });

  it('reads in English with no raw key', async () => {
    const res = await region.get(`/dashboard?campaign=${s.campaignId}&territory=ITI14&lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Strategic dashboard');
    expect(res.text).not.toMatch(RAW_KEY);
    expect(pageText(res.text)).toMatch(/Fiesole 1 2 /);
  });

  it("tells the public an open survey's needs are published when it closes, and draws no map of them", async () => {
    const it = await request(app).get('/dashboard?territory=ITI14');
    expect(it.status).toBe(200);
    expect(pageText(it.text)).toContain(
      'Indagine ancora aperta: i fabbisogni si pubblicano alla chiusura',
    );
    expect(it.text).toMatch(
      /<th scope="row">Fiesole<\/th>\s*<td class="text-end">1<\/td><td class="text-end"><abbr title="non ancora pubblicato: l&#x27;indagine è aperta">•<\/abbr>/,
    );
    const regional = await request(app).get('/dashboard?territory=ITI1');
    expect(regional.text).not.toContain('needs-map.css');
    expect(regional.text).not.toContain('id="field-map"');
    expect(pageText(regional.text)).toContain(
      'La mappa dei fabbisogni e della copertura si pubblica',
    );
    const en = await request(app).get('/dashboard?territory=ITI14&lang=en');
    expect(pageText(en.text)).toMatch(
      /published when the survey closes \(on \d{1,2} [A-Z][a-z]+ \d{4}, unless extended\)/,
    );
    expect(en.text).not.toMatch(RAW_KEY);
    // A firm is no institution: it reads what the public reads.
    const firmUser = await newUser(t.db, { role: 'firm', territory: '048017' });
    const firm = await loginAs(app, firmUser.email, PASSWORD);
    expect(pageText((await firm.get('/dashboard?territory=ITI14')).text)).toContain(
      'Indagine ancora aperta',
    );
    // The local authority working on the pacts reads them as they change, protected.
    const page = await authority.get('/dashboard');
    expect(pageText(page.text)).not.toContain('Indagine ancora aperta');
    expect(page.text).toContain('meno di 3 imprese');
  });

  it('shows the public protected figures with their explanation and no link to pages it cannot open', async () => {
    await withSurveysClosed(t.db, () => publicFigures());
  });

  const publicFigures = async () => {
    for (const lang of ['it', 'en']) {
      const res = await request(app).get(`/dashboard?territory=ITI14&lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(RAW_KEY);
      expect(res.text).toMatch(
        /<th scope="row">Fiesole<\/th>\s*<td class="text-end">1<\/td><td class="text-end"><abbr title="[^"]+">•<\/abbr>/,
      );
      expect(res.text).not.toContain('href="/needs?');
      expect(res.text).not.toContain('href="/pacts?');
    }
    const it = await request(app).get('/dashboard?territory=ITI14');
    expect(it.text).toContain('meno di 3 imprese');
    // The region selector lists both regions with a campaign.
    expect(it.text).toMatch(/<option value="ITC4"[^>]*>Lombardia<\/option>/);
  };

  it('links every role to the dashboard from the header, and works with no campaign at all', async () => {
    const res = await request(app).get('/');
    expect(res.text).toContain('href="/dashboard"');
    const empty = await newTestDb();
    try {
      const page = await request(testApp(empty)).get('/dashboard');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Nessuna indagine pubblicata');
    } finally {
      await empty.close();
    }
  });
});

describe('exports', () => {
  it('gives a local authority the CSV of its view, protected, saying what was hidden and why', async () => {
    const res = await authority.get(`/dashboard/export.csv?campaign=${s.campaignId}&lang=it`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(`Indagine,"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(lines).toContain('Territorio,Firenze (ITI14)');
    expect(lines.find((l) => l.startsWith('"Dati protetti:'))).toBeDefined();
    expect(lines).toContain('• meno di 3 imprese');
    const fiesole = lines.find((l) => l.startsWith('Fiesole,'))!;
    expect(fiesole.split(',').slice(0, 5)).toEqual(['Fiesole', '1', '•', '0', '•']);
    expect(lines.find((l) => l.startsWith(`${QUARTER_AFTER},`))).toMatch(
      new RegExp(`^${QUARTER_AFTER},(•|\\d+),4,2$`),
    );
  });

  it('counts and explains every hidden value of the file, the quarters and regions too', async () => {
    await withSurveysClosed(t.db, async () => {
      for (const territory of ['ITI1', 'ITI15']) {
        const res = await request(app).get(
          `/dashboard/export.csv?campaign=${s.campaignId}&territory=${territory}&lang=en`,
        );
        const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
        const markers = lines.flatMap((l) => l.split(',')).filter((c) => c === '•').length;
        expect(markers).toBeGreaterThan(0);
        const note = lines.find((l) => l.startsWith('"Protected figures:'))!;
        expect(note).toContain(markers === 1 ? '1 value hidden' : `${markers} values hidden`);
        // Lombardy's two firms are fewer than k: its readiness is hidden, and the reason given.
        expect(lines).toContain('• fewer than 3 firms');
      }
    });
  });

  it('gives the region the unprotected CSV with money in euros', async () => {
    const res = await region.get(
      `/dashboard/export.csv?campaign=${s.campaignId}&territory=ITI14&lang=it`,
    );
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain('Dati non protetti (regione): non per la pubblicazione.');
    // Money with its two decimals, as the open data and the ESF+ indicators write it.
    expect(lines).toContain('Fiesole,1,2,0,0,0.00,0.00,0,0,,');
    expect(lines).toContain('Totale: Firenze,7,29,14,48.3,8400.00,6000.00,14,10,71.4,600.00');
    expect(lines).toContain(`${NEXT_QUARTER},14,10,8`);
  });

  it('names the unit of money and percentages in the headers, in the reader’s language', async () => {
    const it = await region.get(`/dashboard/export.csv?campaign=${s.campaignId}&lang=it`);
    expect(it.text.split('\r\n')).toContain(
      'Territorio,Imprese rilevate,Lavoratori da formare,Lavoratori coperti,Copertura (%),' +
        'Budget impegnato (€),Speso (€),Iscritti,Formati,Completamento (%),' +
        'Costo per lavoratore formato (€)',
    );
    const en = await region.get(`/dashboard/export.csv?campaign=${s.campaignId}&lang=en`);
    expect(en.text.split('\r\n')).toContain(
      'Territory,Firms surveyed,Workers in need,Workers covered,Coverage (%),' +
        'Budget committed (€),Spent (€),Enrolled,Completed,Completion (%),' +
        'Cost per trained worker (€)',
    );
    const xlsx = await region
      .get(`/dashboard/export.xlsx?campaign=${s.campaignId}&territory=ITI14&lang=en`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(xlsx.body as Buffer).buffer);
    let total: ExcelJS.Row | undefined;
    wb.getWorksheet('Territories')!.eachRow((row) => {
      if (row.getCell(1).value === 'Total: Florence') total = row;
    });
    // Coverage 48.3 %, committed 8,400.00 €, cost per trained worker 600.00 €.
    expect([5, 6, 11].map((c) => total!.getCell(c).value)).toEqual([48.3, 8400, 600]);
    expect([5, 6, 11].map((c) => total!.getCell(c).numFmt)).toEqual([
      '0.0',
      '#,##0.00',
      '#,##0.00',
    ]);
  });

  it('writes the same view as a workbook: a marker and a note where hidden, numbers elsewhere', async () => {
    const res = await authority
      .get(`/dashboard/export.xlsx?campaign=${s.campaignId}&lang=en`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(res.body as Buffer).buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Territories', 'Quarters', 'Regions']);
    const ws = wb.getWorksheet('Territories')!;
    expect(ws.getCell('B1').value).toBe('=HYPERLINK("http://evil.test","x")');
    expect(ws.getCell('B1').numFmt).toBe('@');
    let fiesole: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'Fiesole') fiesole = row;
    });
    expect(fiesole!.getCell(2).value).toBe(1);
    expect(fiesole!.getCell(3).value).toBe('•');
    expect(String(fiesole!.getCell(3).note)).toContain('fewer than 3 firms');
    const notes: string[] = [];
    ws.eachRow((row) => notes.push(String(row.getCell(1).value)));
    expect(notes.some((n) => n.startsWith('Protected figures:'))).toBe(true);
  });
});
