import type { Db, Executor, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { getManagedCall } from '../funding/calls.service';
import { lockLedgerOf, releaseCommitted } from '../funding/ledger';
import { quarterOf, romeToday } from '../survey/calendar';
import { loadPactFor } from './access';
import { appendAudit } from './audit';
import * as repo from './execution.repository';
import { cumulativeIssues, OutcomeRejectedError, reportIssues } from './execution.rules';
import type { OutcomeInput } from './execution.schemas';
import type { PactStatus } from './pact-workflow';
import { transitionPact } from './transitions';

/** Statuses in which a pact has an execution to show. */
export const EXECUTED_STATUSES: readonly PactStatus[] = ['approved', 'in_progress', 'closed'];
const REPORTABLE: readonly PactStatus[] = ['approved', 'in_progress'];

/** The pact as one who reports on it: its promoter or the region over it (others: 403/404). */
async function reporterPact(tx: Tx, user: SessionUser, pactId: string) {
  const { pact, party } = await loadPactFor(tx, pactId, user, { forUpdate: true });
  if (party !== 'promoter' && party !== 'region')
    throw new DomainError('execution.errors.reporterOnly', { status: 403 });
  return { pact, party };
}

/**
 * Records what one action delivered in one quarter, replacing an earlier report of that quarter.
 * The pact row is locked first, so two reports on one pact take turns and the totals across
 * quarters are checked against what is really stored. The first report starts the pact.
 */
export async function reportOutcome(db: Db, user: SessionUser, pactId: string, o: OutcomeInput) {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await reporterPact(tx, user, pactId);
    if (pact.status === 'closed') throw new DomainError('execution.errors.closed');
    if (!REPORTABLE.includes(pact.status)) throw new DomainError('execution.errors.notApproved');
    const action = await tx
      .selectFrom('pact_actions')
      .selectAll()
      .where('id', '=', o.actionId)
      .where('pact_id', '=', pact.id)
      .executeTakeFirst();
    if (!action)
      throw new OutcomeRejectedError([
        { field: 'actionId', key: 'execution.errors.unknownAction', params: {} },
      ]);
    // An action the region cut to nothing is not funded: there is nothing of it to report.
    if (action.approved_cents === 0)
      throw new OutcomeRejectedError([
        { field: 'actionId', key: 'execution.errors.notFunded', params: { title: action.title } },
      ]);
    const issues = [
      ...reportIssues(
        o,
        quarterOf(romeToday()),
        pact.decided_at ? quarterOf(romeToday(new Date(pact.decided_at))) : null,
      ),
      ...cumulativeIssues(o, await repo.otherQuarters(tx, action.id, o.period), action),
    ];
    if (issues.length) throw new OutcomeRejectedError(issues);
    if (pact.status === 'approved') await transitionPact(tx, pact.id, 'start', user, { party });
    const { replaced, unchanged } = await repo.upsertOutcome(tx, pact.id, user.id, o);
    const { actionId, period, ...figures } = o;
    if (unchanged)
      return {
        pactId: pact.id,
        actionId,
        period,
        replaced,
        status: pact.status as PactStatus,
        repeated: true,
      };
    await appendAudit(tx, {
      pactId: pact.id,
      actor: user,
      event: 'outcome_reported',
      revision: pact.revision,
      detail: { actionId, action: action.title, period, replaced, ...figures },
    });
    return {
      pactId: pact.id,
      actionId,
      period,
      replaced,
      status: 'in_progress' as PactStatus,
      repeated: false,
    };
  });
}

/**
 * in_progress → closed, by the promoter or the region; no report is accepted afterwards. What
 * each action has not spent goes back to the call (and its allocation): the figures are final.
 */
export async function closePact(
  db: Db,
  user: SessionUser,
  pactId: string,
  /** The confirmation's one-time key: its second post (a double click) finds it closed. */
  formKey?: string,
): Promise<{ releasedCents: number; repeated: boolean }> {
  return db.transaction().execute(async (tx) => {
    const { party } = await loadPactFor(tx, pactId, user);
    if (party !== 'promoter' && party !== 'region')
      throw new DomainError('execution.errors.reporterOnly', { status: 403 });
    // The ledger's lock order: call, allocation, then the pact (locked by reporterPact).
    const ledger = await lockLedgerOf(tx, pactId);
    await reporterPact(tx, user, pactId);
    let closed: { releasedCents: number; repeated: boolean } | undefined;
    await createOnce(tx, user.id, formKey, async () => {
      const spent = await repo.spentByAction(tx, pactId);
      const releasedCents = ledger
        ? await releaseCommitted(tx, ledger, pactId, 'closure', user.id, spent)
        : 0;
      // A pact that is not running refuses the transition, and the release rolls back with it.
      await transitionPact(tx, pactId, 'close', user, { party, detail: { releasedCents } });
      closed = { releasedCents, repeated: false };
      return pactId;
    });
    if (closed) return closed;
    // Closed a moment ago by this very form: what that closing gave back, said again.
    const released = await tx
      .selectFrom('budget_commitments')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('cents'))
      .where('pact_id', '=', pactId)
      .where('reason', '=', 'closure')
      .executeTakeFirstOrThrow();
    return { releasedCents: -Number(released.cents), repeated: true };
  });
}

const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;

/** Everything the execution page shows: per action, planned against delivered, and its quarters. */
export async function executionView(db: Executor, user: SessionUser, pactId: string) {
  const { pact, party } = await loadPactFor(db, pactId, user);
  const [actions, outcomes] = await Promise.all([
    repo.pactActions(db, pact.id),
    repo.pactOutcomes(db, pact.id),
  ]);
  const reporter = party === 'promoter' || party === 'region';
  return {
    pact,
    party,
    canReport: reporter && REPORTABLE.includes(pact.status),
    canClose: reporter && pact.status === 'in_progress',
    executed: EXECUTED_STATUSES.includes(pact.status),
    currentQuarter: quarterOf(romeToday()),
    actions: actions.map((a) => {
      const quarters = outcomes.filter((o) => o.action_id === a.id);
      const sum = (
        k: 'enrolled' | 'completed' | 'hours_delivered' | 'spent_cents' | 'cofinanced_cents',
      ) => quarters.reduce((s, q) => s + Number(q[k]), 0);
      const delivered = {
        enrolled: sum('enrolled'),
        completed: sum('completed'),
        hours: sum('hours_delivered'),
        spentCents: sum('spent_cents'),
        cofinancedCents: sum('cofinanced_cents'),
      };
      return {
        action: a,
        quarters,
        delivered,
        completionPercent: ratio(delivered.completed, delivered.enrolled),
        enrolledPercent: ratio(delivered.enrolled, a.participants),
        hoursPercent: ratio(delivered.hours, a.hours),
        spentPercent: ratio(delivered.spentCents, a.approved_cents ?? 0),
      };
    }),
  };
}

export type ExecutionView = Awaited<ReturnType<typeof executionView>>;

/** The ESF+ indicators of a call's pacts by territory, with the total row (the call's region). */
export async function esfIndicators(
  db: Executor,
  user: SessionUser,
  callId: string,
  period?: string,
) {
  const call = await getManagedCall(db, user, callId);
  const rows = await repo.esfTotalsByTerritory(db, call.id, period);
  const total = Object.fromEntries(
    [...repo.ESF_SUMS, 'pacts' as const].map((c) => [c, rows.reduce((s, r) => s + r[c], 0)]),
  ) as Record<repo.EsfColumn | 'pacts', number>;
  return { call, period: period ?? null, rows, total };
}

export type EsfIndicators = Awaited<ReturnType<typeof esfIndicators>>;
