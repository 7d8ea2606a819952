import type { Express } from 'express';
import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { approvePact } from '../../src/modules/funding/review.service';
import { testApp } from '../helpers/app';
import { quarterFromNow } from '../helpers/dates';
import { newUser } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCall, submittedPact } from '../funding/helpers';
import { newCampaign, newFirm, submitVersion } from '../needs/factories';

let t: TestDb;
let app: Express;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

/** The quarter after today's: approval refuses an action planned for one already past. */
const NEXT_QUARTER = quarterFromNow(1);

/**
 * Florence (048017): 3 firms × 10 workers of F40.a in the next quarter. A pact of the province
 * with two actions of that quarter (12 and 8 participants), approved with the second cut to
 * zero: the region funds 12 participants, not 20.
 */
async function partlyApproved() {
  const { id: campaignId, region } = await newCampaign(t.db, { territory: 'ITI1', k: 3 });
  for (let i = 0; i < 3; i++) {
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaignId, firm, region.id, {
      territory: '048017',
      sector: 0,
      employees: 40,
      lines: [
        { skill: 0, occupation: 0, eqf: 4, workers: 10, priority: 'high', period: NEXT_QUARTER },
      ],
    });
  }
  const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
  const call = await newCall(t.db, region, { campaignId });
  const pact = await submittedPact(t.db, { authority, campaignId, call }, [
    { participants: 12, hours: 40, period: NEXT_QUARTER },
    { participants: 8, hours: 40, period: NEXT_QUARTER },
  ]);
  await approvePact(t.db, region, pact.id, {
    revision: 1,
    remarks: 'Only the first course',
    amounts: new Map([[pact.actions[1]!.id, 0]]),
  });
  const token = (await createApiToken(t.db, region.id, 'test')).token;
  return { campaignId, token, pactId: pact.id };
}

describe('GET /api/v1/dashboard after a partial approval', () => {
  it('counts as covered only the participants of actions the region funded', async () => {
    const s = await partlyApproved();
    const res = await request(app)
      .get(`/api/v1/dashboard?campaignId=${s.campaignId}&territory=ITI14`)
      .set('Authorization', `Bearer ${s.token}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toMatchObject({
      workersInNeed: { value: 30, suppressed: false },
      workersCovered: 12,
      coveragePercent: { value: 40, suppressed: false },
    });
    expect(res.body.series).toEqual([
      {
        period: NEXT_QUARTER,
        workersInNeed: { value: 30, suppressed: false },
        workersCovered: 12,
        completed: 0,
      },
    ]);
    // The same count the open data publishes for the pact.
    const open = await request(app).get(
      `/api/v1/open-data?dataset=pacts&campaignId=${s.campaignId}`,
    );
    expect(open.body.records[0]).toMatchObject({ actions: 1, participants: 12 });
  });

  it('gives the approved grant on the pact API too, the amount the pact page and open data show', async () => {
    const s = await partlyApproved();
    const open = await request(app).get(
      `/api/v1/open-data?dataset=pacts&campaignId=${s.campaignId}`,
    );
    const approvedEur = open.body.records[0].approved_eur as number;
    expect(approvedEur).toBeGreaterThan(0);
    const one = await request(app)
      .get(`/api/v1/pacts/${s.pactId}`)
      .set('Authorization', `Bearer ${s.token}`);
    expect(one.status).toBe(200);
    expect(one.body.approvedCents).toBe(Math.round(approvedEur * 100));
    expect(one.body.approvedCents).toBeLessThan(one.body.requestedCents);
    const list = await request(app)
      .get(`/api/v1/pacts?campaign=${s.campaignId}`)
      .set('Authorization', `Bearer ${s.token}`);
    expect(list.body.find((p: { id: string }) => p.id === s.pactId)).toMatchObject({
      approvedCents: Math.round(approvedEur * 100),
    });
  });
});
