import type { Db, Executor } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { assertInScope } from '../accounts/scope';
import { notify } from '../notifications/notify';
import * as raises from './budget-raise.repository';
import {
  raiseProblems,
  raisedAllocations,
  type BudgetRaise,
  type CallMoney,
} from './budget-raise.rules';
import * as repo from './calls.repository';
import { problemsError } from './calls.rules';
import type { CallRow } from './calls.service';
import { euros } from './money';

/**
 * Raises an open call's budget (a "rifinanziamento"), and the reserves asked with it. The call
 * row, then its reserves, are locked as an approval locks them, so an approval waits and then
 * draws on the new amounts: nothing is ever committed past the budget. The budget first
 * published is kept; the raise is recorded (from, to, why, who) and the authorities of the
 * call's territory are told, as when it opened. A form posted twice (`formKey`) raises once.
 */
export async function raiseCallBudget(
  db: Db,
  user: SessionUser,
  id: string,
  input: BudgetRaise,
  formKey?: string,
): Promise<{ call: CallRow; raiseId: string }> {
  return db.transaction().execute(async (tx) => {
    const call = await repo.lockCall(tx, id);
    if (!call) throw new NotFoundError();
    await assertInScope(tx, user, call.territory_code);
    const raiseId = await createOnce(tx, user.id, formKey, async () => {
      if (call.status !== 'open')
        throw new DomainError('funding.errors.cannot.raise', { params: { status: call.status } });
      const now = await callMoney(tx, call, await raises.lockAllocations(tx, id), input);
      const problems = raiseProblems(now, input);
      if (problems.length) throw problemsError(problems);
      const raised = raisedAllocations(now, input);
      // The call row is locked: no approval runs meanwhile, so none draws on a reserve being added.
      const added = raised.filter((a) => a.fromCents === 0);
      for (const a of raised)
        if (a.fromCents > 0) await raises.raiseAllocation(tx, id, a.territoryCode, a.toCents);
      await repo.insertAllocations(
        tx,
        id,
        added.map((a) => ({ territory: a.territoryCode, cents: a.toCents })),
      );
      await repo.updateCall(tx, id, {
        budget_cents: input.budget,
        first_budget_cents: call.first_budget_cents ?? call.budget_cents,
      });
      const raiseId = await raises.insertRaise(tx, {
        call_id: id,
        from_cents: call.budget_cents,
        to_cents: input.budget,
        allocations: raised,
        reason: input.reason,
        by_user: user.id,
      });
      await notify(tx, {
        organisationIds: await repo.authoritiesWithin(tx, call.territory_code),
        kind: 'call_budget_raised',
        params: {
          call: call.title,
          organisation: user.organisationName,
          amount: euros(input.budget)!,
        },
        link: `/calls/${id}`,
        exceptUserId: user.id,
      });
      return raiseId;
    });
    return { call: (await repo.findCall(tx, id))!, raiseId };
  });
}

/**
 * The call's money as the raise's rules read it: its budget, its reserves (`allocations`, locked
 * by the caller when it writes) and where each territory named lies.
 */
export async function callMoney(
  db: Executor,
  call: { id: string; budget_cents: number; territory_code: string },
  allocations: { territory_code: string; amount_cents: number }[],
  input: Pick<BudgetRaise, 'allocations'>,
): Promise<CallMoney> {
  const codes = new Set([
    ...allocations.map((a) => a.territory_code),
    ...input.allocations.map((a) => a.territory),
  ]);
  const places = await raises.reservePlaces(db, call.id, [...codes]);
  return {
    budgetCents: call.budget_cents,
    territory: call.territory_code,
    allocations: allocations.map((a) => ({
      territory: a.territory_code,
      amountCents: a.amount_cents,
    })),
    places: new Map(
      places.map((p) => [
        p.code,
        {
          ancestors: p.ancestors,
          name: { _: p.name, ...p.names },
          committedCents: Number(p.committed),
        },
      ]),
    ),
  };
}

/**
 * The raise `input` repeats, if it is exactly the call's latest, by this user, and still stands
 * (the budget and each reserve asked are what it made them): a retry after a timeout.
 */
export async function repeatedRaise(
  db: Executor,
  user: SessionUser,
  id: string,
  input: BudgetRaise,
): Promise<string | undefined> {
  const call = await repo.findCall(db, id);
  if (!call || call.budget_cents !== input.budget) return undefined;
  const [last] = await raises.raisesOf(db, id);
  if (!last || last.by_user !== user.id || last.to_cents !== input.budget) return undefined;
  if (last.reason !== input.reason) return undefined;
  const amounts = new Map(
    (await repo.callAllocations(db, id)).map((a) => [a.territory_code, a.amount_cents]),
  );
  const asked = new Map(input.allocations.map((a) => [a.territory, a.cents]));
  // Every reserve the raise changed was asked again, and every one asked is as the raise left it.
  if (last.allocations.some((a) => asked.get(a.territoryCode) !== a.toCents)) return undefined;
  if ([...asked].some(([code, cents]) => amounts.get(code) !== cents)) return undefined;
  return last.id;
}
