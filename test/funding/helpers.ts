import crypto from 'node:crypto';
import type { Db } from '../../src/db';
import type { SessionUser } from '../../src/http/types';
import { actionCostCents } from '../../src/lib/unit-costs';
import { farDay, quarterFromNow } from '../helpers/dates';
import { newUser } from '../helpers/factories';
import { newCampaign, newFirm, submitVersion } from '../needs/factories';
import { newPact, type ActionSeed } from '../pacts/factories';

export interface CallSeed {
  territory?: string;
  campaignId?: string | null;
  budgetCents?: number;
  courseHourCents?: number;
  participantHourCents?: number;
  maxHours?: number | null;
  minParticipants?: number | null;
  maxParticipants?: number | null;
  maxCostPerParticipantCents?: number | null;
  cofinancingPercent?: number;
  deadline?: string;
  status?: 'draft' | 'open' | 'closed';
  areas?: string[];
  allocations?: { territory: string; cents: number }[];
}

/** An open call of `region` straight through Kysely (the form is tested on its own). */
export async function newCall(db: Db, region: SessionUser, seed: CallSeed = {}) {
  const call = await db
    .insertInto('funding_calls')
    .values({
      organisation_id: region.organisationId,
      territory_code: seed.territory ?? region.territoryCode,
      campaign_id: seed.campaignId ?? null,
      title: `Call ${crypto.randomBytes(3).toString('hex')}`,
      budget_cents: seed.budgetCents ?? 100_000_00,
      course_hour_cents: seed.courseHourCents ?? 100_00,
      participant_hour_cents: seed.participantHourCents ?? 5_00,
      max_hours_per_action: seed.maxHours ?? null,
      min_participants: seed.minParticipants ?? null,
      max_participants: seed.maxParticipants ?? null,
      max_cost_per_participant_cents: seed.maxCostPerParticipantCents ?? null,
      cofinancing_percent: seed.cofinancingPercent ?? 0,
      deadline: seed.deadline ?? farDay(),
      status: seed.status ?? 'open',
      created_by: region.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (seed.allocations?.length)
    await db
      .insertInto('funding_call_allocations')
      .values(
        seed.allocations.map((a) => ({
          call_id: call.id,
          territory_code: a.territory,
          amount_cents: a.cents,
        })),
      )
      .execute();
  if (seed.areas?.length)
    await db
      .insertInto('funding_call_skill_areas')
      .values(seed.areas.map((a) => ({ call_id: call.id, area_code: a })))
      .execute();
  return call;
}

/** Firms of `territory` declare `workers` for skill F40.a (and DC1.1) in the campaign. */
export async function declareNeeds(db: Db, campaignId: string, territory: string, workers: number) {
  const NEXT = quarterFromNow(1);
  const firm = await newFirm(db, territory);
  const user = await newUser(db, { role: 'region' });
  await submitVersion(db, campaignId, firm, user.id, {
    territory,
    sector: 0,
    employees: 40,
    lines: [
      { skill: 0, occupation: 0, eqf: 4, workers, priority: 'high', period: NEXT },
      { skill: 2, occupation: 0, eqf: 4, workers, priority: 'high', period: NEXT },
    ],
  });
}

/** A region (ITI1), an authority (ITI14), a campaign with needs in Empoli, and an open call. */
export async function scenario(db: Db, call: CallSeed = {}, workers = 1000) {
  const { id: campaignId, region } = await newCampaign(db, { territory: 'ITI1', k: 1 });
  const authority = await newUser(db, { role: 'local_authority', territory: 'ITI14' });
  await declareNeeds(db, campaignId, '048014', workers);
  const c = await newCall(db, region, call);
  return { campaignId, region, authority, call: c };
}

/** A submitted pact of the authority under the call, each action costed from the call. */
export async function submittedPact(
  db: Db,
  s: {
    authority: SessionUser;
    campaignId: string;
    call: { id: string; course_hour_cents: number; participant_hour_cents: number };
  },
  actions: ActionSeed[] = [{}],
  options: { signatories?: string[]; territory?: string } = {},
) {
  return newPact(db, {
    promoter: s.authority,
    status: 'submitted',
    campaign: s.campaignId,
    callId: s.call.id,
    territory: options.territory,
    signatories: options.signatories,
    actions: actions.map((a) => ({
      ...a,
      costCents: actionCostCents(
        { participants: a.participants ?? 5, hours: a.hours ?? 40 },
        s.call,
      ),
    })),
  });
}

export async function ledgerSum(db: Db, callId: string): Promise<number> {
  const row = await db
    .selectFrom('budget_commitments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('s'))
    .where('call_id', '=', callId)
    .executeTakeFirstOrThrow();
  return Number(row.s);
}
