import { loginAs, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, newFirm, submitVersion } from '../needs/factories';
import { newPact } from '../pacts/factories';
import { pageText } from '../helpers/html';

/**
 * Coverage is not capped: funded actions may plan more workers than firms now declare (a need
 * lowered after funding). Firenze: 4 workers declared, 10 planned in an approved pact (250 %);
 * Prato: 10 declared, 3 planned (30 %).
 */
let t: TestDb;
let region: Agent;
let campaignId: string;

beforeAll(async () => {
  t = await newTestDb();
  const c = await newCampaign(t.db, { territory: 'ITI1', k: 1 });
  campaignId = c.id;
  const line = (workers: number) => ({
    skill: 0,
    occupation: 0,
    eqf: 4,
    workers,
    priority: 'high' as const,
    period: '2027-Q1' as const,
  });
  for (const [territory, workers] of [
    ['048017', 4],
    ['100005', 10],
  ] as const) {
    const firm = await newFirm(t.db, territory);
    await submitVersion(t.db, campaignId, firm, c.region.id, {
      territory,
      sector: 0,
      employees: 30,
      lines: [line(workers)],
    });
  }
  for (const [territory, participants] of [
    ['ITI14', 10],
    ['ITI15', 3],
  ] as const) {
    const promoter = await newUser(t.db, { role: 'local_authority', territory });
    await newPact(t.db, {
      promoter,
      status: 'approved',
      campaign: campaignId,
      actions: [{ participants, period: '2027-Q1' }],
    });
  }
  region = await loginAs(testApp(t), c.region.email, PASSWORD);
});
afterAll(() => t.close());

describe('GET /dashboard, coverage over 100 %', () => {
  it('explains under the table and the map why a coverage may pass 100 %, in Italian and English', async () => {
    const res = await region.get(`/dashboard?campaign=${campaignId}&territory=ITI1`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>Firenze: 250 % (Copertura %)</title>');
    const page = pageText(res.text);
    expect(page).toContain('250 % *');
    expect(page).not.toContain('30 % *');
    const note =
      'Una copertura oltre il 100 % è possibile: le azioni dei patti finanziati prevedono più lavoratori di quanti le imprese ne dichiarano ora per quel territorio e periodo';
    expect(page.split(note)).toHaveLength(3);
    expect(res.text).toContain('href="#dashboard-over-full"');
    const en = pageText(
      (await region.get(`/dashboard?campaign=${campaignId}&territory=ITI1&lang=en`)).text,
    );
    expect(en).toContain(
      'A coverage above 100% can happen: the funded pacts’ actions plan more workers than firms now declare for that territory and period',
    );
    // English writes a percentage without the space Italian puts before the sign.
    expect(en).toContain('250% *');
    expect(en).not.toContain('250 %');
  });

  it('says nothing of it where no coverage passes 100 %', async () => {
    const prato = await region.get(`/dashboard?campaign=${campaignId}&territory=ITI15&lang=it`);
    expect(prato.status).toBe(200);
    expect(pageText(prato.text)).toContain('30 %');
    expect(prato.text).not.toContain('dashboard-over-full');
    const needMap = await region.get(`/dashboard?campaign=${campaignId}&territory=ITI1&map=need`);
    // The table still has Firenze's 250 %: its note once, none under a map of workers in need.
    expect(pageText(needMap.text).split('Una copertura oltre il 100 %')).toHaveLength(2);
  });
});
