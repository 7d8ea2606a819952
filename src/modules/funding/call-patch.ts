import type { Executor } from '../../db';
import { invalidInput } from '../../http/validate';
import * as repo from './calls.repository';
import { callApiSchema, callFromApi, type CallPatch, type NewCall } from './funding.schemas';

type CallRow = NonNullable<Awaited<ReturnType<typeof repo.findCall>>>;

/**
 * A draft call with an API patch laid over it (read under the draft's lock, so two patches of
 * different fields both count): what is left is checked as a whole new call would be, so a
 * minimum raised above the stored maximum is refused like one sent together with it.
 */
export async function patchedCall(db: Executor, call: CallRow, patch: CallPatch): Promise<NewCall> {
  const allocations = await repo.callAllocations(db, call.id);
  const areas = await repo.callAreas(db, call.id);
  const current = {
    title: call.title,
    description: call.description,
    territoryCode: call.territory_code,
    campaignId: call.campaign_id,
    budgetCents: call.budget_cents,
    courseHourCents: call.course_hour_cents,
    participantHourCents: call.participant_hour_cents,
    maxHours: call.max_hours_per_action,
    minParticipants: call.min_participants,
    maxParticipants: call.max_participants,
    maxCostPerParticipantCents: call.max_cost_per_participant_cents,
    cofinancingPercent: call.cofinancing_percent,
    deadline: call.deadline,
    skillAreas: areas.map((a) => a.code),
    allocations: allocations.map((a) => ({
      territoryCode: a.territory_code,
      amountCents: a.amount_cents,
    })),
  };
  // `null` in the patch clears the field: left out, as if never set.
  const merged = Object.fromEntries(
    Object.entries({ ...current, ...patch }).filter(([, v]) => v !== null && v !== undefined),
  );
  const parsed = callApiSchema.safeParse(merged);
  if (!parsed.success) throw invalidInput(parsed.error);
  return callFromApi(parsed.data);
}
