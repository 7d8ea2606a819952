import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { territoryAndBelow } from './accounts.repository';

export function insertInvitation(
  db: Executor,
  row: {
    id?: string;
    organisation_id: string;
    email: string;
    token_hash: string;
    created_by: string;
    expires_at: Date;
  },
) {
  return db.insertInto('invitations').values(row).returningAll().executeTakeFirstOrThrow();
}

const withOrganisation = (db: Executor) =>
  db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.organisation_id',
      'invitations.created_at',
      'invitations.expires_at',
      'invitations.accepted_at',
      'invitations.revoked_at',
      'organisations.name as organisationName',
      'organisations.kind as role',
      'organisations.partner_type as partnerType',
      'organisations.territory_code as territoryCode',
    ]);

export function findByTokenHash(db: Executor, tokenHash: string) {
  return withOrganisation(db).where('invitations.token_hash', '=', tokenHash).executeTakeFirst();
}

export function lockByTokenHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function markAccepted(db: Executor, id: string, userId: string): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ accepted_at: new Date(), accepted_user_id: userId })
    .where('id', '=', id)
    .execute();
}

export async function markRevoked(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Admin sees every invitation; a region those for organisations within its territory. */
function visible(db: Executor, viewer: SessionUser) {
  const q = withOrganisation(db);
  return viewer.role === 'admin'
    ? q
    : q.where('organisations.territory_code', 'in', territoryAndBelow(viewer.territoryCode));
}

/** The newest 200, each with its organisation's territory named (the list shows the name). */
export function listVisible(db: Executor, viewer: SessionUser) {
  return visible(db, viewer)
    .leftJoin('territories as t', (j) =>
      j.onRef('t.code', '=', 'organisations.territory_code').on('t.valid_to', 'is', null),
    )
    .select(['t.name as territoryName', 't.names as territoryNames'])
    .orderBy('invitations.created_at', 'desc')
    .limit(200)
    .execute();
}

export function findVisible(db: Executor, viewer: SessionUser, id: string) {
  return visible(db, viewer).where('invitations.id', '=', id).executeTakeFirst();
}

/** The users of an organisation, enabled first, by name. */
export function listMembers(db: Executor, organisationId: string) {
  return db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'full_name as fullName',
      'last_login_at as lastLoginAt',
      'disabled_at as disabledAt',
    ])
    .where('organisation_id', '=', organisationId)
    .orderBy(sql`disabled_at IS NOT NULL`)
    .orderBy('full_name')
    .execute();
}

/** Open invitations into an organisation (not accepted, revoked or expired), with who sent them. */
export function listOpenFor(db: Executor, organisationId: string) {
  return db
    .selectFrom('invitations')
    .leftJoin('users as by', 'by.id', 'invitations.created_by')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.expires_at',
      'by.full_name as invitedBy',
    ])
    .where('invitations.organisation_id', '=', organisationId)
    .where('invitations.accepted_at', 'is', null)
    .where('invitations.revoked_at', 'is', null)
    .where(sql<boolean>`invitations.expires_at > now()`)
    .orderBy('invitations.created_at', 'desc')
    .execute();
}

/** An invitation into the organisation, whatever its state; undefined for any other. */
export function findInOrganisation(db: Executor, organisationId: string, id: string) {
  return withOrganisation(db)
    .where('invitations.organisation_id', '=', organisationId)
    .where('invitations.id', '=', id)
    .executeTakeFirst();
}

/** The invitation's row as inserted (its link's hash too): a form sent twice shows it again. */
export function findRowInOrganisation(db: Executor, organisationId: string, id: string) {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** An invitation to this address still waiting (not accepted, revoked or expired), if any. */
export function findOpenInvitation(db: Executor, email: string) {
  return db
    .selectFrom('invitations')
    .select(['id', 'expires_at'])
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('expires_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
