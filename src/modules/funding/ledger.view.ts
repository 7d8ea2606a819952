import type { Executor } from '../../db';
import { localName } from '../reference/territories.repository';
import { euros } from './money';

/** The call page's ledger: committed and spent per pact (with its territory) and the latest entries. */
export async function callLedger(db: Executor, callId: string, lang: string) {
  const perPact = await db
    .selectFrom('budget_commitments as b')
    .innerJoin('pacts as p', 'p.id', 'b.pact_id')
    .innerJoin('territories as t', 't.code', 'b.territory_code')
    .select(['p.id', 'p.title', 'p.status', 't.name', 't.names'])
    .select((eb) => eb.fn.sum<number>('b.amount_cents').as('committed'))
    .select((eb) =>
      eb.fn
        .sum<number>(
          eb.case().when('b.kind', '=', 'release').then(eb.neg('b.amount_cents')).else(0).end(),
        )
        .as('released'),
    )
    .where('b.call_id', '=', callId)
    .groupBy(['p.id', 'p.title', 'p.status', 't.name', 't.names'])
    .orderBy('p.title')
    .execute();
  // What each pact reported spent, beside what it holds: the region follows the money here.
  const spentRows = await db
    .selectFrom('action_outcomes as o')
    .innerJoin('pacts as p', 'p.id', 'o.pact_id')
    .select(['o.pact_id', (eb) => eb.fn.sum<number>('o.spent_cents').as('spent')])
    .where('p.call_id', '=', callId)
    .groupBy('o.pact_id')
    .execute();
  const spent = new Map(spentRows.map((r) => [r.pact_id, Number(r.spent)]));
  const entries = await db
    .selectFrom('budget_commitments as b')
    .innerJoin('pacts as p', 'p.id', 'b.pact_id')
    .innerJoin('pact_actions as a', 'a.id', 'b.action_id')
    .leftJoin('users as u', 'u.id', 'b.by_user')
    .select([
      'b.id',
      'b.kind',
      'b.amount_cents',
      'b.reason',
      'b.at',
      'p.id as pact_id',
      'p.title as pact',
      'a.title as action',
      'u.full_name',
    ])
    .where('b.call_id', '=', callId)
    .orderBy('b.id', 'desc')
    .limit(50)
    .execute();
  return {
    pacts: perPact.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      territory: localName(r, lang),
      committed: euros(Number(r.committed)),
      spent: euros(spent.get(r.id) ?? 0),
      released: euros(Number(r.released)),
    })),
    entries: entries.map((e) => ({ ...e, amount: euros(e.amount_cents) })),
  };
}
