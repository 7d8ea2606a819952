import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { Language } from '../../http/i18n';
import type { NewOrganisation } from '../../db/database';
import type { SessionUser } from '../../http/types';

const sessionUserColumns = [
  'users.id',
  'users.email',
  'users.full_name as fullName',
  'organisations.kind as role',
  'organisations.partner_type as partnerType',
  'organisations.id as organisationId',
  'organisations.name as organisationName',
  'organisations.territory_code as territoryCode',
] as const;

export function findSessionUser(db: Executor, id: string): Promise<SessionUser | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(sessionUserColumns)
    .where('users.id', '=', id)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

interface TokenState {
  tokenId: string;
  expiresAt: Date;
  expired: boolean;
}

/**
 * The user behind an API token (live token, enabled user; expired or not, said) in one round trip, with the token's
 * last use recorded at most once a minute in the same statement, not once per request: the
 * function api_token_user (migrations 2026_12_06_1400, 2026_12_07_2000_b), which keeps its plan for the session
 * (every API request runs it).
 */
export async function findTokenUser(
  db: Executor,
  tokenHash: string,
): Promise<(SessionUser & TokenState) | undefined> {
  const { rows } = await sql<SessionUser & TokenState>`
    SELECT user_id AS id, email, full_name AS "fullName", role, partner_type AS "partnerType",
           organisation_id AS "organisationId", organisation_name AS "organisationName",
           territory_code AS "territoryCode", token_id AS "tokenId",
           expires_at AS "expiresAt", expired
    FROM api_token_user(${tokenHash})`.execute(db);
  return rows[0];
}

/** What the user may change about themselves: their name and the language of their e-mails. */
export function findProfile(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select(['full_name as fullName', 'locale', 'email'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function saveProfile(
  db: Executor,
  userId: string,
  p: { fullName: string; locale: Language },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ full_name: p.fullName, locale: p.locale })
    .where('id', '=', userId)
    .execute();
}

export function findLoginByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'password_hash', 'disabled_at'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export function findPasswordHash(db: Executor, userId: string) {
  return db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
}

export async function setPasswordHash(db: Executor, userId: string, hash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
}

export async function touchLogin(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ last_login_at: new Date() })
    .where('id', '=', userId)
    .execute();
}

export function emailTaken(db: Executor, email: string): Promise<boolean> {
  return db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst()
    .then(Boolean);
}

/** The organisation of the account that has this address, if one has. */
export async function organisationOfEmail(db: Executor, email: string) {
  const row = await db
    .selectFrom('users')
    .select('organisation_id')
    .where('email', '=', email)
    .executeTakeFirst();
  return row?.organisation_id;
}

export function insertOrganisation(db: Executor, org: NewOrganisation) {
  return db.insertInto('organisations').values(org).returningAll().executeTakeFirstOrThrow();
}

export function insertUser(
  db: Executor,
  user: {
    organisation_id: string;
    email: string;
    full_name: string;
    password_hash: string;
    /** The language the user signed up in: their e-mails' language until they choose another. */
    locale?: Language;
  },
) {
  return db.insertInto('users').values(user).returning(['id']).executeTakeFirstOrThrow();
}

export function findOrganisation(db: Executor, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Organisations whose territory lies within `scope` (the scope itself included). */
export function listOrganisationsWithin(db: Executor, scope: string | null) {
  let q = db.selectFrom('organisations').selectAll().orderBy('name');
  if (scope) q = q.where('territory_code', 'in', territoryAndBelow(scope));
  return q.execute();
}

/** The codes of a territory and every territory below it, as a sub-select. */
export function territoryAndBelow(code: string) {
  return sql<string>`(
    WITH RECURSIVE below(code) AS (
      SELECT code FROM territories WHERE code = ${code}
      UNION ALL
      SELECT t.code FROM territories t JOIN below b ON t.parent_code = b.code
    ) SELECT code FROM below)`;
}

/** True when `code` is `scope` or lies below it in the territory tree. */
export async function isWithin(db: Executor, code: string, scope: string): Promise<boolean> {
  const row = await sql<{ found: boolean }>`
    WITH RECURSIVE up(code, parent_code) AS (
      SELECT code, parent_code FROM territories WHERE code = ${code}
      UNION ALL
      SELECT t.code, t.parent_code FROM territories t JOIN up ON t.code = up.parent_code
    ) SELECT EXISTS (SELECT 1 FROM up WHERE code = ${scope}) AS found`.execute(db);
  return row.rows[0]?.found ?? false;
}
