import { sql } from 'kysely';
import type { Executor, Tx } from '../../db';
import type { Insertable, Updateable } from 'kysely';
import type { FundingCallsTable } from './funding.tables';

export function insertCall(tx: Tx, row: Insertable<FundingCallsTable>) {
  return tx.insertInto('funding_calls').values(row).returning('id').executeTakeFirstOrThrow();
}

export async function insertAllocations(
  tx: Tx,
  callId: string,
  rows: { territory: string; cents: number }[],
) {
  if (rows.length === 0) return;
  await tx
    .insertInto('funding_call_allocations')
    .values(
      rows.map((r) => ({ call_id: callId, territory_code: r.territory, amount_cents: r.cents })),
    )
    .execute();
}

export async function insertAreas(tx: Tx, callId: string, areas: string[]) {
  if (areas.length === 0) return;
  await tx
    .insertInto('funding_call_skill_areas')
    .values(areas.map((a) => ({ call_id: callId, area_code: a })))
    .execute();
}

export async function updateCall(tx: Tx, id: string, row: Updateable<FundingCallsTable>) {
  await tx.updateTable('funding_calls').set(row).where('id', '=', id).execute();
}

/** A draft's reserves, written again (a draft has no commitment drawing on them). */
export async function replaceAllocations(
  tx: Tx,
  callId: string,
  rows: { territory: string; cents: number }[],
) {
  await tx.deleteFrom('funding_call_allocations').where('call_id', '=', callId).execute();
  await insertAllocations(tx, callId, rows);
}

export async function replaceAreas(tx: Tx, callId: string, areas: string[]) {
  await tx.deleteFrom('funding_call_skill_areas').where('call_id', '=', callId).execute();
  await insertAreas(tx, callId, areas);
}

export function findCall(db: Executor, id: string) {
  return db.selectFrom('funding_calls').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The call row, locked: first in the lock order (call, then allocation, then pact). */
export function lockCall(tx: Tx, id: string) {
  return tx
    .selectFrom('funding_calls')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function callAreas(db: Executor, callId: string) {
  return db
    .selectFrom('funding_call_skill_areas as a')
    .innerJoin('skill_areas as s', 's.code', 'a.area_code')
    .select(['s.code', 's.name', 's.names'])
    .where('a.call_id', '=', callId)
    .orderBy('s.position')
    .execute();
}

export function callAllocations(db: Executor, callId: string) {
  return db
    .selectFrom('funding_call_allocations as a')
    .innerJoin('territories as t', 't.code', 'a.territory_code')
    .select(['a.territory_code', 'a.amount_cents', 'a.committed_cents', 't.name', 't.names'])
    .where('a.call_id', '=', callId)
    .orderBy('t.name')
    .execute();
}

/**
 * The allocation a pact of `territory` draws on: the one whose territory is the pact's or above
 * it (allocations never nest, see createCall, so there is at most one). Locked when `lock`.
 */
export function allocationFor(db: Executor, callId: string, territory: string, lock = false) {
  let q = db
    .selectFrom('funding_call_allocations as a')
    .selectAll('a')
    .where('a.call_id', '=', callId)
    .where('a.territory_code', 'in', (eb) =>
      eb.selectFrom('territory_ancestors').select('ancestor_code').where('code', '=', territory),
    );
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

const listColumns = [
  'f.id',
  'f.title',
  'f.territory_code',
  'f.status',
  'f.deadline',
  'f.first_deadline',
  'f.budget_cents',
  'f.first_budget_cents',
  'f.committed_cents',
  'f.campaign_id',
  // The call's rules: the API lists them with each call.
  'f.description',
  'f.course_hour_cents',
  'f.participant_hour_cents',
  'f.max_hours_per_action',
  'f.min_participants',
  'f.max_participants',
  'f.max_cost_per_participant_cents',
  'f.cofinancing_percent',
  't.name as territory_name',
  't.names as territory_names',
] as const;

/** A region's calls: those on its territory or below. */
export function listCallsWithin(db: Executor, scope: string | null) {
  let q = db
    .selectFrom('funding_calls as f')
    .innerJoin('territories as t', 't.code', 'f.territory_code')
    .select(listColumns)
    .orderBy('f.created_at', 'desc');
  if (scope)
    q = q.where('f.territory_code', 'in', (eb) =>
      eb.selectFrom('territory_ancestors').select('code').where('ancestor_code', '=', scope),
    );
  return q.execute();
}

/** Open calls covering a territory (on it or above it) or lying within it. */
export function listOpenCallsCovering(db: Executor, territory: string) {
  return db
    .selectFrom('funding_calls as f')
    .innerJoin('territories as t', 't.code', 'f.territory_code')
    .select(listColumns)
    .where('f.status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb(
          'f.territory_code',
          'in',
          eb
            .selectFrom('territory_ancestors')
            .select('ancestor_code')
            .where('code', '=', territory),
        ),
        eb(
          'f.territory_code',
          'in',
          eb
            .selectFrom('territory_ancestors')
            .select('code')
            .where('ancestor_code', '=', territory),
        ),
      ]),
    )
    .orderBy('f.deadline')
    .execute();
}

/** Is `code` the territory `ancestor` or below it? */
export async function within(db: Executor, code: string, ancestor: string): Promise<boolean> {
  const row = await db
    .selectFrom('territory_ancestors')
    .select('depth')
    .where('code', '=', code)
    .where('ancestor_code', '=', ancestor)
    .executeTakeFirst();
  return row !== undefined;
}

/** Local authorities on the call's territory or below it: who hears that it opened. */
export async function authoritiesWithin(db: Executor, territory: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT o.id FROM organisations o
    JOIN territory_ancestors ta ON ta.code = o.territory_code AND ta.ancestor_code = ${territory}
    WHERE o.kind = 'local_authority'`.execute(db);
  return rows.map((r) => r.id);
}
