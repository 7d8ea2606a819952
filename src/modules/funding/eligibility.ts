import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { actionCostCents } from '../../lib/unit-costs';
import { needsBackingReport } from '../pacts/needs-backing';
import type { Pact, PactActionRow } from '../pacts/pacts.tables';
import { quarterOf, romeToday } from '../survey/calendar';
import * as repo from './calls.repository';
import type { CallRow } from './calls.service';
import { euros } from './money';

/**
 * The eligibility report of a pact against its call's rules: one line per rule (per action where
 * the rule is per action), pass or fail, with the numbers behind it as i18n params
 * (`funding.rules.<rule>`). Amounts are the approved ones when given (the approve form), else
 * each action's full grant. The cost per participant divides an amount by the participants it
 * funds: lowering an amount with its participants pro rata does not make that rule pass, lowering
 * it for the same participants does.
 */
export interface RuleLine {
  rule: string;
  ok: boolean;
  actionId?: string;
  action?: string;
  params: Record<string, string | number | null>;
}

export interface EligibilityReport {
  ok: boolean;
  lines: RuleLine[];
  /** Sum of the actions' costs (what the unit costs give). */
  costCents: number;
  /** The firms' share the call requires, per the co-financing percentage. */
  cofinancingCents: number;
  /** The public grant asked (or being approved): what would be committed. */
  grantCents: number;
  availableCents: number | null;
  allocation: { territory: string; availableCents: number } | null;
}

type Allocation = { territory_code: string; amount_cents: number; committed_cents: number };

/** The firms' share of an action's cost: rounded up, so they always bring at least the percentage. */
export const cofinancingOf = (cost: number, percent: number) => Math.ceil((cost * percent) / 100);
/** The most the call may grant for an action: its cost less the firms' share. */
export const maxGrantOf = (cost: number | null, percent: number) =>
  cost === null ? 0 : cost - cofinancingOf(cost, percent);

export async function eligibilityReport(
  db: Executor,
  input: {
    pact: Pact;
    call: CallRow | undefined;
    allocation: Allocation | undefined;
    actions: PactActionRow[];
    amounts?: Map<string, number>;
    /** Participants each amount funds (the approve form); else those recorded, or planned. */
    participants?: Map<string, number>;
    viewer?: SessionUser;
  },
): Promise<EligibilityReport> {
  const { pact, call, actions } = input;
  const lines: RuleLine[] = [];
  const base = {
    ok: false,
    lines,
    costCents: 0,
    cofinancingCents: 0,
    grantCents: 0,
    availableCents: null,
    allocation: null,
  };
  if (!call) {
    lines.push({ rule: 'call', ok: false, params: {} });
    return base;
  }
  const pct = call.cofinancing_percent;
  const push = (rule: string, ok: boolean, params: RuleLine['params'], a?: PactActionRow) =>
    lines.push({ rule, ok, params, ...(a ? { actionId: a.id, action: a.title } : {}) });

  push('territory', await repo.within(db, pact.territory_code, call.territory_code), {
    territory: pact.territory_code,
    callTerritory: call.territory_code,
  });
  if (call.campaign_id) push('campaign', call.campaign_id === pact.campaign_id, {});
  const submitted = pact.submitted_at ? romeToday(new Date(pact.submitted_at)) : null;
  push('deadline', submitted !== null && submitted <= call.deadline, {
    submitted,
    deadline: call.deadline,
  });
  push('actions', actions.length > 0, { count: actions.length });

  const areaCodes = new Set((await repo.callAreas(db, call.id)).map((a) => a.code));
  const skillArea = new Map(
    (await db.selectFrom('skills').select(['code', 'area_code']).execute()).map((s) => [
      s.code,
      s.area_code,
    ]),
  );
  const backing = await needsBackingReport(db, pact.id, input.viewer);
  // An approved (or running) pact already holds a commitment on this call: the report checks
  // what it was granted, and that money counts as available to it, not as spent by others.
  const own = await ownCommitment(db, pact.id, call.id);
  // Training cannot be funded for a quarter already gone: the quarter of today while the pact
  // awaits a decision, of its approval once funded (its actions then rightly fall into the past).
  const approvedOn = own.total > 0 && pact.decided_at ? new Date(pact.decided_at) : null;
  const current = quarterOf(romeToday(approvedOn ?? undefined));
  const funded: Record<string, number> = approvedOn ? { committed: 1 } : {};
  let cost = 0;
  let cofin = 0;
  let grant = 0;
  for (const a of actions) {
    const expected = actionCostCents(a, call);
    const amount =
      input.amounts?.get(a.id) ??
      (own.total > 0 ? (own.byAction.get(a.id) ?? 0) : maxGrantOf(a.cost_cents, pct));
    cost += a.cost_cents ?? 0;
    cofin += a.cost_cents === null ? 0 : cofinancingOf(a.cost_cents, pct);
    grant += amount;
    push('period', a.period >= current, { period: a.period, current, ...funded }, a);
    push(
      'cost',
      a.cost_cents === expected,
      { cost: euros(a.cost_cents), expected: euros(expected) },
      a,
    );
    if (call.max_hours_per_action !== null)
      push(
        'hours',
        a.hours <= call.max_hours_per_action,
        { hours: a.hours, max: call.max_hours_per_action },
        a,
      );
    if (call.min_participants !== null || call.max_participants !== null)
      push(
        'participants',
        a.participants >= (call.min_participants ?? 1) &&
          a.participants <= (call.max_participants ?? 10000),
        {
          participants: a.participants,
          min: call.min_participants ?? 1,
          max: call.max_participants ?? 10000,
        },
        a,
      );
    if (call.max_cost_per_participant_cents !== null) {
      // Per participant the amount funds: an amount cut with the participants it pays for cut
      // pro rata costs as much per head as before.
      const heads =
        input.participants?.get(a.id) ??
        (input.amounts ? a.participants : (a.funded_participants ?? a.participants));
      const per = heads > 0 ? Math.ceil(amount / heads) : 0;
      push(
        'costPerParticipant',
        per <= call.max_cost_per_participant_cents,
        {
          perParticipant: euros(per),
          max: euros(call.max_cost_per_participant_cents),
        },
        a,
      );
    }
    if (areaCodes.size > 0) {
      const outside = a.skill_codes.filter((s) => !areaCodes.has(skillArea.get(s) ?? ''));
      push('skills', outside.length === 0, { outside: outside.join(', ') || '—' }, a);
    }
    const lacking = (backing.get(a.id) ?? []).filter((b) => !b.ok).map((b) => b.skillName);
    push('needs', lacking.length === 0, { lacking: lacking.join(', ') || '—' }, a);
  }

  const available = call.budget_cents - call.committed_cents + own.total;
  // A funded pact's report checks what it holds now, not what it asked: said so (`committed`).
  const held: Record<string, number> = own.total > 0 && !input.amounts ? { committed: 1 } : {};
  push('budget', grant <= available, {
    requested: euros(grant),
    available: euros(available),
    ...held,
  });
  let allocation: EligibilityReport['allocation'] = null;
  if (input.allocation) {
    const left =
      input.allocation.amount_cents -
      input.allocation.committed_cents +
      (own.byAllocation.get(input.allocation.territory_code) ?? 0);
    allocation = { territory: input.allocation.territory_code, availableCents: left };
    push('allocation', grant <= left, {
      requested: euros(grant),
      available: euros(left),
      territory: input.allocation.territory_code,
      ...held,
    });
  }
  return {
    ok: lines.every((l) => l.ok),
    lines,
    costCents: cost,
    cofinancingCents: cofin,
    grantCents: grant,
    availableCents: available,
    allocation,
  };
}

/** What the ledger holds committed to this pact on this call: in total, per action, per allocation. */
async function ownCommitment(db: Executor, pactId: string, callId: string) {
  const rows = await db
    .selectFrom('budget_commitments')
    .select([
      'action_id',
      'allocation_territory',
      (eb) => eb.fn.sum<number>('amount_cents').as('cents'),
    ])
    .where('pact_id', '=', pactId)
    .where('call_id', '=', callId)
    .groupBy(['action_id', 'allocation_territory'])
    .execute();
  const byAction = new Map<string, number>();
  const byAllocation = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    const cents = Number(r.cents);
    total += cents;
    byAction.set(r.action_id, (byAction.get(r.action_id) ?? 0) + cents);
    if (r.allocation_territory)
      byAllocation.set(
        r.allocation_territory,
        (byAllocation.get(r.allocation_territory) ?? 0) + cents,
      );
  }
  return { total, byAction, byAllocation };
}
