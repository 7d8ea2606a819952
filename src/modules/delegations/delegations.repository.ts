import type { Executor } from '../../db';
import { containsPattern } from '../../db/like';
import type { DelegationEventKind } from '../survey/survey.tables';

const delegationColumns = [
  'delegations.id',
  'delegations.firm_id',
  'delegations.association_id',
  'delegations.granted_at',
  'delegations.granted_by',
  'delegations.revoked_at',
  'delegations.revoked_by',
] as const;

/** The active delegation of a firm to an association, if any. */
export function findActive(db: Executor, firmId: string, associationId: string) {
  return db
    .selectFrom('delegations')
    .select(delegationColumns)
    .where('firm_id', '=', firmId)
    .where('association_id', '=', associationId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
export type DelegationRow = NonNullable<Awaited<ReturnType<typeof findActive>>>;

/**
 * The same, held FOR SHARE until commit: a revocation (FOR UPDATE) waits for an act in
 * progress, and an act that starts after it finds the delegation gone.
 */
export function lockActiveShared(db: Executor, firmId: string, associationId: string) {
  return db
    .selectFrom('delegations')
    .select(delegationColumns)
    .where('firm_id', '=', firmId)
    .where('association_id', '=', associationId)
    .where('revoked_at', 'is', null)
    .forShare()
    .executeTakeFirst();
}

/** The name of a firm that once delegated this association and has revoked it, if any. */
export async function revokedBy(db: Executor, firmId: string, associationId: string) {
  const row = await db
    .selectFrom('delegations as d')
    .innerJoin('firms as f', 'f.organisation_id', 'd.firm_id')
    .select('f.legal_name')
    .where('d.firm_id', '=', firmId)
    .where('d.association_id', '=', associationId)
    .where('d.revoked_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row?.legal_name;
}

export function findDelegation(db: Executor, id: string) {
  return db
    .selectFrom('delegations')
    .select(delegationColumns)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function lockDelegation(db: Executor, id: string) {
  return db
    .selectFrom('delegations')
    .select(delegationColumns)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function insertDelegation(
  db: Executor,
  row: { firm_id: string; association_id: string; granted_by: string },
) {
  return db.insertInto('delegations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function markRevoked(db: Executor, id: string, userId: string) {
  return db
    .updateTable('delegations')
    .set({ revoked_at: new Date(), revoked_by: userId })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEvent(
  db: Executor,
  e: {
    delegation_id: string;
    kind: DelegationEventKind;
    actor_id: string;
    campaign_id?: string | null;
    response_id?: string | null;
  },
) {
  await db.insertInto('delegation_events').values(e).execute();
}

/** The association's name and the survey's title, for the firm's notification of an act. */
export async function actNames(db: Executor, associationId: string, campaignId: string) {
  const row = await db
    .selectFrom('organisations as a')
    .innerJoin('campaigns as c', (j) => j.onTrue())
    .select(['a.name as association', 'c.title as campaign'])
    .where('a.id', '=', associationId)
    .where('c.id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return row;
}

/** An organisation that may receive a delegation (an employer association), if it is one. */
export function findAssociation(db: Executor, id: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'territory_code'])
    .where('id', '=', id)
    .where('kind', '=', 'social_partner')
    .where('partner_type', '=', 'employer_association')
    .executeTakeFirst();
}

/** Employer associations whose territory covers one of `codes`, or whose name matches. */
export function listAssociations(db: Executor, opts: { codes?: string[]; name?: string }) {
  let q = db
    .selectFrom('organisations')
    .innerJoin('territories', 'territories.code', 'organisations.territory_code')
    .select([
      'organisations.id',
      'organisations.name',
      'organisations.territory_code',
      'territories.name as territory_name',
      'territories.names as territory_names',
    ])
    .where('organisations.kind', '=', 'social_partner')
    .where('organisations.partner_type', '=', 'employer_association')
    .orderBy('organisations.name')
    .limit(50);
  if (opts.codes) q = q.where('organisations.territory_code', 'in', opts.codes);
  if (opts.name) {
    q = q.where('organisations.name', 'ilike', containsPattern(opts.name));
  }
  return q.execute();
}

/** A firm's delegations, active first, with the names of who granted and revoked them. */
export function listForFirm(db: Executor, firmId: string) {
  return db
    .selectFrom('delegations as d')
    .innerJoin('organisations as a', 'a.id', 'd.association_id')
    .innerJoin('users as g', 'g.id', 'd.granted_by')
    .leftJoin('users as r', 'r.id', 'd.revoked_by')
    .select([
      'd.id',
      'd.association_id',
      'a.name as association_name',
      'd.granted_at',
      'g.full_name as granted_by_name',
      'd.revoked_at',
      'r.full_name as revoked_by_name',
    ])
    .where('d.firm_id', '=', firmId)
    .orderBy('d.revoked_at', (o) => o.desc().nullsFirst())
    .orderBy('d.granted_at', 'desc')
    .execute();
}

/** The firms that delegated an association, active delegations only. */
export function listFirmsOf(db: Executor, associationId: string) {
  return db
    .selectFrom('delegations as d')
    .innerJoin('firms as f', 'f.organisation_id', 'd.firm_id')
    .select([
      'd.id',
      'd.firm_id',
      'd.granted_at',
      'f.legal_name',
      'f.vat_number',
      'f.territory_code',
    ])
    .where('d.association_id', '=', associationId)
    .where('d.revoked_at', 'is', null)
    .orderBy('f.legal_name')
    .execute();
}

/** The audit trail of a firm's delegations (or one association's), newest first. */
export function listEvents(db: Executor, where: { firmId?: string; associationId?: string }) {
  let q = db
    .selectFrom('delegation_events as e')
    .innerJoin('delegations as d', 'd.id', 'e.delegation_id')
    .innerJoin('organisations as a', 'a.id', 'd.association_id')
    .innerJoin('firms as f', 'f.organisation_id', 'd.firm_id')
    .innerJoin('users as u', 'u.id', 'e.actor_id')
    .leftJoin('campaigns as c', 'c.id', 'e.campaign_id')
    .select([
      'e.id',
      'e.kind',
      'e.at',
      'u.full_name as actor_name',
      'a.name as association_name',
      'f.legal_name as firm_name',
      'c.title as campaign_title',
    ])
    .orderBy('e.id', 'desc')
    .limit(100);
  if (where.firmId) q = q.where('d.firm_id', '=', where.firmId);
  if (where.associationId) q = q.where('d.association_id', '=', where.associationId);
  return q.execute();
}

/** Who submitted a version and under which delegation: what the receipt says. */
export function submissionOf(db: Executor, responseId: string) {
  return db
    .selectFrom('responses as r')
    .innerJoin('users as u', 'u.id', 'r.submitted_by')
    .innerJoin('organisations as uo', 'uo.id', 'u.organisation_id')
    .leftJoin('delegations as d', 'd.id', 'r.delegation_id')
    .leftJoin('organisations as a', 'a.id', 'd.association_id')
    .select([
      'u.full_name as submitted_by_name',
      // 'region': the region imported the answer from a file (modules/imports, bulk import).
      'uo.kind as submitter_kind',
      'uo.name as submitter_organisation',
      'r.delegation_id',
      'a.name as association_name',
      'd.granted_at',
    ])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
}
