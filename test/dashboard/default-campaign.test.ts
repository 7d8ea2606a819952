import type { Express } from 'express';
import request from 'supertest';
import type { Db } from '../../src/db';
import { addDaysTo, romeToday } from '../../src/modules/survey/calendar';
import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
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
