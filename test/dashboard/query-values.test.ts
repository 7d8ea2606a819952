import type { Express } from 'express';
import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, newFirm, submitVersion, withSurveysClosed } from '../needs/factories';
import { decodeEntities, pageText } from '../helpers/html';

let t: TestDb;
let app: Express;
let campaignId: string;
let authorityEmail: string;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  const c = await newCampaign(t.db, { territory: 'ITI1', k: 3 });
  campaignId = c.id;
  for (let i = 0; i < 3; i++) {
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaignId, firm, c.region.id, {
      territory: '048017',
      sector: 0,
      employees: 20,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 5, priority: 'high', period: '2027-Q1' }],
    });
  }
  authorityEmail = (await newUser(t.db, { role: 'local_authority', territory: 'ITI14' })).email;
});
afterAll(() => t.close());

describe('a territory code that names no territory', () => {
  it('is refused on the public dashboard with the code named, not shown as a region without data', async () => {
    const res = await request(app).get('/dashboard?territory=XX99');
    expect(res.status).toBe(400);
    expect(pageText(res.text)).toContain(
      'Il parametro «territory» non è valido: nessun territorio ha il codice XX99.',
    );
    expect(res.text).toContain('href="/dashboard"');
    const en = await request(app).get('/dashboard?territory=XX99&lang=en');
    expect(pageText(en.text)).toContain('no territory has the code XX99');
    const csv = await request(app).get('/dashboard/export.csv?territory=XX99');
    expect(csv.status).toBe(400);
  });

  it('is refused by the API as a 422 naming the parameter, on the dashboard and the needs', async () => {
    const res = await request(app).get('/api/v1/dashboard?territory=XX99');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        pointer: 'query/territory',
        detail: 'Il parametro «territory» non è valido: nessun territorio ha il codice XX99.',
      },
    ]);
    const region = await newUser(t.db, { role: 'region', territory: 'ITI1' });
    const token = (await createApiToken(t.db, region.id, 'test')).token;
    const needs = await request(app)
      .get(`/api/v1/needs/aggregate?campaignId=${campaignId}&territory=XX99`)
      .set('Authorization', `Bearer ${token}`);
    expect(needs.status).toBe(422);
    expect(needs.body.errors[0].pointer).toBe('query/territory');
  });

  it('is refused the same way on /needs', async () => {
    const agent = await loginAs(app, authorityEmail, PASSWORD);
    const res = await agent.get(`/needs?campaign=${campaignId}&territory=XX99&by=skill`);
    expect(res.status).toBe(400);
    expect(pageText(res.text)).toContain('nessun territorio ha il codice XX99');
    expect(decodeEntities(res.text)).toContain(`href="/needs?campaign=${campaignId}&by=skill"`);
  });

  it('names a real territory with no campaign on the public dashboard', async () => {
    const res = await request(app).get('/dashboard?territory=ITC1');
    expect(res.status).toBe(200);
    expect(pageText(res.text)).toContain('Nessuna indagine pubblicata per Piemonte, per ora.');
  });
});

describe('a quarter with no data', () => {
  it('stays chosen in the dashboard filter, so the page does not read as all quarters', async () => {
    // Closed: the public reads the needs' own quarters too (needs/publication.ts).
    const res = await withSurveysClosed(t.db, () =>
      request(app).get(`/dashboard?campaign=${campaignId}&period=2030-Q1`),
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('<option value="2030-Q1" selected>2030-Q1</option>');
    expect(res.text).toContain('<option value="2027-Q1">2027-Q1</option>');
    // While it is open, the quarters firms declared needs for are not the public's either.
    const open = await request(app).get(`/dashboard?campaign=${campaignId}&period=2030-Q1`);
    expect(open.text).toContain('<option value="2030-Q1" selected>2030-Q1</option>');
    expect(open.text).not.toContain('<option value="2027-Q1">');
  });

  it('stays chosen in the /needs filter too', async () => {
    const agent = await loginAs(app, authorityEmail, PASSWORD);
    const res = await agent.get(`/needs?campaign=${campaignId}&period=2030-Q1`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<option value="2030-Q1"\s+selected>/);
  });
});

describe('the export file names', () => {
  it('name the quarter of a filtered view, so two quarters do not download as the same file', async () => {
    const all = await request(app).get(`/dashboard/export.csv?campaign=${campaignId}`);
    expect(all.headers['content-disposition']).toBe('attachment; filename=dashboard-ITI1.csv');
    const q1 = await request(app).get(
      `/dashboard/export.xlsx?campaign=${campaignId}&territory=ITI14&period=2027-Q1`,
    );
    expect(q1.headers['content-disposition']).toBe(
      'attachment; filename=dashboard-ITI14-2027-Q1.xlsx',
    );
    const agent = await loginAs(app, authorityEmail, PASSWORD);
    const needs = await agent.get(
      `/needs/export.csv?campaign=${campaignId}&by=skill&period=2027-Q1&priority=high`,
    );
    expect(needs.headers['content-disposition']).toBe(
      'attachment; filename=needs-ITI14-skill-2027-Q1-high.csv',
    );
  });
});
