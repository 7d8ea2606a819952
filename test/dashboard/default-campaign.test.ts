import type { Express } from 'express';
import request from 'supertest';
import type { Db } from '../../src/db';
import { addDaysTo, romeToday } from '../../src/modules/survey/calendar';
import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { closeCampaign, newCampaign, newFirm, submitVersion } from '../needs/factories';
import { dashboardScenario, type DashboardScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: DashboardScenario;
const scheduled: Record<string, string> = {};

/** A campaign opened by its region but starting next month: newer than the others, no answers. */
async function scheduledCampaign(db: Db, like: string, title: string) {
  const source = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', like)
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('campaigns')
    .values({
      organisation_id: source.organisation_id,
      title,
      territory_code: source.territory_code,
      opens_at: addDaysTo(romeToday(), 30),
      closes_at: addDaysTo(romeToday(), 90),
      status: 'open',
      opened_at: new Date(),
      created_by: source.created_by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await dashboardScenario(t.db);
  scheduled.tuscany = await scheduledCampaign(t.db, s.campaignId, 'Toscana futura');
  scheduled.lombardy = await scheduledCampaign(t.db, s.lombardy.id, 'Lombardia futura');
});
afterAll(() => t.close());

const selected = (html: string) => /<option value="([^"]+)" ?selected>/.exec(html)?.[1];

describe('the campaign a reader lands on', () => {
  it('is the newest campaign with answers, not a newer scheduled one (public dashboard)', async () => {
    const res = await request(app).get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<option value="${s.lombardy.id}" selected>`);
    expect(res.text).toContain('Lombardia futura');
  });

  it('is the same on the region’s dashboard, and an explicit choice still wins', async () => {
    const region = await loginAs(app, s.region.email, PASSWORD);
    const res = await region.get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<option value="${s.campaignId}" selected>`);
    const chosen = await region.get(`/dashboard?campaign=${scheduled.tuscany}`);
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain(`<option value="${scheduled.tuscany}" selected>`);
  });

  it('is a campaign with answers on the open-data page too', async () => {
    const res = await request(app).get('/open-data');
    expect(res.status).toBe(200);
    expect([s.campaignId, s.lombardy.id]).toContain(selected(res.text));
    const chosen = await request(app).get(`/open-data?campaign=${scheduled.lombardy}`);
    expect(selected(chosen.text)).toBe(scheduled.lombardy);
  });
});

describe('where an earlier survey has closed', () => {
  it('lands the public on the newest survey whose needs are published, an institution on the open one', async () => {
    const past = await newCampaign(t.db, { territory: 'ITI1' });
    await t.db
      .updateTable('campaigns')
      .set({ title: 'Toscana, rilevazione conclusa', opens_at: '2025-01-01' })
      .where('id', '=', past.id)
      .execute();
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, past.id, firm, past.region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 3, priority: 'high', period: '2027-Q1' }],
    });
    await closeCampaign(t.db, past.id);
    try {
      const pub = await request(app).get('/dashboard?territory=ITI1');
      expect(pub.text).toContain(`<option value="${past.id}" selected>`);
      expect(pub.text).not.toContain('Indagine ancora aperta');
      expect(selected((await request(app).get('/open-data')).text)).toBe(past.id);
      const region = await loginAs(app, s.region.email, PASSWORD);
      expect((await region.get('/dashboard')).text).toContain(
        `<option value="${s.campaignId}" selected>`,
      );
    } finally {
      await t.db
        .updateTable('campaigns')
        .set({ status: 'draft', closed_at: null, opened_at: null })
        .where('id', '=', past.id)
        .execute();
    }
  });
});
