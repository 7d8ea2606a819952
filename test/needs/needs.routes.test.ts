import request from 'supertest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { foldNeeds } from '../../src/modules/needs/aggregate';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { tuscanScenario } from './scenario';
import { pageText } from '../helpers/html';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof tuscanScenario>>;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await tuscanScenario(t.db);
});
afterAll(() => t.close());

type Cell = {
  territory: string;
  value: string;
  firms?: number;
  workers?: number;
  suppressed: boolean;
  reason?: string;
};

/** The true firms of every cell, straight from the maintained aggregate (summed up the tree). */
async function trueFirms(territory: string, dim: string) {
  await foldNeeds(t.db, s.campaign.id);
  const { rows } = await sql<{ territory_code: string; value: string; firms: number }>`
    SELECT ta.ancestor_code AS territory_code,
           CASE WHEN dim = 'total' THEN '*' ELSE value END AS value, sum(firms)::int AS firms
    FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
    WHERE campaign_id = ${s.campaign.id} AND dim IN (${dim}, 'total')
      AND priority = '*' AND period = '*'
      AND ta.ancestor_code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = ${territory} AND depth <= 1)
    GROUP BY 1, 2`.execute(t.db);
  return new Map(rows.map((r) => [`${r.territory_code}|${r.value}`, r.firms]));
}

describe('GET /api/v1/needs/aggregate', () => {
  const get = (token: string, query: string) =>
    request(app).get(`/api/v1/needs/aggregate?${query}`).set('Authorization', `Bearer ${token}`);

  it('gives a local authority protected cells: no number where fewer than k firms', async () => {
    const res = await get(s.authorityToken, `campaignId=${s.campaign.id}&by=area`);
    expect(res.status).toBe(200);
    expect(res.body.protected).toBe(true);
    expect(res.body.territory).toBe('ITI14');
    const cells = res.body.cells as Cell[];
    const firms = await trueFirms('ITI14', 'area');
    expect(cells.length).toBe(firms.size);
    for (const c of cells) {
      if (c.suppressed) {
        expect(c.firms).toBeUndefined();
        expect(c.workers).toBeUndefined();
        expect(c.reason).toBeDefined();
      } else {
        expect(c.firms).toBeGreaterThanOrEqual(3);
        expect(c.firms).toBe(firms.get(`${c.territory}|${c.value}`));
      }
    }
    // Fiesole has one firm: hidden, and so is at least one other cell of its column and row.
    const fiesole = cells.find((c) => c.territory === '048015' && c.value === '*')!;
    expect(fiesole).toMatchObject({ suppressed: true, reason: 'threshold' });
    expect(cells.filter((c) => c.value === '*' && c.suppressed).length).toBeGreaterThanOrEqual(2);
  });

  it('gives the region every number, unprotected', async () => {
    const res = await get(s.regionToken, `campaignId=${s.campaign.id}&territory=ITI14&by=sector`);
    expect(res.status).toBe(200);
    expect(res.body.protected).toBe(false);
    const cells = res.body.cells as Cell[];
    expect(cells.every((c) => !c.suppressed && typeof c.workers === 'number')).toBe(true);
    expect(cells.find((c) => c.territory === '048015' && c.value === '*')).toMatchObject({
      firms: 1,
      workers: 13,
    });
  });

  it('answers the provinces of the region for the region, and a comune level on request', async () => {
    const res = await get(s.regionToken, `campaignId=${s.campaign.id}&level=LAU&by=size`);
    expect(res.status).toBe(200);
    const territories = new Set((res.body.cells as Cell[]).map((c) => c.territory));
    expect([...territories].sort()).toEqual(['048001', '048015', '048017', '100005', 'ITI1']);
  });

  it('refuses what lies outside the reader’s territory, and bad queries', async () => {
    const other = await get(s.authorityToken, `campaignId=${s.campaign.id}&territory=ITI15`);
    expect(other.status).toBe(404);
    // Says whose figures the reader sees (it said only "not found").
    expect(other.body.detail).toBe(
      'Il territorio ITI15 non è tra quelli di cui vedi i fabbisogni in questa indagine: vedi ITI14 e i territori che ne fanno parte.',
    );
    expect((await get(s.authorityToken, `campaignId=${s.campaign.id}&territory=ITI1`)).status).toBe(
      404,
    );
    expect((await get(s.authorityToken, `campaignId=${s.campaign.id}&by=colour`)).status).toBe(422);
    expect((await get(s.authorityToken, `campaignId=not-a-uuid`)).status).toBe(422);
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(app, firm.email, PASSWORD);
    expect((await agent.get(`/needs?campaign=${s.campaign.id}`)).status).toBe(403);
    expect(
      (await request(app).get(`/api/v1/needs/aggregate?campaignId=${s.campaign.id}`)).status,
    ).toBe(401);
  });
});

describe('GET /needs', () => {
  it('shows a local authority its province with hidden cells marked, a legend and a chart', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const res = await agent.get(`/needs?campaign=${s.campaign.id}&by=area`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Fiesole');
    expect(res.text).toMatch(/<abbr title="[^"]+">•<\/abbr>/);
    expect(res.text).toContain('<svg role="img"');
    expect(res.text).toMatch(/<title id="needs-chart-title">/);
    expect(res.text).not.toMatch(/style="/);
    // Fiesole's one firm declared 13 workers: the number is nowhere in its row.
    const row =
      /<th scope="row"><a [^>]*>Fiesole<\/a><\/th>(.*?)<\/tr>/s.exec(res.text) ??
      /<th scope="row">Fiesole<\/th>(.*?)<\/tr>/s.exec(res.text);
    expect(row).not.toBeNull();
    expect(row![1]).not.toMatch(/>13</);
    expect(row![1]).not.toMatch(/>11</);
  });

  it('tells an institution reading an open survey that its figures are not public yet', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const open = await agent.get(`/needs?campaign=${s.campaign.id}&by=area`);
    // "fino al 9 marzo", "fino all'8 marzo", "fino al 1º marzo" (lib/italian-days).
    expect(open.text).toMatch(
      /Indagine aperta fino (?:al |all&#x27;)\d{1,2}º? \S+ \d{4}: queste cifre cambiano/,
    );
    await t.db
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: new Date() })
      .where('id', '=', s.campaign.id)
      .execute();
    try {
      const closed = await agent.get(`/needs?campaign=${s.campaign.id}&by=area`);
      expect(closed.status).toBe(200);
      expect(closed.text).not.toMatch(/Indagine aperta fino (?:al |all&#x27;)/);
    } finally {
      await t.db
        .updateTable('campaigns')
        .set({ status: 'open', closed_at: null })
        .where('id', '=', s.campaign.id)
        .execute();
    }
  });

  it('captions its table as a sentence, the pivot in lower case, in Italian and English', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const caption = async (query: string) =>
      /<caption>([^<]*)<\/caption>/.exec(
        (await agent.get(`/needs?campaign=${s.campaign.id}&${query}`)).text,
      )?.[1];
    expect(await caption('by=area')).toBe(
      'Lavoratori da formare per territorio e area di competenza',
    );
    expect(await caption('by=size&measure=firms')).toBe(
      'Imprese per territorio e classe dimensionale',
    );
    expect(await caption('by=section&lang=en')).toBe(
      'Workers to train by territory and sector (NACE)',
    );
  });

  it('orders the size classes by size, micro to large, on the page and in the export', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const page = await agent.get(`/needs?campaign=${s.campaign.id}&by=size&lang=en`);
    const head = pageText(/<thead>([\s\S]*?)<\/thead>/.exec(page.text)![1]!);
    expect(head.split(' ')).toEqual(['Territory', 'Micro', 'Small', 'Medium', 'Large', 'Total']);
    const csv = await agent.get(`/needs/export.csv?campaign=${s.campaign.id}&by=size&lang=it`);
    expect(csv.text.split('\r\n')).toContain('Territorio,Micro,Piccola,Media,Grande,Totale');
  });

  it('lists the comuni in alphabetical order of the names the reader sees', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const names = async (lang: string) => {
      const page = await agent.get(
        `/needs?campaign=${s.campaign.id}&territory=ITI14&by=area&lang=${lang}`,
      );
      const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page.text)![1]!;
      return [...body.matchAll(/<th scope="row">(?:<a [^>]*>)?([^<]+)</g)].map((m) => m[1]!);
    };
    // They came in the database's order of the Italian names, byte by byte: "Barberino
    // Tavarnelle" before "Barberino di Mugello", and in English "Florence" between "Figline" and
    // "Firenzuola".
    const en = await names('en');
    expect(en).toContain('Florence');
    expect(en).toEqual([...en].sort((a, b) => a.localeCompare(b, 'en')));
    const italian = await names('it');
    expect(italian.indexOf('Barberino di Mugello')).toBeLessThan(
      italian.indexOf('Barberino Tavarnelle'),
    );
    expect(italian).toEqual([...italian].sort((a, b) => a.localeCompare(b, 'it')));
  });

  it('says that firms counted by skill area do not add up to the total, on the page and in the export', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const view = `campaign=${s.campaign.id}&territory=ITI14&by=area&measure=firms`;
    const note = 'è contata in ciascuna: il totale conta ogni impresa una sola volta';
    expect((await agent.get(`/needs?${view}`)).text).toContain(note);
    expect((await agent.get(`/needs/export.csv?${view}`)).text).toContain(note);
    const en = await agent.get(`/needs?${view}&lang=en`);
    expect(en.text).toContain('counts in each: the total counts every firm once');
    await agent.get(`/needs?${view}&lang=it`); // the choice is kept: back to Italian
    // A firm has one size class, and workers always add up: nothing to say there.
    const size = `campaign=${s.campaign.id}&territory=ITI14&by=size&measure=firms`;
    expect((await agent.get(`/needs?${size}`)).text).not.toContain(note);
    const workers = `campaign=${s.campaign.id}&territory=ITI14&by=area`;
    expect((await agent.get(`/needs?${workers}`)).text).not.toContain(note);
  });

  it('leads an authority from the needs it reads to a pact drafted on them, territory and survey chosen', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const href = (html: string) => {
      const m = /<a class="btn btn-primary" href="([^"]*)" id="draft-pact">([^<]*)</.exec(html);
      return m && [m[1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'), m[2]!];
    };
    const province = href((await agent.get(`/needs?campaign=${s.campaign.id}&lang=it`)).text);
    expect(province?.[0]).toBe(`/pacts/new?territory=ITI14&campaign=${s.campaign.id}`);
    expect(province?.[1]).toBe('Prepara un patto per Firenze da questi fabbisogni');
    const comune = href(
      (await agent.get(`/needs?campaign=${s.campaign.id}&territory=048001&lang=en`)).text,
    );
    expect(comune?.[0]).toBe(`/pacts/new?territory=048001&campaign=${s.campaign.id}`);
    expect(comune?.[1]).toBe('Draft a pact for Bagno a Ripoli from these needs');
    // The link opens the new-pact page with both chosen: its needs by skill and the draft form.
    const form = await agent.get(`${province![0]}&lang=it`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`<option value="${s.campaign.id}" selected>`);
    expect(form.text).toContain('<form method="post" action="/pacts"');
    // The region reads the needs but drafts no pact: no such link.
    const region = await loginAs(app, s.region.email, PASSWORD);
    expect((await region.get(`/needs?campaign=${s.campaign.id}`)).text).not.toContain(
      'id="draft-pact"',
    );
  });

  it('drills down to a comune with breadcrumbs, and the region sees the numbers', async () => {
    const agent = await loginAs(app, s.region.email, PASSWORD);
    const top = await agent.get(`/needs?campaign=${s.campaign.id}`);
    expect(top.status).toBe(200);
    expect(top.text).toContain('Firenze');
    const res = await agent.get(
      `/needs?campaign=${s.campaign.id}&territory=ITI14&by=size&measure=firms`,
    );
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<ol class="breadcrumb">[\s\S]*Toscana[\s\S]*Firenze/);
    expect(res.text).not.toContain('•</abbr>');
  });

  it('exports the same protected view as CSV, with the header and no formula', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    const res = await agent.get(`/needs/export.csv?campaign=${s.campaign.id}&by=skill`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.text).toMatch(/values hidden|valori oscurati/);
    const fiesole = res.text.split('\r\n').find((l) => l.startsWith('Fiesole'))!;
    expect(fiesole.split(',').at(-1)).toBe('•');
  });

  it('says no value is hidden when none is, rather than "0 values hidden (•)"', async () => {
    const agent = await loginAs(app, s.authority.email, PASSWORD);
    // Marradi: no firm answered, so nothing there is hidden.
    const path = `/needs/export.csv?campaign=${s.campaign.id}&territory=048026`;
    const it = await agent.get(`${path}&lang=it`);
    expect(it.text).toContain('"Dati protetti: nessun valore oscurato; soglia 3 imprese');
    const en = await agent.get(`${path}&lang=en`);
    expect(en.text).toContain('"Protected figures: no value hidden; threshold 3 firms');
    expect(en.text).not.toContain('0 values hidden');
    await agent.get('/?lang=it');
  });
});
