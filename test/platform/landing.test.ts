import request from 'supertest';
import { testApp } from '../helpers/app';
import { decodeEntities, pageText } from '../helpers/html';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, newFirm, submitVersion } from '../needs/factories';
import { openDataScenario } from '../opendata/scenario';

/** The landing page's table of published figures, one text line per region. */
function landingRows(html: string): string[] {
  const table = /<table[^>]*data-landing-figures[^>]*>([\s\S]*?)<\/table>/.exec(html);
  if (!table) return [];
  return [...table[1]!.matchAll(/<tr>\s*<th scope="row">([\s\S]*?)<\/tr>/g)].map((m) =>
    pageText(m[1]!),
  );
}

describe('landing page: the published figures of each region', () => {
  let t: TestDb;
  afterEach(() => t.close());

  it("shows a closed survey's totals as the public dashboard has them, linked to it", async () => {
    t = await newTestDb();
    const s = await openDataScenario(t.db);
    const app = testApp(t);
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    const rows = landingRows(res.text);
    expect(rows).toHaveLength(1);
    // Eight firms answered, 28 workers to train in all: the region's total is public.
    const [, figures] = /^Toscana .+? (8 28 .+)$/.exec(rows[0]!) ?? [];
    expect(figures).toBeDefined();
    const dashboard = pageText(
      (await request(app).get(`/dashboard?campaign=${s.campaign.id}&territory=ITI1`)).text,
    );
    expect(dashboard).toContain(`Totale: Toscana ${figures}`);
    expect(decodeEntities(res.text)).toContain(
      `href="/dashboard?campaign=${s.campaign.id}&territory=ITI1"`,
    );
    const en = landingRows((await request(app).get('/?lang=en')).text);
    expect(en[0]).toMatch(/^Tuscany .+ 8 28 /);
  });

  it('shows nothing of a survey still open (its needs are not published yet)', async () => {
    t = await newTestDb();
    const campaign = await newCampaign(t.db, { territory: 'ITI1', k: 1 });
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaign.id, firm, campaign.region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 9, priority: 'high', period: '2027-Q1' }],
    });
    const res = await request(testApp(t)).get('/');
    expect(res.status).toBe(200);
    expect(landingRows(res.text)).toEqual([]);
    expect(res.text).not.toContain('data-landing-figures');
  });
});
