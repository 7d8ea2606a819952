import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { OrganisationEvent, Role } from '../../db/database';
import { containsPattern } from '../../db/like';

export interface OrganisationFilter {
  /** Part of the organisation's name or of its territory's code. */
  q?: string;
  kind?: Role;
}

const withTerritory = (db: Executor) =>
  db
    .selectFrom('organisations as o')
    .innerJoin('territories as t', 't.code', 'o.territory_code')
    .select((eb) => [
      'o.id',
      'o.name',
      'o.kind',
      'o.partner_type as partnerType',
      'o.territory_code as territoryCode',
      'o.created_at as createdAt',
      't.name as territoryName',
      't.names as territoryNames',
      eb
        .selectFrom('users as u')
        .select((u) => u.fn.countAll<string>().as('n'))
        .whereRef('u.organisation_id', '=', 'o.id')
        .where('u.disabled_at', 'is', null)
        .as('activeUsers'),
    ]);

/** One page of organisations, by name; `limit` rows from `offset`. */
export function listOrganisations(
  db: Executor,
  f: OrganisationFilter,
  limit: number,
  offset: number,
) {
  let q = withTerritory(db);
  if (f.kind) q = q.where('o.kind', '=', f.kind);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) =>
      eb.or([eb('o.name', 'ilike', pattern), eb('o.territory_code', 'ilike', pattern)]),
    );
  }
  return q.orderBy('o.name').orderBy('o.id').limit(limit).offset(offset).execute();
}

export function findOrganisation(db: Executor, id: string) {
  return withTerritory(db).where('o.id', '=', id).executeTakeFirst();
}

/** The organisation's row, locked until the caller's transaction ends. */
export function lockOrganisation(db: Executor, id: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'territory_code'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Renames the organisation; a firm's legal name on its profile follows (the firm's organisation
 * takes its name from the profile, see firms.repository.ts syncFirmOrganisation).
 */
export async function rename(db: Executor, id: string, name: string, by: string): Promise<void> {
  await db.updateTable('organisations').set({ name }).where('id', '=', id).execute();
  await db
    .updateTable('firms')
    .set({ legal_name: name, updated_at: new Date(), updated_by: by })
    .where('organisation_id', '=', id)
    .execute();
}

export async function addEvent(
  db: Executor,
  e: {
    organisationId: string;
    event: OrganisationEvent;
    from: string;
    to: string;
    actorId: string;
    reason?: string;
  },
): Promise<void> {
  await db
    .insertInto('organisation_events')
    .values({
      organisation_id: e.organisationId,
      event: e.event,
      old_value: e.from,
      new_value: e.to,
      actor_id: e.actorId,
      reason: e.reason ?? null,
    })
    .execute();
}

/** The admin's corrections of the organisation, newest first, with who made them. */
export function eventsOf(db: Executor, organisationId: string, limit: number) {
  return db
    .selectFrom('organisation_events as e')
    .innerJoin('users as a', 'a.id', 'e.actor_id')
    .select([
      'e.id',
      'e.event',
      'e.old_value as from',
      'e.new_value as to',
      'e.reason',
      'e.created_at as createdAt',
      'a.full_name as actorName',
    ])
    .where('e.organisation_id', '=', organisationId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

export async function setTerritory(db: Executor, id: string, code: string): Promise<void> {
  await db
    .updateTable('organisations')
    .set({ territory_code: code })
    .where('id', '=', id)
    .execute();
}

/**
 * What the organisation already takes part in, each by its count: pacts (promoter or signatory,
 * even removed), surveys and funding calls it runs, firms that delegated it. Its territory is
 * the scope all of them were checked against, so it is corrected only while all are zero.
 */
export async function participation(db: Executor, id: string) {
  const { rows } = await sql<{
    pacts: string;
    campaigns: string;
    calls: string;
    delegations: string;
  }>`
    SELECT
      (SELECT count(*) FROM pacts WHERE promoter_org_id = ${id})
        + (SELECT count(*) FROM pact_signatories WHERE organisation_id = ${id}) AS pacts,
      (SELECT count(*) FROM campaigns WHERE organisation_id = ${id}) AS campaigns,
      (SELECT count(*) FROM funding_calls WHERE organisation_id = ${id}) AS calls,
      (SELECT count(*) FROM delegations WHERE association_id = ${id}) AS delegations`.execute(db);
  const r = rows[0]!;
  return {
    pacts: Number(r.pacts),
    campaigns: Number(r.campaigns),
    calls: Number(r.calls),
    delegations: Number(r.delegations),
  };
}

/** Pacts in which the organisation takes part (promoter or signatory), by status, for its page. */
export async function pactCounts(db: Executor, id: string) {
  const rows = await sql<{ status: string; n: string }>`
    SELECT p.status, count(*) AS n
    FROM pacts p
    WHERE p.promoter_org_id = ${id}
       OR EXISTS (SELECT 1 FROM pact_signatories s
                  WHERE s.pact_id = p.id AND s.organisation_id = ${id} AND s.removed_at IS NULL)
    GROUP BY p.status ORDER BY p.status`.execute(db);
  return rows.rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
