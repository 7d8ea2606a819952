import request from 'supertest';
import type { Express } from 'express';
import { testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { needsAggregate } from '../../src/modules/needs/needs.service';
import { COLUMNS } from '../../src/modules/opendata/dictionary';
import { openDataScenario } from './scenario';
import { decodeEntities, pageText } from '../helpers/html';
import { farDay } from '../helpers/dates';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof openDataScenario>>;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await openDataScenario(t.db);
});
afterAll(() => t.close());

type Rec = Record<string, string | number | boolean | null>;

/** CSV lines as fields (RFC 4180: quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && ch === '"') quoted = false;
    else if (quoted) field += ch;
    else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('GET /open-data (public page)', () => {
  it('answers without login, with the licence, both datasets and the data dictionary', async () => {
    const res = await request(app).get(`/open-data?campaign=${s.campaign.id}&lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="https://creativecommons.org/licenses/by/4.0/"');
    expect(res.text).toContain('CC BY 4.0');
    const html = decodeEntities(res.text);
    expect(html).toContain(`href="/open-data/needs.csv?campaign=${s.campaign.id}"`);
    expect(html).toContain(`href="/open-data/pacts.json?campaign=${s.campaign.id}"`);
    for (const dataset of ['needs', 'pacts'] as const) {
      const table = new RegExp(`data-dictionary="${dataset}".*?</table>`, 's').exec(res.text)![0];
      for (const c of COLUMNS[dataset]) expect(table).toContain(`<code>${c.name}</code>`);
    }
    expect(res.text).toContain('Participants funded in the funded actions: all those planned');
    // Firms by area do not add up to the territory's firms: the dictionary says so.
    expect(res.text).toContain('the areas can add up to more than the total');
    expect(res.text).toContain('>workers<'); // a unit
    expect(res.text).not.toMatch(/openData\.|needs\.reasons\./);
    // The preview hides the 2-firm DC1 cell of the region: the marker, no number.
    const dc1 = /<tr data-area="DC1">(.*?)<\/tr>/s.exec(res.text)![1]!;
    expect(dc1).toContain('•');
    expect(dc1).not.toMatch(/>\s*\d+\s*</);
    expect(res.text).toContain('Patto Firenze 4.0, seconda fase');
    expect(res.text).not.toContain('Patto draft');
    // What each funded pact spent, beside what was approved.
    const running = new RegExp(`<tr data-pact="${s.running.id}">(.*?)</tr>`, 's').exec(res.text)!;
    expect(running[1]).toContain('1,750.25');
    expect(res.text).toContain('<th scope="col" class="text-end">Spent (€)</th>');
  });

  it('speaks Italian too, with no missing text', async () => {
    const res = await request(app).get(`/open-data?campaign=${s.campaign.id}&lang=it`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Dizionario dei dati');
    expect(res.text).toContain('Licenza');
    expect(res.text).not.toMatch(/openData\.|needs\.reasons\./);
  });

  it('is linked from every page header', async () => {
    const res = await request(app).get('/login');
    expect(res.text).toContain('href="/open-data"');
  });
});

describe('open needs dataset: the protection of /needs, in JSON and CSV', () => {
  it('suppresses the 2-firm cell everywhere and never shows the region-only value', async () => {
    const res = await request(app).get(`/open-data/needs.json?campaign=${s.campaign.id}`);
    expect(res.status).toBe(200);
    expect(res.body.licence.url).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(res.body.k).toBe(3);
    const records = res.body.records as Rec[];
    expect(Object.keys(records[0]!)).toEqual(COLUMNS.needs.map((c) => c.name));
    // The region sees DC1 in Firenze: 2 firms, 13 workers.
    const region = await needsAggregate(t.db, s.region, {
      campaignId: s.campaign.id,
      territory: '048017',
      by: 'area',
      priority: '*',
      period: '*',
    });
    expect(region.cells.find((c) => c.value === 'DC1')).toMatchObject({ firms: 2, workers: 13 });
    const dc1 = records.filter((r) => r.skill_area_code === 'DC1');
    expect(dc1.map((r) => r.territory_code).sort()).toEqual(['048017', 'ITI1', 'ITI14']);
    for (const r of dc1)
      expect(r).toMatchObject({
        firms: null,
        workers: null,
        suppressed: true,
        suppression_reason: 'threshold',
      });
    // Nothing lets DC1 be worked out: in no territory are the total, F40 and DC2 all published.
    for (const code of ['048017', 'ITI14', 'ITI1']) {
      const of = (area: string) =>
        records.find((r) => r.territory_code === code && r.skill_area_code === area)!;
      expect(of('*').suppressed || of('F40').suppressed || of('DC2').suppressed).toBe(true);
      if (!of('F40').suppressed) expect(of('F40')).toMatchObject({ firms: 3, workers: 12 });
    }
    // The page's protection and the file's are one: a local authority's /needs view agrees.
    const authority = await needsAggregate(t.db, s.authority, {
      campaignId: s.campaign.id,
      by: 'area',
      priority: '*',
      period: '*',
    });
    for (const c of authority.cells) {
      const r = records.find(
        (x) => x.territory_code === c.territory && x.skill_area_code === c.value,
      )!;
      expect(r.suppressed).toBe(c.suppressed);
      if (!c.suppressed) expect([r.firms, r.workers]).toEqual([c.firms, c.workers]);
    }
  });

  it('gives the same records as CSV: header, suppressed cells empty and marked', async () => {
    const res = await request(app).get(`/open-data/needs.csv?campaign=${s.campaign.id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?patto-needs-/);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(COLUMNS.needs.map((c) => c.name));
    const col = (name: string) => header!.indexOf(name);
    const dc1 = rows.filter((r) => r[col('skill_area_code')] === 'DC1');
    expect(dc1).toHaveLength(3);
    for (const r of dc1) {
      expect(r[col('firms')]).toBe('');
      expect(r[col('workers')]).toBe('');
      expect(r[col('suppressed')]).toBe('true');
      expect(r.join(',')).not.toMatch(/,13,|,2,/);
    }
    const json = await request(app).get(`/open-data/needs.json?campaign=${s.campaign.id}`);
    expect(rows).toHaveLength(json.body.records.length);
  });
});

describe('open pacts dataset', () => {
  it('lists only approved, in-progress and closed pacts, with no personal or firm data', async () => {
    const res = await request(app).get(`/open-data/pacts.json?campaign=${s.campaign.id}`);
    expect(res.status).toBe(200);
    const records = res.body.records as Rec[];
    expect(records.map((r) => r.pact_id).sort()).toEqual(
      [s.approved.id, s.running.id, s.closed.id].sort(),
    );
    expect(Object.keys(records[0]!)).toEqual(COLUMNS.pacts.map((c) => c.name));
    const approved = records.find((r) => r.pact_id === s.approved.id)!;
    expect(approved).toMatchObject({
      status: 'approved',
      territory_code: 'ITI14',
      promoter: '@Città metropolitana, "Firenze"',
      call_id: s.call.id,
      call_title: s.call.title,
      approved_eur: 12345.5,
      actions: 2,
      participants: 7,
      decided_on: '2026-12-01',
      // Nothing reported yet: nothing spent.
      spent_eur: 0,
      spent_up_to: null,
    });
    // Public money spent, summed over the pact's actions and quarters, and up to which quarter;
    // the firms' co-financing is not in it.
    expect(records.find((r) => r.pact_id === s.running.id)).toMatchObject({
      spent_eur: 1750.25,
      spent_up_to: '2027-Q2',
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('99.99');
    for (const name of s.firmNames) expect(text).not.toContain(name);
    expect(text).not.toContain(s.authority.email);
    expect(text).not.toContain(s.authority.fullName);
    expect(text).not.toContain(s.authority.id);
  });

  it('neutralises formulas in the CSV and quotes per RFC 4180', async () => {
    const res = await request(app).get(`/open-data/pacts.csv?campaign=${s.campaign.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(res.text).toContain(`"'@Città metropolitana, ""Firenze"""`);
    expect(res.text).toContain(',12345.50,2,7,2026-12-01,0.00,\r\n');
    expect(res.text).toContain(',1750.25,2027-Q2\r\n');
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(COLUMNS.pacts.map((c) => c.name));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r[header!.indexOf('title')]).not.toMatch(/^[=+\-@]/);
  });
});

describe('GET /api/v1/open-data (getOpenData)', () => {
  it('needs no token, answers JSON or CSV', async () => {
    const json = await request(app).get(
      `/api/v1/open-data?dataset=needs&campaignId=${s.campaign.id}`,
    );
    expect(json.status).toBe(200);
    expect(json.body.dataset).toBe('needs');
    const file = await request(app).get(`/open-data/needs.json?campaign=${s.campaign.id}`);
    expect(json.body.records).toEqual(file.body.records);
    const csv = await request(app).get(
      `/api/v1/open-data?dataset=pacts&campaignId=${s.campaign.id}&format=csv`,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(COLUMNS.pacts.map((c) => c.name).join(','));
  });

  it('refuses bad queries, unknown and draft campaigns', async () => {
    const get = (q: string) => request(app).get(`/api/v1/open-data?${q}`);
    expect((await get(`dataset=firms&campaignId=${s.campaign.id}`)).status).toBe(422);
    expect((await get(`dataset=needs&campaignId=x`)).status).toBe(422);
    // An unknown parameter (utm_source, fbclid… on a shared link) is ignored on a read.
    expect((await get(`dataset=needs&campaignId=${s.campaign.id}&extra=1`)).status).toBe(200);
    expect((await get(`dataset=needs&campaignId=${crypto.randomUUID()}`)).status).toBe(404);
    await t.db
      .updateTable('campaigns')
      .set({ status: 'draft', opened_at: null, closed_at: null })
      .where('id', '=', s.campaign.id)
      .execute();
    try {
      expect((await get(`dataset=pacts&campaignId=${s.campaign.id}`)).status).toBe(404);
      expect(
        (await request(app).get(`/open-data/pacts.csv?campaign=${s.campaign.id}`)).status,
      ).toBe(404);
    } finally {
      await t.db
        .updateTable('campaigns')
        .set({ status: 'closed', opened_at: new Date(), closed_at: new Date() })
        .where('id', '=', s.campaign.id)
        .execute();
    }
    expect((await request(app).get('/open-data/needs.csv')).status).toBe(400);
  });

  it('is described in the OpenAPI document as public, with its CSV form', async () => {
    const doc = (await request(app).get('/api/v1/openapi.json')).body;
    const op = doc.paths['/open-data'].get;
    expect(op.operationId).toBe('getOpenData');
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/csv']);
  });
});

describe('an open survey', () => {
  const setCampaign = (values: { status: 'open' | 'closed'; closes_at?: string }) =>
    t.db
      .updateTable('campaigns')
      .set({ closed_at: values.status === 'closed' ? new Date() : null, ...values })
      .where('id', '=', s.campaign.id)
      .execute();
  const closesAt = farDay();
  afterAll(() => setCampaign({ status: 'closed', closes_at: closesAt }));

  it('publishes no need at all until it closes, saying when; its funded pacts are public', async () => {
    await setCampaign({ status: 'open', closes_at: closesAt });
    const json = await request(app).get(`/open-data/needs.json?campaign=${s.campaign.id}`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ published: false, closesAt, records: [] });
    const api = await request(app).get(
      `/api/v1/open-data?dataset=needs&campaignId=${s.campaign.id}`,
    );
    expect(api.body).toMatchObject({ published: false, records: [] });
    const csv = await request(app).get(`/open-data/needs.csv?campaign=${s.campaign.id}`);
    expect(
      csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n'),
    ).toHaveLength(1);
    const page = await request(app).get(`/open-data?campaign=${s.campaign.id}&lang=it`);
    const text = pageText(page.text);
    const long = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Rome' });
    const closing = long.format(new Date(`${closesAt}T12:00:00+01:00`));
    expect(text).toContain(
      `indagine è ancora aperta: i suoi fabbisogni si pubblicano quando chiude (il ${closing}`,
    );
    expect(page.text).not.toContain('data-area=');
    const pacts = await request(app).get(`/open-data/pacts.json?campaign=${s.campaign.id}`);
    expect(pacts.body.records.length).toBeGreaterThan(0);
  });

  it('publishes them once its last day has gone by, though nobody clicked "close"', async () => {
    await setCampaign({ status: 'open', closes_at: '2026-01-31' });
    const json = await request(app).get(`/open-data/needs.json?campaign=${s.campaign.id}`);
    expect(json.body.published).toBe(true);
    expect(json.body.records.length).toBeGreaterThan(0);
  });
});
