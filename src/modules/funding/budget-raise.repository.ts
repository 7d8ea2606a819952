import type { Executor, Tx } from '../../db';
import type { RaisedAllocation } from './funding.tables';

/**
 * A call's reserves, locked, after its row (the lock order of the ledger: call, then
 * allocation): an approval drawing on one waits for the raise, and sees the new amount.
 */
export function lockAllocations(tx: Tx, callId: string) {
  return tx
    .selectFrom('funding_call_allocations')
    .select(['territory_code', 'amount_cents'])
    .where('call_id', '=', callId)
    .orderBy('territory_code')
    .forUpdate()
    .execute();
}

export async function raiseAllocation(tx: Tx, callId: string, territory: string, cents: number) {
  await tx
    .updateTable('funding_call_allocations')
    .set({ amount_cents: cents })
    .where('call_id', '=', callId)
    .where('territory_code', '=', territory)
    .execute();
}

export async function insertRaise(
  tx: Tx,
  row: {
    call_id: string;
    from_cents: number;
    to_cents: number;
    allocations: RaisedAllocation[];
    reason: string;
    by_user: string;
  },
): Promise<string> {
  const { id } = await tx
    .insertInto('funding_call_budget_raises')
    .values({ ...row, allocations: JSON.stringify(row.allocations) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** A call's raises, the latest first, with who made each. */
export function raisesOf(db: Executor, callId: string) {
  return db
    .selectFrom('funding_call_budget_raises as r')
    .innerJoin('users as u', 'u.id', 'r.by_user')
    .select([
      'r.id',
      'r.from_cents',
      'r.to_cents',
      'r.allocations',
      'r.reason',
      'r.by_user',
      'r.at',
      'u.full_name',
    ])
    .where('r.call_id', '=', callId)
    .orderBy('r.at', 'desc')
    .orderBy('r.id')
    .execute();
}
