import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { withSurveysClosed } from '../needs/factories';
import { dashboardScenario, NEXT_QUARTER, QUARTER_AFTER, type DashboardScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: DashboardScenario;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await dashboardScenario(t.db);
});
afterAll(() => t.close());

type Figure = { value?: number; suppressed: boolean; reason?: string };
type Row = {
  territory: string;
  firmsSurveyed: number;
  workersInNeed: Figure;
  workersCovered: number;
  coveragePercent: Figure;
  committedCents: number;
  spentCents: number;
  enrolled: number;
  completed: number;
  completionPercent: number | null;
  costPerTrainedCents: number | null;
};

const api = (query: string, token?: string) => {
  const r = request(app).get(`/api/v1/dashboard?${query}`);
  return token ? r.set('Authorization', `Bearer ${token}`) : r;
};
const rowOf = (body: { rows: Row[] }, code: string) => body.rows.find((r) => r.territory === code)!;

describe('GET /api/v1/dashboard (getDashboard) for the region', () => {
  it('gives every figure of each province and the total, unprotected, as the database has them', async () => {
    const res = await api(`campaignId=${s.campaignId}`, await s.token(s.region.id));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ territory: 'ITI1', protected: false, k: 3, period: null });
    expect(res.body.rows).toHaveLength(10); // the ten provinces of Tuscany
    // The ledger is what the review service committed: 40 h × 100 € + 10 × 40 h × 5 €, and 20 h
    // × 100 € + 4 × 20 h × 5 €.
    const { rows } = await sql<{ s: number }>`
      SELECT sum(amount_cents)::bigint AS s FROM budget_commitments WHERE pact_id = ${s.pact.id}`.execute(
      t.db,
    );
    expect(Number(rows[0]!.s)).toBe(8400_00);
    expect(rowOf(res.body, 'ITI14')).toEqual({
      territory: 'ITI14',
      name: 'Firenze',
      firmsSurveyed: 7,
      workersInNeed: { value: 29, suppressed: false },
      workersCovered: 14,
      coveragePercent: { value: 48.3, suppressed: false },
      committedCents: 8400_00,
      spentCents: 6000_00,
      enrolled: 14,
      completed: 10,
      completionPercent: 71.4,
      costPerTrainedCents: 600_00,
    });
    expect(rowOf(res.body, 'ITI15')).toMatchObject({
      firmsSurveyed: 3,
      workersInNeed: { value: 7, suppressed: false },
      workersCovered: 3,
      coveragePercent: { value: 42.9 },
      committedCents: 0,
      completionPercent: null,
      costPerTrainedCents: null,
    });
    expect(rowOf(res.body, 'ITI11')).toMatchObject({
      firmsSurveyed: 0,
      workersInNeed: { value: 0, suppressed: false },
      coveragePercent: { suppressed: false },
    });
    expect(res.body.total).toMatchObject({
      territory: 'ITI1',
      firmsSurveyed: 10,
      workersInNeed: { value: 36 },
      workersCovered: 17,
      coveragePercent: { value: 47.2 },
      committedCents: 8400_00,
    });
  });

  it('filters by quarter: needs of the quarter, actions planned in it, outcomes reported in it', async () => {
    const res = await api(
      `campaignId=${s.campaignId}&territory=ITI14&period=${NEXT_QUARTER}`,
      await s.token(s.region.id),
    );
    expect(res.status).toBe(200);
    expect(res.body.total).toMatchObject({
      territory: 'ITI14',
      workersInNeed: { value: 14 },
      workersCovered: 10,
      committedCents: 6000_00,
      spentCents: 5000_00,
      enrolled: 10,
      completed: 8,
      costPerTrainedCents: 625_00,
    });
    expect(rowOf(res.body, '048015').workersInNeed).toEqual({ value: 2, suppressed: false });
  });

  it('gives a pact drawn up for the whole territory a figure of its own, so the rows add up to the total', async () => {
    // Firenze's pact is the province's: with Firenze's comuni as rows, no comune has it.
    const res = await api(`campaignId=${s.campaignId}&territory=ITI14`, await s.token(s.region.id));
    expect(res.status).toBe(200);
    const { rows, total, wholeTerritory } = res.body as {
      rows: Row[];
      total: Row;
      wholeTerritory: Row | null;
    };
    expect(total.workersCovered).toBeGreaterThan(0);
    expect(wholeTerritory).toMatchObject({
      territory: 'ITI14',
      firmsSurveyed: 0,
      workersInNeed: { value: 0, suppressed: false },
      coveragePercent: { suppressed: false },
    });
    const sum = (k: 'firmsSurveyed' | 'workersCovered' | 'committedCents' | 'spentCents') =>
      [...rows, wholeTerritory!].reduce((n, r) => n + r[k], 0);
    expect(sum('firmsSurveyed')).toBe(total.firmsSurveyed);
    expect(sum('workersCovered')).toBe(total.workersCovered);
    expect(sum('committedCents')).toBe(total.committedCents);
    expect(sum('spentCents')).toBe(total.spentCents);
    // With the provinces as rows, Firenze's pact is in Firenze's row: nothing of its own.
    const tuscany = await api(`campaignId=${s.campaignId}`, await s.token(s.region.id));
    expect(tuscany.body.wholeTerritory).toBeNull();
  });

  it('gives the quarters and the comparison of regions', async () => {
    const res = await api(`campaignId=${s.campaignId}`, await s.token(s.region.id));
    expect(res.body.series).toEqual([
      {
        period: NEXT_QUARTER,
        workersInNeed: { value: 21, suppressed: false },
        workersCovered: 13,
        completed: 8,
      },
      {
        period: QUARTER_AFTER,
        workersInNeed: { value: 15, suppressed: false },
        workersCovered: 4,
        completed: 2,
      },
    ]);
    const tuscany = res.body.regions.find((r: { territory: string }) => r.territory === 'ITI1');
    expect(tuscany).toMatchObject({
      campaignId: s.campaignId,
      protected: false,
      firms: 10,
      meanReadiness: { value: 60 },
      // 36 workers in need / 300 employees × 1000
      needsPerThousandEmployees: { value: 120 },
    });
    // Lombardy is not the region's own: protected, and two firms are fewer than k.
    const lombardy = res.body.regions.find((r: { territory: string }) => r.territory === 'ITC4');
    expect(lombardy).toMatchObject({
      protected: true,
      firms: 2,
      meanReadiness: { suppressed: true, reason: 'threshold' },
      needsPerThousandEmployees: { suppressed: true, reason: 'threshold' },
    });
  });
});

describe('protection', () => {
  it('gives a local authority the same hidden need cells as /needs, and hides coverage with them', async () => {
    const token = await s.token(s.authority.id);
    const res = await api(`campaignId=${s.campaignId}`, token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ territory: 'ITI14', protected: true });
    const needs = await request(app)
      .get(`/api/v1/needs/aggregate?campaignId=${s.campaignId}&by=area`)
      .set('Authorization', `Bearer ${token}`);
    const totals = (
      needs.body.cells as (Figure & { territory: string; value: string; workers?: number })[]
    ).filter((c) => c.value === '*');
    for (const row of [...res.body.rows, res.body.total] as Row[]) {
      const cell = totals.find((c) => c.territory === row.territory);
      if (!cell) {
        expect(row.workersInNeed).toEqual({ value: 0, suppressed: false });
        continue;
      }
      if (cell.suppressed) {
        expect(row.workersInNeed).toEqual({ suppressed: true, reason: cell.reason });
        expect(row.coveragePercent).toEqual({ suppressed: true, reason: cell.reason });
      } else expect(row.workersInNeed).toEqual({ value: cell.workers, suppressed: false });
    }
    // Fiesole's one firm: hidden for its threshold, and at least one complement beside it.
    expect(rowOf(res.body, '048015').workersInNeed).toEqual({
      suppressed: true,
      reason: 'threshold',
    });
    expect(
      (res.body.rows as Row[]).filter((r) => r.workersInNeed.suppressed).length,
    ).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(rowOf(res.body, '048015'))).not.toContain('"value":2');
  });

  it("withholds an open survey's needs from the public until it closes, then protects them", async () => {
    const open = await api(`campaignId=${s.campaignId}&territory=ITI14`);
    expect(open.status).toBe(200);
    expect(open.body.needsPublished).toBe(false);
    const unpublished = { suppressed: true, reason: 'unpublished' };
    for (const r of [...open.body.rows, open.body.total] as Row[]) {
      expect(r.workersInNeed).toEqual(unpublished);
      expect(r.coveragePercent).toEqual(unpublished);
    }
    for (const p of open.body.series as { workersInNeed: Figure }[])
      expect(p.workersInNeed).toEqual(unpublished);
    // Participation and the funded pacts are public while it runs.
    expect(open.body.total.firmsSurveyed).toBeGreaterThan(0);
    expect(open.body.total.committedCents).toBeGreaterThan(0);
    // The institutions working on the pacts read the needs as they change, protected.
    const authority = await api(
      `campaignId=${s.campaignId}&territory=ITI14`,
      await s.token(s.authority.id),
    );
    expect(authority.body.needsPublished).toBe(true);
    expect(rowOf(authority.body, '048015').workersInNeed).toEqual({
      suppressed: true,
      reason: 'threshold',
    });
    const pub = await withSurveysClosed(t.db, () =>
      api(`campaignId=${s.campaignId}&territory=ITI14`),
    );
    expect(pub.status).toBe(200);
    expect(pub.body.protected).toBe(true);
    expect(pub.body.needsPublished).toBe(true);
    expect(rowOf(pub.body, '048015').workersInNeed).toEqual({
      suppressed: true,
      reason: 'threshold',
    });
  });

  it('protects the public without a token, and the region reads the same cell', async () => {
    const pub = await withSurveysClosed(t.db, () =>
      api(`campaignId=${s.campaignId}&territory=ITI14`),
    );
    expect(pub.status).toBe(200);
    expect(pub.body.protected).toBe(true);
    expect(rowOf(pub.body, '048015').workersInNeed).toEqual({
      suppressed: true,
      reason: 'threshold',
    });
    const region = await api(
      `campaignId=${s.campaignId}&territory=ITI14`,
      await s.token(s.region.id),
    );
    expect(rowOf(region.body, '048015').workersInNeed).toEqual({ value: 2, suppressed: false });
  });

  it('protects a filtered quarter the way /needs does', async () => {
    const token = await s.token(s.authority.id);
    const res = await api(`campaignId=${s.campaignId}&period=${NEXT_QUARTER}`, token);
    const needs = await request(app)
      .get(`/api/v1/needs/aggregate?campaignId=${s.campaignId}&by=area&period=${NEXT_QUARTER}`)
      .set('Authorization', `Bearer ${token}`);
    for (const c of (needs.body.cells as (Figure & { territory: string; value: string })[]).filter(
      (x) => x.value === '*' && x.suppressed,
    )) {
      const row = [...res.body.rows, res.body.total].find((r: Row) => r.territory === c.territory);
      expect(row.workersInNeed).toEqual({ suppressed: true, reason: c.reason });
    }
    expect(rowOf(res.body, '048015').workersInNeed.suppressed).toBe(true);
  });
});

describe('scope', () => {
  it('refuses a local authority a territory outside its own, on the API and the page', async () => {
    const token = await s.token(s.prato.id);
    expect((await api(`campaignId=${s.campaignId}&territory=ITI14`, token)).status).toBe(404);
    expect((await api(`campaignId=${s.campaignId}&territory=048017`, token)).status).toBe(404);
    const own = await api(`campaignId=${s.campaignId}`, token);
    expect(own.body.territory).toBe('ITI15');
    const agent = await loginAs(app, s.prato.email, PASSWORD);
    expect((await agent.get(`/dashboard?campaign=${s.campaignId}&territory=ITI14`)).status).toBe(
      404,
    );
    expect(
      (await agent.get(`/dashboard/export.csv?campaign=${s.campaignId}&territory=ITI14`)).status,
    ).toBe(404);
  });

  it('lets the public choose the region; by default the first region (by name) with a campaign', async () => {
    const first = await api('');
    expect(first.body).toMatchObject({
      campaignId: s.lombardy.id,
      territory: 'ITC4',
      protected: true,
    });
    const tuscany = await api('territory=ITI1');
    expect(tuscany.body).toMatchObject({ campaignId: s.campaignId, territory: 'ITI1' });
    expect((await api(`campaignId=${s.lombardy.id}&territory=ITI1`)).status).toBe(404);
  });
});

describe('the API contract', () => {
  it('describes getDashboard as a public GET with its query and response', async () => {
    const res = await request(app).get('/api/v1/openapi.json');
    const op = res.body.paths['/dashboard'].get;
    expect(op.operationId).toBe('getDashboard');
    expect(op.security).toEqual([]);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'campaignId',
      'period',
      'territory',
    ]);
    expect(op.responses['200'].content['application/json'].schema).toBeDefined();
  });

  it('answers 422 to a malformed query and 404 to a campaign the caller cannot open', async () => {
    expect((await api('period=2027-Q9')).status).toBe(422);
    expect((await api('campaignId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
