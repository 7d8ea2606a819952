import type { Db } from '../../src/db';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb } from '../helpers/test-db';
import { newCampaign, newFirm, submitVersion, type NeedLine } from '../needs/factories';
import { farDay } from '../helpers/dates';

const line = (skill: number, workers: number): NeedLine => ({
  skill,
  occupation: 0,
  eqf: 4,
  workers,
  priority: 'high',
  period: '2027-Q1',
});

/**
 * A Tuscan campaign (ITI1, k = 3) where firms of Firenze (048017) declared 12 workers to train in
 * F40.a (three firms: published to authorities), one firm 5 workers in DC1.1 (suppressed) and
 * three firms 1 worker each in DC2.1;
 * a local authority of the province (ITI14) promotes pacts; partners and other parties around.
 */
export async function pactScenario(db: Db) {
  const campaign = await newCampaign(db, { territory: 'ITI1', k: 3 });
  for (const workers of [4, 4, 4]) {
    const firm = await newFirm(db, '048017');
    await submitVersion(db, campaign.id, firm, campaign.region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [line(0, workers)],
    });
  }
  // Three small DC2.1 needs: the smallest cell of the lines, so the complement suppression
  // that protects DC1.1 falls on them rather than on F40.a.
  for (const sector of [0, 2, 3]) {
    const firm = await newFirm(db, '048017');
    await submitVersion(db, campaign.id, firm, campaign.region.id, {
      territory: '048017',
      sector,
      employees: 30,
      lines: [line(3, 1)],
    });
  }
  const lone = await newFirm(db, '048017');
  await submitVersion(db, campaign.id, lone, campaign.region.id, {
    territory: '048017',
    sector: 1,
    employees: 30,
    lines: [line(2, 5)],
  });
  const authority = await newUser(db, { role: 'local_authority', territory: 'ITI14' });
  const { employers, union } = await socialPartners(db);
  // Prato's authority: another territory, sees nothing of Firenze's pacts.
  const stranger = await newUser(db, { role: 'local_authority', territory: 'ITI15' });
  const call = await db
    .insertInto('funding_calls')
    .values({
      organisation_id: campaign.region.organisationId,
      territory_code: 'ITI1',
      title: 'Avviso formazione 4.0',
      budget_cents: 100_000_000,
      course_hour_cents: 10_000,
      participant_hour_cents: 100,
      deadline: farDay(),
      status: 'open',
      created_by: campaign.region.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    campaign,
    region: campaign.region,
    authority,
    employers,
    union,
    stranger,
    callId: call.id,
    password: PASSWORD,
    token: async (userId: string) => (await createApiToken(db, userId, 'test')).token,
  };
}

export type PactScenario = Awaited<ReturnType<typeof pactScenario>>;

/** Both sides a pact needs: Tuscany's employer association and Florence's trade union. */
export async function socialPartners(db: Db) {
  const employers = await newUser(db, {
    role: 'social_partner',
    partnerType: 'employer_association',
    territory: 'ITI1',
  });
  const union = await newUser(db, {
    role: 'social_partner',
    partnerType: 'trade_union',
    territory: 'ITI14',
  });
  return { employers, union };
}

/**
 * A database of its own with the pact scenario, the app, and the promoter and both social
 * partners signed in: what the pact pages' tests start from. Close `t` after them.
 */
export async function signedInScenario() {
  const t = await newTestDb();
  const app = testApp(t);
  const s = await pactScenario(t.db);
  const authority = await loginAs(app, s.authority.email, PASSWORD);
  const employers = await loginAs(app, s.employers.email, PASSWORD);
  const union = await loginAs(app, s.union.email, PASSWORD);
  return { t, app, s, authority, employers, union };
}
