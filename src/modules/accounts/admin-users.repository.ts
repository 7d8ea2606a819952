import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { AccountEvent, Role } from '../../db/database';
import { containsPattern } from '../../db/like';

export interface UserFilter {
  /** Part of a name, an e-mail or an organisation's name. */
  q?: string;
  role?: Role;
  status?: 'active' | 'disabled';
}

const withOrganisation = (db: Executor) =>
  db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .innerJoin('territories', 'territories.code', 'organisations.territory_code')
    .select([
      'users.id',
      'users.email',
      'users.full_name as fullName',
      'users.created_at as createdAt',
      'users.last_login_at as lastLoginAt',
      'users.disabled_at as disabledAt',
      'organisations.id as organisationId',
      'organisations.name as organisationName',
      'organisations.kind as role',
      'organisations.partner_type as partnerType',
      'organisations.territory_code as territoryCode',
      'territories.name as territoryName',
      'territories.names as territoryNames',
    ]);

/** One page of users, by organisation then name; `limit` rows from `offset`. */
export function listUsers(db: Executor, f: UserFilter, limit: number, offset: number) {
  let q = withOrganisation(db);
  if (f.role) q = q.where('organisations.kind', '=', f.role);
  if (f.status) q = q.where('users.disabled_at', f.status === 'active' ? 'is' : 'is not', null);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) =>
      eb.or([
        eb('users.full_name', 'ilike', pattern),
        eb('users.email', 'ilike', pattern),
        eb('organisations.name', 'ilike', pattern),
      ]),
    );
  }
  return q
    .orderBy('organisations.name')
    .orderBy('users.full_name')
    .orderBy('users.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

export function findUser(db: Executor, id: string) {
  return withOrganisation(db).where('users.id', '=', id).executeTakeFirst();
}

/** The account's row, locked until the caller's transaction ends. */
export function lockUser(db: Executor, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'disabled_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function setDisabled(db: Executor, id: string, disabled: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ disabled_at: disabled ? new Date() : null })
    .where('id', '=', id)
    .execute();
}

export async function addEvent(
  db: Executor,
  e: {
    userId: string;
    event: AccountEvent;
    actorId: string | null;
    reason?: string;
    change?: { from: string; to: string };
  },
): Promise<void> {
  await db
    .insertInto('account_events')
    .values({
      user_id: e.userId,
      event: e.event,
      actor_id: e.actorId,
      reason: e.reason ?? null,
      old_value: e.change?.from ?? null,
      new_value: e.change?.to ?? null,
    })
    .execute();
}

/**
 * The account's new address. Links to set a password that are still open end now (they were
 * issued for, or mailed to, the old address), and e-mails not yet sent go to the new address,
 * except those carrying such a link, which are not sent.
 */
export async function setEmail(db: Executor, id: string, email: string): Promise<void> {
  await db.updateTable('users').set({ email }).where('id', '=', id).execute();
  await db
    .updateTable('password_resets')
    .set({ expires_at: sql<Date>`greatest(now(), created_at + interval '1 millisecond')` })
    .where('user_id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
  await db
    .updateTable('email_outbox')
    .set({ status: 'failed', last_error: 'not sent: the account changed its e-mail address' })
    .where('user_id', '=', id)
    .where('status', '=', 'pending')
    .where('kind', '=', 'password_reset')
    .execute();
  await db
    .updateTable('email_outbox')
    .set({ to_address: email })
    .where('user_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** What was done to the account, newest first, with who did it. */
export function eventsOf(db: Executor, userId: string, limit: number) {
  return db
    .selectFrom('account_events as e')
    .leftJoin('users as a', 'a.id', 'e.actor_id')
    .select([
      'e.id',
      'e.event',
      'e.reason',
      'e.old_value as from',
      'e.new_value as to',
      'e.created_at as createdAt',
      'a.full_name as actorName',
      'e.actor_id as actorId',
    ])
    .where('e.user_id', '=', userId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

/** Ends every session of the user (connect-pg-simple keeps passport's user id in `sess`). */
export async function endSessions(db: Executor, userId: string, exceptSid?: string) {
  await sql`
    DELETE FROM session
    WHERE sess->'passport'->>'user' = ${userId} AND sid IS DISTINCT FROM ${exceptSid ?? null}`.execute(
    db,
  );
}

export async function insertReset(
  db: Executor,
  row: { user_id: string; token_hash: string; created_by: string | null; expires_at: Date },
) {
  return db.insertInto('password_resets').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A reset link by its secret's hash, with its user (and whether the account is disabled). */
export function findReset(db: Executor, tokenHash: string, lock = false) {
  let q = db
    .selectFrom('password_resets as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select([
      'r.id',
      'r.user_id as userId',
      'r.expires_at as expiresAt',
      'r.used_at as usedAt',
      'u.email',
      'u.disabled_at as disabledAt',
    ])
    .where('r.token_hash', '=', tokenHash);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Marks the link used, and every other open link of the same user with it. */
export async function useResets(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('password_resets')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

/** Links of the user issued in the last hour (how many a user may ask for by e-mail). */
export async function resetsInLastHour(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('password_resets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where(sql<boolean>`created_at >= now() - interval '1 hour'`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An enabled user by e-mail (the forgotten-password form). */
export function findEnabledByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'full_name as fullName', 'locale'])
    .where('email', '=', email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}
