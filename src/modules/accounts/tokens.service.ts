import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { hashSecret, newSecret } from '../../lib/tokens';
import { findTokenUser } from './accounts.repository';

/** Personal access tokens: shown once, stored as SHA-256, revocable. */
export async function createApiToken(
  db: Db,
  userId: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const token = newSecret('patto');
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: userId, name, token_hash: hashSecret(token) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export async function authenticateToken(db: Db, token: string): Promise<SessionUser | null> {
  return (await findTokenUser(db, hashSecret(token))) ?? null;
}

export function listApiTokens(db: Db, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
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
