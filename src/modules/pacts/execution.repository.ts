import { sql } from 'kysely';
import type { Executor, Tx } from '../../db';
import { COUNT_COLUMNS, COUNT_FIELDS, type OutcomeInput } from './execution.schemas';
import type { EsfCount } from './execution.tables';
import type { OtherQuarters } from './execution.rules';

export function pactActions(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_actions')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('position')
    .execute();
}

/** Every quarter reported for a pact's actions, with who reported it. */
export function pactOutcomes(db: Executor, pactId: string) {
  return db
    .selectFrom('action_outcomes as o')
    .innerJoin('users as u', 'u.id', 'o.reported_by')
    .selectAll('o')
    .select('u.full_name as reporter')
    .where('o.pact_id', '=', pactId)
    .orderBy('o.period')
    .execute();
}

export type OutcomeRow = Awaited<ReturnType<typeof pactOutcomes>>[number];

/** What each action of a pact has spent, over every quarter reported (an action with none: absent). */
export async function spentByAction(db: Executor, pactId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('action_outcomes')
    .select(['action_id', (eb) => eb.fn.sum<number>('spent_cents').as('cents')])
    .where('pact_id', '=', pactId)
    .groupBy('action_id')
    .execute();
  return new Map(rows.map((r) => [r.action_id, Number(r.cents)]));
}

/** The action's totals over every quarter but `period` (the one about to be replaced). */
export async function otherQuarters(
  tx: Tx,
  actionId: string,
  period: string,
): Promise<OtherQuarters> {
  const row = await tx
    .selectFrom('action_outcomes')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>('enrolled'), eb.lit(0)).as('enrolled'),
      eb.fn.coalesce(eb.fn.sum<number>('completed'), eb.lit(0)).as('completed'),
      eb.fn.coalesce(eb.fn.sum<number>('hours_delivered'), eb.lit(0)).as('hours'),
      eb.fn.coalesce(eb.fn.sum<number>('spent_cents'), eb.lit(0)).as('spent'),
      eb.fn.coalesce(eb.fn.sum<number>('cofinanced_cents'), eb.lit(0)).as('cofinanced'),
    ])
    .where('action_id', '=', actionId)
    .where('period', '<>', period)
    .executeTakeFirstOrThrow();
  return {
    enrolled: Number(row.enrolled),
    completed: Number(row.completed),
    hoursDelivered: Number(row.hours),
    spentCents: Number(row.spent),
    cofinancedCents: Number(row.cofinanced),
  };
}

/** Writes the quarter's figures, replacing an earlier report of the same quarter. */
export async function upsertOutcome(
  tx: Tx,
  pactId: string,
  userId: string,
  o: OutcomeInput,
): Promise<{ replaced: boolean; unchanged: boolean }> {
  const counts = Object.fromEntries(COUNT_FIELDS.map((f) => [COUNT_COLUMNS[f], o[f]])) as Record<
    EsfCount,
    number
  >;
  const figures = {
    enrolled: o.enrolled,
    completed: o.completed,
    hours_delivered: o.hoursDelivered,
    spent_cents: o.spentCents,
    cofinanced_cents: o.cofinancedCents,
    ...counts,
    reported_by: userId,
    reported_at: new Date(),
  };
  const previous = await tx
    .selectFrom('action_outcomes')
    .selectAll()
    .where('action_id', '=', o.actionId)
    .where('period', '=', o.period)
    .executeTakeFirst();
  // The same figures sent again by the same reporter (a double click): nothing to write.
  const { reported_by: _by, reported_at: _at, ...values } = figures;
  if (
    previous?.reported_by === userId &&
    Object.entries(values).every(([k, v]) => Number(previous[k as keyof typeof values]) === v)
  )
    return { replaced: false, unchanged: true };
  await tx
    .insertInto('action_outcomes')
    .values({ action_id: o.actionId, period: o.period, pact_id: pactId, ...figures })
    .onConflict((oc) => oc.columns(['action_id', 'period']).doUpdateSet(figures))
    .execute();
  return { replaced: previous !== undefined, unchanged: false };
}

/** The columns the ESF+ export adds up. */
export const ESF_SUMS = [
  'enrolled',
  'completed',
  'hours_delivered',
  'spent_cents',
  'cofinanced_cents',
  ...Object.values(COUNT_COLUMNS),
] as const;
export type EsfColumn = (typeof ESF_SUMS)[number];

const sumOf = (column: string) => sql<number>`coalesce(sum(${sql.ref(`o.${column}`)}), 0)::int8`;

/** The ESF+ totals of a call's pacts by pact territory, for a quarter, a year or everything. */
export async function esfTotalsByTerritory(db: Executor, callId: string, period?: string) {
  let q = db
    .selectFrom('action_outcomes as o')
    .innerJoin('pacts as p', 'p.id', 'o.pact_id')
    .innerJoin('territories as t', 't.code', 'p.territory_code')
    .select(['p.territory_code', 't.name', 't.names'])
    .select(sql<number>`count(DISTINCT p.id)::int8`.as('pacts'))
    .select(ESF_SUMS.map((c) => sumOf(c).as(c)))
    .where('p.call_id', '=', callId)
    .groupBy(['p.territory_code', 't.name', 't.names'])
    .orderBy('p.territory_code');
  if (period && period.length === 4) q = q.where('o.period', 'like', `${period}-Q%`);
  else if (period) q = q.where('o.period', '=', period);
  return (await q.execute()) as unknown as EsfTerritoryRow[];
}

export type EsfTerritoryRow = {
  territory_code: string;
  name: string;
  names: Record<string, string>;
  pacts: number;
} & Record<EsfColumn, number>;
