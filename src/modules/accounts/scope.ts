import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { isWithin, territoryAndBelow } from './accounts.repository';

/**
 * The territory half of authorization (the role half is allow() on the route): a user sees its
 * organisation's territory and everything below it; admin sees everything. Services call this
 * for the record at hand; a record out of scope is reported as not found, so ids leak nothing.
 */
export async function inScope(
  db: Executor,
  user: SessionUser,
  territoryCode: string,
): Promise<boolean> {
  if (user.role === 'admin') return true;
  return isWithin(db, territoryCode, user.territoryCode);
}

export async function assertInScope(
  db: Executor,
  user: SessionUser,
  territoryCode: string,
): Promise<void> {
  if (!(await inScope(db, user, territoryCode))) throw new NotFoundError();
}

/** A sub-select of the territory codes a user may see, for list queries (admin: null = all). */
export function scopeCodes(user: SessionUser) {
  return user.role === 'admin' ? null : territoryAndBelow(user.territoryCode);
}
