import express, { type Express } from 'express';
import request from 'supertest';
import { openDataCeiling, surveyCeilings } from '../../scripts/support/ceiling-survey';
import {
  createRegionUser,
  prepareAnswers,
  prepareSurvey,
  surveyAnswer,
} from '../../scripts/support/load-fixtures';
import type { SessionUser } from '../../src/http/types';
import { hashPassword } from '../../src/lib/password';
import { dashboard } from '../../src/modules/dashboard/dashboard.service';
import { needsAggregate } from '../../src/modules/needs/needs.service';
import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';

// The data npm run bench:load prepares for its survey, needs and dashboard scenarios, and the
// ceilings it compares the app with: the app must accept the one and the other must do the
// same database work (same rows written, same figures read), or the ratio means nothing.
let t: TestDb;
let app: Express;
let ceiling: Express;
let region: SessionUser;
const regionEmail = 'bench-region@load.patto.test';

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  region = await createRegionUser(t.db, regionEmail, await hashPassword(PASSWORD));
  ceiling = express();
  ceiling.use(express.json());
  // The session lookup is ceiling-server.ts's own; here the region reads.
  surveyCeilings(ceiling, t.pool, async () => ({ id: region.id, territory_code: 'ITI1' }));
  openDataCeiling(ceiling, t.db);
});
afterAll(() => t.close());

const linesOf = (responseId: string) =>
  t.db
    .selectFrom('response_needs')
    .select(['line_no', 'area_code', 'skill_code', 'workers', 'period'])
    .where('response_id', '=', responseId)
    .orderBy('line_no')
    .execute();

describe('survey submission scenario', () => {
  it('lets a prepared firm submit its answer in one call, and the ceiling writes the same rows', async () => {
    const s = await prepareSurvey(t.db, region, 3, 2);
    expect(s.firms).toHaveLength(3);
    expect(s.ceilingCampaigns).toHaveLength(2);
    const firm = s.firms[1]!;
    const base = `/api/v1/campaigns/${s.campaignId}/response`;
    const auth = `Bearer ${firm.token}`;

    const submit = await request(app)
      .post(`${base}/submit`)
      .set('authorization', auth)
      .send({ version: 1, ...surveyAnswer() });
    expect(submit.status).toBe(201);

    const bare = await request(ceiling)
      .post('/responses')
      .send({
        campaignId: s.ceilingCampaigns[0],
        firmId: firm.id,
        userId: firm.userId,
        ...surveyAnswer(),
      });
    expect(bare.status).toBe(201);

    const rows = await t.db
      .selectFrom('responses')
      .select(['id', 'campaign_id', 'status', 'territory_code', 'readiness_score', 'workers_total'])
      .where('firm_id', '=', firm.id)
      .execute();
    const [appRow, bareRow] = [s.campaignId, s.ceilingCampaigns[0]].map((c) =>
      rows.find((r) => r.campaign_id === c)!,
    );
    expect(appRow).toMatchObject({ status: 'current', workers_total: 55 });
    const { id: _a, campaign_id: _b, ...same } = appRow!;
    expect(bareRow).toMatchObject(same);
    const appLines = await linesOf(appRow!.id);
    expect(appLines).toHaveLength(10);
    expect(await linesOf(bareRow!.id)).toEqual(appLines);
  });
});

describe('needs page and dashboard scenarios', () => {
  let campaignId: string;
  beforeAll(async () => {
    campaignId = await prepareAnswers(t.db, region, 40, 5);
  });

  it('shows the region the answered campaign on /needs and /dashboard', async () => {
    const agent = await loginAs(app, regionEmail, PASSWORD);
    for (const path of ['/needs', '/dashboard']) {
      const res = await agent.get(`${path}?campaign=${campaignId}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Bench 200');
      // Handlebars escapes = in attributes.
      expect(res.text.replace(/&#x3D;/g, '=')).toContain('territory=ITI14');
      expect(res.text).toContain('Firenze');
    }
  });

  it('publishes the funded pacts as open data, and the ceiling reads the same ones', async () => {
    const open = await request(app).get(`/open-data/pacts.json?campaign=${campaignId}`);
    expect(open.status).toBe(200);
    expect(open.body.records.length).toBeGreaterThan(0);
    const bare = await request(ceiling).get(`/open-data/pacts?campaign=${campaignId}`);
    expect(bare.status).toBe(200);
    const ids = (records: { pact_id?: string; id?: string }[]) =>
      records.map((r) => r.pact_id ?? r.id).sort();
    expect(ids(bare.body.records)).toEqual(ids(open.body.records));
    // The same money spent per pact (the ceiling's rows in cents, the app's records in euros);
    // the running and closed pacts of the fixtures have reported some.
    expect((open.body.records as { spent_eur: number }[]).some((r) => r.spent_eur > 0)).toBe(true);
    const spent = (records: { pact_id?: string; id?: string; spent_eur?: number }[]) =>
      records.map((r) => [r.pact_id ?? r.id, r.spent_eur ?? null]).sort();
    expect(
      spent(
        (bare.body.records as { id: string; spent_cents: string }[]).map((r) => ({
          id: r.id,
          spent_eur: Number(r.spent_cents) / 100,
        })),
      ),
    ).toEqual(spent(open.body.records));
  });

  it('reads in the ceilings the same figures the app shows', async () => {
    const q = { campaignId, by: 'area' as const, priority: '*', period: '*' };
    const needs = await needsAggregate(t.db, region, q);
    const bareNeeds = await request(ceiling).get(`/needs?sid=x&campaign=${campaignId}`);
    expect(bareNeeds.status).toBe(200);
    const cells = (
      bareNeeds.body.cells as {
        territory_code: string;
        dim: string;
        value: string;
        workers: string;
      }[]
    )
      .map((c) => `${c.territory_code}|${c.dim === 'total' ? '*' : c.value}|${Number(c.workers)}`)
      .sort();
    expect(cells).toEqual(needs.cells.map((c) => `${c.territory}|${c.value}|${c.workers}`).sort());
    expect(needs.cells.find((c) => c.territory === 'ITI1' && c.value === '*')?.workers).toBe(
      Number(
        (bareNeeds.body.cells as { territory_code: string; dim: string; workers: string }[]).find(
          (c) => c.territory_code === 'ITI1' && c.dim === 'total',
        )?.workers,
      ),
    );

    const d = (await dashboard(t.db, region, { campaignId }))!;
    const bare = await request(ceiling).get(`/dashboard?sid=x&campaign=${campaignId}`);
    expect(bare.status).toBe(200);
    const byCode = <R extends { code: string }>(rows: R[]) => new Map(rows.map((r) => [r.code, r]));
    const firms = byCode(bare.body.firms as { code: string; firms: number }[]);
    const pacts = byCode(
      bare.body.pacts as {
        code: string;
        covered: string;
        committed_cents: string;
        completed: string;
      }[],
    );
    expect(d.total.firmsSurveyed).toBe(40);
    for (const row of [
      { territory: 'ITI1', figures: d.total },
      ...d.rows.map((r) => ({ territory: r.code, figures: r.figures })),
    ]) {
      const f = row.figures;
      expect(firms.get(row.territory)?.firms ?? 0).toBe(f.firmsSurveyed);
      const p = pacts.get(row.territory);
      expect(Number(p?.covered ?? 0)).toBe(f.workersCovered);
      expect(Number(p?.committed_cents ?? 0)).toBe(f.committedCents);
      expect(Number(p?.completed ?? 0)).toBe(f.completed);
    }
    expect(d.total.workersCovered).toBeGreaterThan(0);
    expect(d.total.committedCents).toBeGreaterThan(0);
    expect(d.total.completed).toBeGreaterThan(0);
  });
});
