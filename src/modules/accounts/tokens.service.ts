import { sql } from 'kysely';
import type { Db, Executor } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { hashSecret, newSecret } from '../../lib/tokens';
import { notify } from '../notifications/notify';
import { findTokenUser } from './accounts.repository';

/**
 * How long a new token lasts, in days: the user picks one. No "never": a token that never ends
 * is one that outlives the program it was made for and nobody remembers (a leaked one works for
 * ever); a year is enough for a yearly integration, renewed by making a new token.
 */
export const TOKEN_LIFETIMES = [30, 90, 365] as const;
export type TokenLifetime = (typeof TOKEN_LIFETIMES)[number];
export const DEFAULT_TOKEN_LIFETIME: TokenLifetime = 90;

/** Personal access tokens: shown once, stored as SHA-256, revocable, expiring. */
export async function createApiToken(
  db: Executor,
  userId: string,
  name: string,
  days: TokenLifetime = DEFAULT_TOKEN_LIFETIME,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newSecret('patto');
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: userId,
      name,
      token_hash: hashSecret(token),
      expires_at: sql<Date>`now() + make_interval(days => ${days})`,
    })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt: row.expires_at };
}

/**
 * A token made from the tokens page, once per form key (http/form-key): its second post (a
 * double click whose first answer, with the secret, the browser dropped) makes no other token
 * and gets the first's name and no secret, which only its hash keeps and so cannot be shown again.
 */
export async function createApiTokenOnce(
  db: Db,
  userId: string,
  name: string,
  days: TokenLifetime,
  formKey: string | undefined,
): Promise<{ token: string; expiresAt: Date } | { repeated: { name: string } }> {
  return db.transaction().execute(async (tx) => {
    let made: { token: string; expiresAt: Date } | undefined;
    const id = await createOnce(tx, userId, formKey, async () => {
      const created = await createApiToken(tx, userId, name, days);
      made = created;
      return created.id;
    });
    if (made) return made;
    const first = await tx
      .selectFrom('api_tokens')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { repeated: { name: first.name } };
  });
}

/** A token used in its last days tells its owner, once, before programs using it stop. */
export const REMIND_BEFORE_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * Tokens this process has seen reminded already: their every later request in the last days
 * skips the update that would find them told (the API's hot path). Another process finds the
 * row told and updates nothing.
 */
const reminded = new Set<string>();

/** The user behind a live token, or the end of an expired one (told apart from unknown). */
export async function authenticateToken(
  db: Db,
  token: string,
): Promise<SessionUser | { expiredAt: Date } | null> {
  const found = await findTokenUser(db, hashSecret(token));
  if (!found) return null;
  const { expired, expiresAt, ...user } = found;
  if (expired) return { expiredAt: expiresAt };
  if (
    expiresAt.getTime() - Date.now() < REMIND_BEFORE_DAYS * DAY_MS &&
    !reminded.has(user.tokenId)
  ) {
    await remindExpiry(db, user.tokenId, user.id);
    if (reminded.size >= 10_000) reminded.clear();
    reminded.add(user.tokenId);
  }
  return user;
}

/**
 * Tells the owner of a token in its last days when it ends (the inbox, and an e-mail for those
 * who get them), the first time it is used then: a program using it would otherwise stop one
 * morning with a 401. Once per token: the update finds it only while nobody was told.
 */
async function remindExpiry(db: Db, tokenId: string, userId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_tokens')
      .set({ reminded_at: sql`now()` })
      .where('id', '=', tokenId)
      .where('reminded_at', 'is', null)
      .returning(['name', 'expires_at'])
      .executeTakeFirst();
    if (!row) return;
    await notify(tx, {
      userIds: [userId],
      kind: 'api_token_expiring',
      params: { token: row.name, date: row.expires_at.toISOString().slice(0, 10) },
      link: '/account/tokens',
    });
  });
}

export function listApiTokens(db: Db, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at', 'expires_at'])
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string): Promise<void> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new NotFoundError();
}
