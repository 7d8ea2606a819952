import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { inScope } from '../accounts/scope';
import { findCurrentTerritory } from '../reference/territories.repository';
import { romeToday } from '../survey/calendar';
import * as repo from './calls.repository';
import type { NewCall } from './funding.schemas';

export interface CallProblem {
  field: string;
  key: string;
  params?: Record<string, unknown>;
}

/** Problems found, as one 422 on the first one's field, with all of them (the API lists each). */
export function problemsError(problems: CallProblem[]): DomainError {
  return new DomainError(problems[0]!.key, {
    field: problems[0]!.field,
    params: problems[0]!.params,
    status: 422,
    details: problems,
  });
}

/**
 * Every rule a new call breaks, each on its field, so the form shows them all at once. A field
 * missing from `input` (the form refused it already) is not checked, nor the rules that need it.
 */
export async function callProblems(
  db: Executor,
  user: SessionUser,
  input: Partial<NewCall>,
): Promise<CallProblem[]> {
  const problems: CallProblem[] = [];
  const territory = input.territoryCode
    ? await findCurrentTerritory(db, input.territoryCode)
    : undefined;
  const callTerritory =
    territory && (await inScope(db, user, territory.code)) ? territory.code : undefined;
  if (input.territoryCode && !callTerritory)
    problems.push({ field: 'territoryCode', key: 'funding.errors.outOfScope' });
  if (input.deadline && input.deadline < romeToday())
    problems.push({ field: 'deadline', key: 'funding.errors.deadlinePast' });
  if (input.campaignId) {
    const campaign = await db
      .selectFrom('campaigns as c')
      .innerJoin('territories as t', 't.code', 'c.territory_code')
      .select(['c.title', 'c.territory_code', 't.name', 't.names'])
      .where('c.id', '=', input.campaignId)
      .executeTakeFirst();
    if (!campaign || !(await inScope(db, user, campaign.territory_code)))
      problems.push({ field: 'campaignId', key: 'funding.errors.unknownCampaign' });
    // The needs a pact of this call claims are the campaign's: a campaign of another territory
    // has none there, so no pact of the call could ever be backed.
    else if (callTerritory && !(await repo.within(db, callTerritory, campaign.territory_code)))
      problems.push({
        field: 'campaignId',
        key: 'funding.errors.campaignElsewhere',
        params: { campaign: campaign.title, territory: { _: campaign.name, ...campaign.names } },
      });
  }
  const areas = [...new Set(input.skillAreas ?? [])];
  const known = areas.length
    ? await db.selectFrom('skill_areas').select('code').where('code', 'in', areas).execute()
    : [];
  if (known.length !== areas.length)
    problems.push({ field: 'skillAreas', key: 'funding.errors.unknownArea' });
  return [...problems, ...(await allocationProblems(db, input, callTerritory))];
}

/** Allocations: each strictly below the call's territory, none inside another, all within budget. */
async function allocationProblems(
  db: Executor,
  input: Partial<NewCall>,
  callTerritory: string | undefined,
): Promise<CallProblem[]> {
  const problems: CallProblem[] = [];
  const seen: string[] = [];
  let total = 0;
  let over = false;
  for (const r of input.allocations ?? []) {
    const problem = (key: string, field = r.fields.territory) => problems.push({ field, key });
    if (!r.territory) problem('funding.errors.allocation.noTerritory');
    if (!r.cents) problem('funding.errors.allocation.noAmount', r.fields.amount);
    if (!r.territory) continue;
    if (
      callTerritory &&
      (r.territory === callTerritory || !(await repo.within(db, r.territory, callTerritory)))
    )
      problem('funding.errors.allocation.outside');
    else {
      // A row refused as outside the call is not held against the others: only it is wrong.
      if (await overlaps(db, r.territory, seen)) problem('funding.errors.allocation.overlap');
      seen.push(r.territory);
    }
    total += r.cents;
    if (!over && input.budget !== undefined && total > input.budget) {
      over = true;
      problem('funding.errors.allocation.overBudget', r.fields.amount);
    }
  }
  return problems;
}

async function overlaps(db: Executor, territory: string, others: string[]): Promise<boolean> {
  for (const other of others)
    if (
      other === territory ||
      (await repo.within(db, territory, other)) ||
      (await repo.within(db, other, territory))
    )
      return true;
  return false;
}
