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

/**
 * Where each of `codes` lies, for a reserve a raise would add: its ancestors (itself included),
 * its names, and what the call has committed to pacts there or below. A code that is no current
 * territory is missing from the answer.
 */
export async function reservePlaces(db: Executor, callId: string, codes: string[]) {
  if (codes.length === 0) return [];
  return db
    .selectFrom('territories as t')
    .innerJoin('territory_ancestors as ta', 'ta.code', 't.code')
    .select((eb) => [
      't.code',
      't.name',
      't.names',
      eb.fn.agg<string[]>('array_agg', ['ta.ancestor_code']).as('ancestors'),
      eb
        .selectFrom('budget_commitments as b')
        .innerJoin('territory_ancestors as d', 'd.code', 'b.territory_code')
        .select((s) => s.fn.coalesce(s.fn.sum<string>('b.amount_cents'), s.lit(0)).as('c'))
        .whereRef('d.ancestor_code', '=', 't.code')
        .where('b.call_id', '=', callId)
        .as('committed'),
    ])
    .where('t.code', 'in', codes)
    .where('t.valid_to', 'is', null)
    .groupBy(['t.code', 't.name', 't.names'])
    .execute();
}

/** Territories inside the call's (not it) where a new reserve could go: none of its reserves' own. */
export function reserveChoices(db: Executor, callId: string, callTerritory: string) {
  return db
    .selectFrom('territories as t')
    .innerJoin('territory_ancestors as ta', 'ta.code', 't.code')
    .select(['t.code', 't.level', 't.name', 't.names'])
    .where('ta.ancestor_code', '=', callTerritory)
    .where('ta.depth', '>', 0)
    .where('t.valid_to', 'is', null)
    .where('t.level', 'in', ['NUTS1', 'NUTS2', 'NUTS3'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('funding_call_allocations as a')
            .innerJoin('territory_ancestors as x', (j) =>
              j.on((eb) =>
                eb.or([
                  eb.and([
                    eb('x.code', '=', eb.ref('t.code')),
                    eb('x.ancestor_code', '=', eb.ref('a.territory_code')),
                  ]),
                  eb.and([
                    eb('x.code', '=', eb.ref('a.territory_code')),
                    eb('x.ancestor_code', '=', eb.ref('t.code')),
                  ]),
                ]),
              ),
            )
            .select('a.territory_code')
            .where('a.call_id', '=', callId),
        ),
      ),
    )
    .orderBy('t.level')
    .orderBy('t.name')
    .execute();
}
