import type { Executor } from '../../db';
import { localName } from '../reference/territories.repository';
import { euros } from './money';

/** The call page's ledger: committed per pact (with its territory) and the latest entries. */
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
      released: euros(Number(r.released)),
    })),
    entries: entries.map((e) => ({ ...e, amount: euros(e.amount_cents) })),
  };
}
