import type { Db, Executor, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { loadPactFor } from '../pacts/access';
import { findTerritory } from '../reference/territories.repository';
import { spentByAction } from '../pacts/execution.repository';
import { appendAudit } from '../pacts/audit';
import { transitionPact } from '../pacts/transitions';
import type { Pact, PactActionRow } from '../pacts/pacts.tables';
import * as repo from './calls.repository';
import { cofinancingOf, eligibilityReport, maxGrantOf } from './eligibility';
import { BudgetExceededError, committedByAction, writeLedger } from './ledger';
import { fundedParticipants, proRataParticipants } from './funded-participants';
import type { DecidedAction, DecisionKind } from './review.tables';

export interface DecisionInput {
  revision: number;
  remarks: string;
  /** Approved cents per action id; missing actions get their full grant (approve only). */
  amounts?: Map<string, number>;
  /** Participants each approved amount funds, per action id; missing: see fundedParticipants. */
  participants?: Map<string, number>;
}

/** The pact as its reviewer: a region user whose territory contains it, else 404. */
async function reviewedPact(db: Executor, user: SessionUser, pactId: string, forUpdate = false) {
  const { pact, party } = await loadPactFor(db, pactId, user, { forUpdate });
  if (party !== 'region') throw new NotFoundError();
  return pact;
}

function listActions(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_actions')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('position')
    .execute();
}

class StaleReviewError extends DomainError {
  constructor() {
    super('funding.errors.stale', { status: 409, apiField: 'revision' });
  }
}

/** Checks each amount against its ceiling; the error names the field of the form. */
function approvedAmounts(
  actions: PactActionRow[],
  amounts: Map<string, number> | undefined,
  ceiling: (a: PactActionRow) => number,
  allZero = 'funding.errors.nothingApproved',
) {
  const ids = new Set(actions.map((a) => a.id));
  for (const id of amounts?.keys() ?? [])
    if (!ids.has(id))
      throw new DomainError('funding.errors.unknownAction', { status: 422, field: `amount_${id}` });
  const out = new Map<string, number>();
  for (const a of actions) {
    const max = ceiling(a);
    const amount = amounts?.get(a.id) ?? max;
    if (amount > max)
      throw new DomainError('funding.errors.amountAboveMax', {
        status: 422,
        field: `amount_${a.id}`,
        params: { max: max / 100 },
      });
    out.set(a.id, amount);
  }
  if ([...out.values()].every((v) => v === 0)) throw new DomainError(allZero, { status: 422 });
  return out;
}

/**
 * The participants each approved amount funds (see fundedParticipants); `fallback` gives the
 * figure of an action the input leaves out, by default pro rata of its full grant.
 */
function participantsFunded(
  actions: PactActionRow[],
  amounts: Map<string, number>,
  input: Map<string, number> | undefined,
  full: (a: PactActionRow) => number,
  fallback?: (a: PactActionRow) => number,
) {
  const ids = new Set(actions.map((a) => a.id));
  for (const id of input?.keys() ?? [])
    if (!ids.has(id))
      throw new DomainError('funding.errors.unknownAction', {
        status: 422,
        field: `participants_${id}`,
      });
  return new Map(
    actions.map((a) => [
      a.id,
      fundedParticipants(a, amounts.get(a.id)!, full(a), input?.get(a.id), fallback?.(a)),
    ]),
  );
}

async function recordDecision(
  tx: Tx,
  user: SessionUser,
  pact: Pact,
  kind: DecisionKind,
  input: DecisionInput,
  extra: { approvedCents?: number; actions?: DecidedAction[]; eligibility?: object } = {},
) {
  return tx
    .insertInto('pact_decisions')
    .values({
      pact_id: pact.id,
      call_id: pact.call_id,
      kind,
      revision: pact.revision,
      remarks: input.remarks,
      approved_cents: extra.approvedCents ?? null,
      actions: JSON.stringify(extra.actions ?? []),
      eligibility: JSON.stringify(extra.eligibility ?? {}),
      decided_by: user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Approves a submitted pact in full or for lower amounts per action. Lock order: the call row,
 * the allocation row, then the pact (transitionPact locks it again): every approval against a
 * call takes turns on the call row, so the budget check below sees every earlier commitment.
 */
export async function approvePact(db: Db, user: SessionUser, pactId: string, input: DecisionInput) {
  return db.transaction().execute(async (tx) => {
    const seen = await reviewedPact(tx, user, pactId);
    if (!seen.call_id) throw new DomainError('funding.errors.noCall');
    const call = (await repo.lockCall(tx, seen.call_id))!;
    const allocation = await repo.allocationFor(tx, call.id, seen.territory_code, true);
    const pact = await reviewedPact(tx, user, pactId, true);
    if (pact.status !== 'submitted')
      throw new DomainError('funding.errors.notSubmitted', { params: { status: pact.status } });
    if (pact.revision !== input.revision || pact.call_id !== call.id) throw new StaleReviewError();
    const actions = await listActions(tx, pactId);
    const pct = call.cofinancing_percent;
    const full = (a: PactActionRow) => maxGrantOf(a.cost_cents, pct);
    const amounts = approvedAmounts(actions, input.amounts, full);
    const funded = participantsFunded(actions, amounts, input.participants, full);
    const report = await eligibilityReport(tx, {
      pact,
      call,
      allocation,
      actions,
      amounts,
      participants: funded,
      viewer: user,
    });
    const available = call.budget_cents - call.committed_cents;
    if (report.grantCents > available)
      throw new BudgetExceededError('call', available, report.grantCents);
    if (allocation && report.grantCents > report.allocation!.availableCents)
      throw new BudgetExceededError(
        'allocation',
        report.allocation!.availableCents,
        report.grantCents,
        await reserveName(tx, allocation.territory_code),
      );
    if (!report.ok)
      throw new DomainError('funding.errors.ineligible', {
        params: { count: report.lines.filter((l) => !l.ok).length },
      });
    const decided = actions.map((a) => ({
      actionId: a.id,
      title: a.title,
      costCents: a.cost_cents ?? 0,
      approvedCents: amounts.get(a.id)!,
      participants: a.participants,
      fundedParticipants: funded.get(a.id)!,
    }));
    const decision = await recordDecision(tx, user, pact, 'approve', input, {
      approvedCents: report.grantCents,
      actions: decided,
      eligibility: report,
    });
    for (const a of actions)
      await tx
        .updateTable('pact_actions')
        .set({
          approved_cents: amounts.get(a.id)!,
          funded_participants: funded.get(a.id)!,
          cofinancing_cents: cofinancingOf(a.cost_cents ?? 0, pct),
        })
        .where('id', '=', a.id)
        .execute();
    await tx
      .updateTable('pacts')
      .set({ approved_cents: report.grantCents })
      .where('id', '=', pactId)
      .execute();
    await writeLedger(tx, {
      callId: call.id,
      allocationTerritory: allocation?.territory_code ?? null,
      pactId,
      territory: pact.territory_code,
      decisionId: decision.id,
      kind: 'commit',
      reason: 'approval',
      by: user.id,
      entries: decided.map((d) => ({ actionId: d.actionId, amountCents: d.approvedCents })),
    });
    await transitionPact(tx, pactId, 'approve', user, {
      party: 'region',
      detail: { decisionId: decision.id, approvedCents: report.grantCents, remarks: input.remarks },
    });
    return { decisionId: decision.id, approvedCents: report.grantCents };
  });
}

/** Return (with remarks, back to the promoter) or reject (with reasons): nothing is committed. */
export async function decidePact(
  db: Db,
  user: SessionUser,
  pactId: string,
  kind: 'return' | 'reject',
  input: DecisionInput,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await reviewedPact(tx, user, pactId, true);
    if (pact.status !== 'submitted')
      throw new DomainError('funding.errors.notSubmitted', { params: { status: pact.status } });
    if (pact.revision !== input.revision) throw new StaleReviewError();
    const call = pact.call_id ? await repo.findCall(tx, pact.call_id) : undefined;
    const allocation = call
      ? await repo.allocationFor(tx, call.id, pact.territory_code)
      : undefined;
    const actions = await listActions(tx, pactId);
    const report = await eligibilityReport(tx, { pact, call, allocation, actions, viewer: user });
    const decision = await recordDecision(tx, user, pact, kind, input, { eligibility: report });
    await transitionPact(tx, pactId, kind, user, {
      party: 'region',
      detail: { decisionId: decision.id, remarks: input.remarks },
    });
    return { decisionId: decision.id };
  });
}

/**
 * Lowers the approved amounts of an approved (or running) pact; the difference goes back to the
 * call (and allocation) as release entries. Amounts may only go down.
 */
export async function reducePact(db: Db, user: SessionUser, pactId: string, input: DecisionInput) {
  return db.transaction().execute(async (tx) => {
    const seen = await reviewedPact(tx, user, pactId);
    if (!seen.call_id) throw new DomainError('funding.errors.noCall');
    const call = (await repo.lockCall(tx, seen.call_id))!;
    const allocation = await repo.allocationFor(tx, call.id, seen.territory_code, true);
    const pact = await reviewedPact(tx, user, pactId, true);
    if (pact.status !== 'approved' && pact.status !== 'in_progress')
      throw new DomainError('funding.errors.notApproved', { params: { status: pact.status } });
    if (pact.revision !== input.revision) throw new StaleReviewError();
    const actions = await listActions(tx, pactId);
    const committed = await committedByAction(tx, pactId);
    const amounts = approvedAmounts(
      actions,
      input.amounts,
      (a) => committed.get(a.id) ?? 0,
      'funding.errors.nothingLeft',
    );
    // What the promoter already reported as spent stays funded: a grant never drops below it.
    const spent = await spentByAction(tx, pactId);
    for (const a of actions) {
      const floor = spent.get(a.id) ?? 0;
      // An action with reports delivered training: cut to nothing it would count as unfunded.
      if (amounts.get(a.id) === 0 && spent.has(a.id))
        throw new DomainError('funding.errors.reportedToZero', {
          status: 422,
          field: `amount_${a.id}`,
        });
      if (amounts.get(a.id)! < floor)
        throw new DomainError('funding.errors.amountBelowSpent', {
          status: 422,
          field: `amount_${a.id}`,
          params: { spent: floor / 100 },
        });
    }
    // Left out, an action keeps the participants it funds while its amount stays, and loses
    // them in proportion when it is lowered.
    const pct = call.cofinancing_percent;
    const full = (a: PactActionRow) => maxGrantOf(a.cost_cents, pct);
    const funded = participantsFunded(actions, amounts, input.participants, full, (a) => {
      const before = committed.get(a.id) ?? 0;
      const now = a.funded_participants ?? proRataParticipants(a.participants, before, full(a));
      return amounts.get(a.id) === before
        ? now
        : proRataParticipants(now, amounts.get(a.id)!, before);
    });
    const entries = actions.map((a) => ({
      actionId: a.id,
      amountCents: amounts.get(a.id)! - (committed.get(a.id) ?? 0),
    }));
    // The decision log is an audit record: a "reduction" that lowers nothing (a form sent
    // unchanged, a double click, an API call without amounts) must not add an entry to it.
    if (entries.every((e) => e.amountCents === 0))
      throw new DomainError('funding.errors.nothingReduced', { status: 422 });
    const total = [...amounts.values()].reduce((s, v) => s + v, 0);
    const decision = await recordDecision(tx, user, pact, 'reduce', input, {
      approvedCents: total,
      actions: actions.map((a) => ({
        actionId: a.id,
        title: a.title,
        costCents: a.cost_cents ?? 0,
        approvedCents: amounts.get(a.id)!,
        participants: a.participants,
        fundedParticipants: funded.get(a.id)!,
      })),
    });
    const released = -(await writeLedger(tx, {
      callId: call.id,
      allocationTerritory: allocation?.territory_code ?? null,
      pactId,
      territory: pact.territory_code,
      decisionId: decision.id,
      kind: 'release',
      reason: input.remarks || 'reduction',
      by: user.id,
      entries,
    }));
    for (const a of actions)
      await tx
        .updateTable('pact_actions')
        .set({ approved_cents: amounts.get(a.id)!, funded_participants: funded.get(a.id)! })
        .where('id', '=', a.id)
        .execute();
    await tx
      .updateTable('pacts')
      .set({ approved_cents: total, updated_at: new Date() })
      .where('id', '=', pactId)
      .execute();
    await appendAudit(tx, {
      pactId,
      actor: user,
      event: 'reduced',
      revision: pact.revision,
      detail: { decisionId: decision.id, approvedCents: total, releasedCents: released },
    });
    return { decisionId: decision.id, approvedCents: total, releasedCents: released };
  });
}

export type DecisionFormKind = 'approve' | 'reduce' | 'return' | 'reject';

/**
 * This user's latest decision on the pact if it is already the one asked (a double click, a
 * second tab, an API client retrying after a timeout): same kind, revision and remarks, and
 * per action the same amount (an amount left out stands for what it defaults to: the full grant
 * on approve, what is committed now on reduce) and the same participants funded, where stated.
 * Otherwise null.
 */
export async function repeatedDecision(
  db: Executor,
  user: SessionUser,
  pactId: string,
  kind: DecisionFormKind,
  input: DecisionInput,
) {
  const last = await db
    .selectFrom('pact_decisions as d')
    .leftJoin('funding_calls as c', 'c.id', 'd.call_id')
    .select([
      'd.id',
      'd.kind',
      'd.revision',
      'd.remarks',
      'd.decided_by',
      'd.actions',
      'd.approved_cents',
      'c.cofinancing_percent',
    ])
    .where('d.pact_id', '=', pactId)
    .orderBy('d.decided_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last || last.kind !== kind || last.decided_by !== user.id) return null;
  if (last.revision !== input.revision || last.remarks !== input.remarks) return null;
  const granted = new Map(last.actions.map((a) => [a.actionId, a]));
  const asked = input.amounts ?? new Map<string, number>();
  if ([...asked.keys()].some((id) => !granted.has(id))) return null;
  for (const a of granted.values()) {
    const fallback =
      kind === 'approve' ? maxGrantOf(a.costCents, last.cofinancing_percent ?? 0) : a.approvedCents;
    if ((asked.get(a.actionId) ?? fallback) !== a.approvedCents) return null;
    // Participants left out stand for the figure the decision worked out for them.
    const stated = input.participants?.get(a.actionId);
    if (stated !== undefined && stated !== a.fundedParticipants) return null;
  }
  if ([...(input.participants?.keys() ?? [])].some((id) => !granted.has(id))) return null;
  const released =
    kind === 'reduce'
      ? await db
          .selectFrom('budget_commitments')
          .select((eb) => eb.fn.sum<string>('amount_cents').as('total'))
          .where('decision_id', '=', last.id)
          .executeTakeFirst()
      : undefined;
  return {
    decisionId: last.id,
    ...(last.approved_cents === null ? {} : { approvedCents: last.approved_cents }),
    ...(released ? { releasedCents: -Number(released.total ?? 0) } : {}),
  };
}

/**
 * Runs a decision once: asked again when it is already made (the refusal that a second
 * identical decision meets), it answers that decision as it stands, `repeated`, and writes
 * nothing: no second decision, audit entry or ledger movement. Any other refusal stands.
 */
export async function decideOnce(
  db: Db,
  user: SessionUser,
  pactId: string,
  kind: DecisionFormKind,
  input: DecisionInput,
): Promise<{
  decisionId: string;
  approvedCents?: number;
  releasedCents?: number;
  repeated: boolean;
}> {
  try {
    const done =
      kind === 'approve'
        ? await approvePact(db, user, pactId, input)
        : kind === 'reduce'
          ? await reducePact(db, user, pactId, input)
          : await decidePact(db, user, pactId, kind, input);
    return { ...done, repeated: false };
  } catch (err) {
    const repeatable = ['funding.errors.notSubmitted', 'funding.errors.nothingReduced'];
    if (!(err instanceof DomainError) || !repeatable.includes(err.messageKey)) throw err;
    const done = await repeatedDecision(db, user, pactId, kind, input);
    if (!done) throw err;
    return { ...done, repeated: true };
  }
}

/** Everything the review page and getEligibilityReport show. */
export async function reviewView(db: Executor, user: SessionUser, pactId: string) {
  const pact = await reviewedPact(db, user, pactId);
  const call = pact.call_id ? await repo.findCall(db, pact.call_id) : undefined;
  const allocation = call ? await repo.allocationFor(db, call.id, pact.territory_code) : undefined;
  const actions = await listActions(db, pactId);
  const report = await eligibilityReport(db, { pact, call, allocation, actions, viewer: user });
  const committed = await committedByAction(db, pactId);
  const spent = await spentByAction(db, pactId);
  const decisions = await db
    .selectFrom('pact_decisions as d')
    .innerJoin('users as u', 'u.id', 'd.decided_by')
    .select([
      'd.id',
      'd.kind',
      'd.revision',
      'd.remarks',
      'd.approved_cents',
      'd.decided_at',
      'u.full_name',
    ])
    .where('d.pact_id', '=', pactId)
    .orderBy('d.decided_at', 'desc')
    .execute();
  const pct = call?.cofinancing_percent ?? 0;
  return {
    pact,
    call,
    report,
    decisions,
    actions: actions.map((a) => ({
      ...a,
      cofinancing: a.cost_cents === null ? null : cofinancingOf(a.cost_cents, pct),
      maxGrant: maxGrantOf(a.cost_cents, pct),
      committed: committed.get(a.id) ?? 0,
      spent: spent.get(a.id) ?? 0,
    })),
  };
}

/**
 * A reserve's territory as the eligibility report shows it, "Florence (ITI14)", by its names
 * (`localized`): the refusal is worded in the reader's language, not the service's.
 */
async function reserveName(db: Executor, code: string): Promise<Record<string, string>> {
  const t = await findTerritory(db, code);
  if (!t) return { _: code };
  const named = Object.entries(t.names).map(([lang, name]) => [lang, `${name} (${code})`]);
  return { ...Object.fromEntries(named), _: `${t.name} (${code})` };
}
