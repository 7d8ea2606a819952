import { sql } from 'kysely';
import type { Executor, Tx } from '../../db';
import { DomainError } from '../../lib/domain-error';
import { euros } from './money';
import type { LedgerKind } from './review.tables';

/**
 * The commitments ledger. Every change of what a call has committed is rows here (commit > 0,
 * release < 0) plus the same sum added to funding_calls.committed_cents and, when the pact's
 * territory has an allocation, funding_call_allocations.committed_cents — in one transaction, so
 * the ledger's sum always equals the running totals, and their CHECKs refuse overspending even if
 * a caller skipped the check. Callers lock in this order: call row, allocation row, then pact.
 */

/** "the call has €X available; this approval needs €Y" — and where (call or allocation). */
export class BudgetExceededError extends DomainError {
  constructor(
    scope: 'call' | 'allocation',
    availableCents: number,
    neededCents: number,
    territory: string | Record<string, string> = '',
  ) {
    super(`funding.errors.budgetExceeded.${scope}`, {
      status: 409,
      params: { available: euros(availableCents), needed: euros(neededCents), territory },
    });
  }
}

export interface LedgerEntry {
  actionId: string;
  amountCents: number;
}

export async function writeLedger(
  tx: Tx,
  e: {
    callId: string;
    allocationTerritory: string | null;
    pactId: string;
    territory: string;
    decisionId: string | null;
    kind: LedgerKind;
    reason: string;
    by: string | null;
    entries: LedgerEntry[];
  },
): Promise<number> {
  const entries = e.entries.filter((x) => x.amountCents !== 0);
  if (entries.length === 0) return 0;
  const total = entries.reduce((s, x) => s + x.amountCents, 0);
  await tx
    .insertInto('budget_commitments')
    .values(
      entries.map((x) => ({
        call_id: e.callId,
        allocation_territory: e.allocationTerritory,
        pact_id: e.pactId,
        action_id: x.actionId,
        territory_code: e.territory,
        decision_id: e.decisionId,
        kind: e.kind,
        amount_cents: x.amountCents,
        reason: e.reason.slice(0, 500) || e.kind,
        by_user: e.by,
      })),
    )
    .execute();
  try {
    await tx
      .updateTable('funding_calls')
      .set((eb) => ({ committed_cents: eb('committed_cents', '+', total) }))
      .where('id', '=', e.callId)
      .execute();
    if (e.allocationTerritory)
      await tx
        .updateTable('funding_call_allocations')
        .set((eb) => ({ committed_cents: eb('committed_cents', '+', total) }))
        .where('call_id', '=', e.callId)
        .where('territory_code', '=', e.allocationTerritory)
        .execute();
  } catch (err) {
    // The CHECK constraints: the last line of defence, reached only if a caller skipped the check.
    if ((err as { code?: string }).code === '23514')
      throw new DomainError('funding.errors.budgetConstraint', { status: 409 });
    throw err;
  }
  return total;
}

/** What is committed now per action of a pact (the ledger's sum; 0 for none). */
export async function committedByAction(
  db: Executor,
  pactId: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('budget_commitments')
    .select(['action_id', (eb) => eb.fn.sum<number>('amount_cents').as('cents')])
    .where('pact_id', '=', pactId)
    .groupBy('action_id')
    .execute();
  return new Map(rows.map((r) => [r.action_id, Number(r.cents)]));
}

/** Where a pact's commitments sit: its call and, when it has one, the allocation row. */
export interface LedgerTarget {
  call_id: string;
  allocation_territory: string | null;
  territory_code: string;
}

/**
 * Locks the call row, then the allocation row, a pact's commitments sit on (undefined: it has
 * none). Call it BEFORE locking the pact row: the approval path locks call → allocation → pact,
 * and the reverse order could deadlock.
 */
export async function lockLedgerOf(tx: Tx, pactId: string): Promise<LedgerTarget | undefined> {
  const first = await tx
    .selectFrom('budget_commitments')
    .select(['call_id', 'allocation_territory', 'territory_code'])
    .where('pact_id', '=', pactId)
    .executeTakeFirst();
  if (!first) return undefined;
  await tx
    .selectFrom('funding_calls')
    .select('id')
    .where('id', '=', first.call_id)
    .forUpdate()
    .execute();
  if (first.allocation_territory)
    await tx
      .selectFrom('funding_call_allocations')
      .select('call_id')
      .where('call_id', '=', first.call_id)
      .where('territory_code', '=', first.allocation_territory)
      .forUpdate()
      .execute();
  return first;
}

/**
 * Releases what is still committed to each action of a pact above `keep` (its cents kept per
 * action; none: everything), on a target locked by lockLedgerOf. Returns the cents released.
 */
export async function releaseCommitted(
  tx: Tx,
  target: LedgerTarget,
  pactId: string,
  reason: string,
  by: string | null,
  keep: Map<string, number> = new Map(),
): Promise<number> {
  const outstanding = await committedByAction(tx, pactId);
  const released = await writeLedger(tx, {
    callId: target.call_id,
    allocationTerritory: target.allocation_territory,
    pactId,
    territory: target.territory_code,
    decisionId: null,
    kind: 'release',
    reason,
    by,
    entries: [...outstanding]
      .map(([actionId, c]) => ({
        actionId,
        amountCents: -(c - Math.min(c, keep.get(actionId) ?? 0)),
      }))
      .filter((e) => e.amountCents < 0),
  });
  return released === 0 ? 0 : -released;
}

/**
 * Releases everything still committed to a pact (a rejection after approval, ...). Locks call
 * then allocation itself, so call it BEFORE locking the pact row. Returns the cents released.
 */
export async function releasePact(
  tx: Tx,
  pactId: string,
  reason: string,
  by: string | null = null,
): Promise<number> {
  const target = await lockLedgerOf(tx, pactId);
  return target ? releaseCommitted(tx, target, pactId, reason, by) : 0;
}

export type LedgerGrouping = 'call' | 'territory' | 'pact' | 'action';

/**
 * Committed cents now, grouped (for the call page, the dashboard, open data): one row per key.
 * `key` is the call id, the pact's territory code, the pact id or the action id.
 */
export async function ledgerTotals(
  db: Executor,
  by: LedgerGrouping,
  filter: { callId?: string; pactId?: string } = {},
) {
  const column = {
    call: 'call_id',
    territory: 'territory_code',
    pact: 'pact_id',
    action: 'action_id',
  }[by];
  const { rows } = await sql<{ key: string; committed_cents: number; released_cents: number }>`
    SELECT ${sql.ref(column)} AS key,
           sum(amount_cents)::bigint AS committed_cents,
           coalesce(-(sum(amount_cents) FILTER (WHERE kind = 'release')), 0)::bigint AS released_cents
    FROM budget_commitments
    WHERE (${filter.callId ?? null}::uuid IS NULL OR call_id = ${filter.callId ?? null}::uuid)
      AND (${filter.pactId ?? null}::uuid IS NULL OR pact_id = ${filter.pactId ?? null}::uuid)
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows.map((r) => ({
    key: r.key,
    committedCents: Number(r.committed_cents),
    releasedCents: Number(r.released_cents),
  }));
}
