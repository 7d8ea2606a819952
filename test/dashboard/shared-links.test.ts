import type { Express } from 'express';
import request from 'supertest';
import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { dashboardScenario, type DashboardScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: DashboardScenario;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await dashboardScenario(t.db);
});
afterAll(() => t.close());

/** What a link shared on social media or in a newsletter picks up on its way. */
const TRACKING = 'utm_source=x&utm_medium=social&fbclid=abc&gclid=1';

describe('a shared link with tracking parameters', () => {
  it('opens the public dashboard and its downloads; known parameters are still checked', async () => {
    const page = await request(app).get(`/dashboard?${TRACKING}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<option value="${s.lombardy.id}" selected>`);
    const english = await request(app).get(`/dashboard?lang=en&fbclid=abc`);
    expect(english.status).toBe(200);
    const chosen = await request(app).get(
      `/dashboard?territory=ITI1&campaign=${s.campaignId}&${TRACKING}`,
    );
    expect(chosen.text).toContain(`<option value="${s.campaignId}" selected>`);
    expect((await request(app).get(`/dashboard?period=2027-Q9&${TRACKING}`)).status).toBe(400);
    expect((await request(app).get(`/dashboard?campaign=xyz`)).status).toBe(400);
  });

  it('opens the open-data page, its files and the open-data API', async () => {
    expect((await request(app).get(`/open-data?${TRACKING}`)).status).toBe(200);
    const file = await request(app).get(
      `/open-data/needs.json?campaign=${s.campaignId}&${TRACKING}`,
    );
    expect(file.status).toBe(200);
    const api = await request(app).get(
      `/api/v1/open-data?dataset=needs&campaignId=${s.campaignId}&utm=1&${TRACKING}`,
    );
    expect(api.status).toBe(200);
    expect(api.body.records).toEqual(file.body.records);
    const bad = await request(app).get(
      `/api/v1/open-data?dataset=firms&campaignId=${s.campaignId}&utm=1`,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: 'query/dataset' })]);
  });

  it('opens the impact page and the dashboard API for a signed-in reader', async () => {
    const region = await loginAs(app, s.region.email, PASSWORD);
    const impact = await region.get(`/dashboard/impact?from=1&${TRACKING}`);
    expect(impact.status).toBe(200);
    expect(impact.text).not.toContain('Campi non previsti');
    const api = await request(app)
      .get(`/api/v1/dashboard?campaignId=${s.campaignId}&${TRACKING}`)
      .set('Authorization', `Bearer ${await s.token(s.region.id)}`);
    expect(api.status).toBe(200);
  });
});
