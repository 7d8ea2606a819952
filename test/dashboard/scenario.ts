import { sql } from 'kysely';
import type { Db } from '../../src/db';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { approvePact } from '../../src/modules/funding/review.service';
import { quarterFromNow } from '../helpers/dates';
import { newUser } from '../helpers/factories';
import { newCall, submittedPact } from '../funding/helpers';
import { newCampaign, newFirm, submitVersion, type NeedLine } from '../needs/factories';
import { newPact } from '../pacts/factories';

/** Needs and actions planned for the quarters after today's (2027-Q1 and Q2 when written). */
export const NEXT_QUARTER = quarterFromNow(1);
export const QUARTER_AFTER = quarterFromNow(2);

const f40 = (workers: number, period: string): NeedLine => ({
  skill: 0,
  occupation: 0,
  eqf: 4,
  workers,
  priority: 'high',
  period,
});

/** One current answer of a new firm of `territory`, readiness score 60 (all six dimensions 3). */
async function answer(
  db: Db,
  campaignId: string,
  userId: string,
  territory: string,
  line: NeedLine,
) {
  const firm = await newFirm(db, territory);
  const id = await submitVersion(db, campaignId, firm, userId, {
    territory,
    sector: 0,
    employees: 30,
    lines: [line],
  });
  await sql`
    UPDATE responses SET dma_strategy = 3, dma_readiness = 3, dma_human = 3, dma_data = 3,
      dma_automation = 3, dma_green = 3, readiness_score = 60
    WHERE id = ${id}`.execute(db);
}

/**
 * Tuscany (ITI1, k = 3), skill F40.a, 30 employees per firm:
 *   Firenze 048017: 3 firms × 4 workers (Q1: NEXT_QUARTER); Bagno a Ripoli 048001: 3 × 5 (Q2: QUARTER_AFTER);
 *   Fiesole 048015: 1 firm, 2 workers (Q1) — below k; Prato 100005 (ITI15): 2 + 2 + 3 (Q1).
 * Pacts: one of the province of Firenze approved through the review service (10 participants,
 * 40 h, Q1 and 4 participants, 20 h, Q2: 6,000 € + 2,400 € committed), with outcomes reported
 * (Q1: 10 enrolled, 8 completed, 5,000 € spent; Q2: 4, 2, 1,000 €); one of Prato approved (3
 * participants, Q1, no call); a draft of Firenze (50 participants) that counts for nothing.
 * Lombardy (ITC4) has its own campaign with two firms.
 */
export async function dashboardScenario(db: Db) {
  const { id: campaignId, region } = await newCampaign(db, { territory: 'ITI1', k: 3 });
  for (let i = 0; i < 3; i++)
    await answer(db, campaignId, region.id, '048017', f40(4, NEXT_QUARTER));
  for (let i = 0; i < 3; i++)
    await answer(db, campaignId, region.id, '048001', f40(5, QUARTER_AFTER));
  await answer(db, campaignId, region.id, '048015', f40(2, NEXT_QUARTER));
  for (const w of [2, 2, 3])
    await answer(db, campaignId, region.id, '100005', f40(w, NEXT_QUARTER));

  const authority = await newUser(db, { role: 'local_authority', territory: 'ITI14' });
  const prato = await newUser(db, { role: 'local_authority', territory: 'ITI15' });
  const call = await newCall(db, region, { campaignId });
  const pact = await submittedPact(db, { authority, campaignId, call }, [
    { participants: 10, hours: 40, period: NEXT_QUARTER },
    { participants: 4, hours: 20, period: QUARTER_AFTER },
  ]);
  await approvePact(db, region, pact.id, { revision: 1, remarks: '' });
  const outcome = (
    actionId: string,
    period: string,
    enrolled: number,
    completed: number,
    spent: number,
  ) =>
    db
      .insertInto('action_outcomes')
      .values({
        action_id: actionId,
        period,
        pact_id: pact.id,
        enrolled,
        completed,
        hours_delivered: 10,
        spent_cents: spent,
        women: enrolled,
        age_30_54: enrolled,
        employed: enrolled,
        isced_3_4: enrolled,
        reported_by: region.id,
      })
      .execute();
  await outcome(pact.actions[0]!.id, NEXT_QUARTER, 10, 8, 5000_00);
  await outcome(pact.actions[1]!.id, QUARTER_AFTER, 4, 2, 1000_00);
  await newPact(db, {
    promoter: prato,
    status: 'approved',
    campaign: campaignId,
    actions: [{ participants: 3, period: NEXT_QUARTER }],
  });
  await newPact(db, {
    promoter: authority,
    status: 'draft',
    campaign: campaignId,
    actions: [{ participants: 50, period: NEXT_QUARTER }],
  });

  const lombardy = await newCampaign(db, { territory: 'ITC4', k: 3 });
  for (const w of [6, 9])
    await answer(db, lombardy.id, lombardy.region.id, 'ITC4C', f40(w, NEXT_QUARTER));

  const token = async (userId: string) => (await createApiToken(db, userId, 'test')).token;
  return { campaignId, region, authority, prato, pact, call, lombardy, token };
}

export type DashboardScenario = Awaited<ReturnType<typeof dashboardScenario>>;
