import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { findCurrentTerritory } from '../reference/territories.repository';
import * as repo from './admin-organisations.repository';

const refused = (key: string, field: string, params?: Record<string, unknown>) =>
  new DomainError(`adminOrganisations.errors.${key}`, { field, status: 422, params });

/**
 * Renames an organisation (a typo at the invitation, a merger, a new legal name), recorded in
 * organisation_events with the name before. Pact revisions already made keep the name they were
 * made and signed with; the next revision of a pact carries the new one.
 */
export async function renameOrganisation(
  db: Db,
  admin: SessionUser,
  id: string,
  input: { name: string; reason?: string },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const org = await repo.lockOrganisation(tx, id);
    if (!org) throw new NotFoundError();
    if (org.name === input.name) throw refused('sameName', 'name');
    await repo.rename(tx, id, input.name, admin.id);
    await repo.addEvent(tx, {
      organisationId: id,
      event: 'renamed',
      from: org.name,
      to: input.name,
      actorId: admin.id,
      reason: input.reason,
    });
  });
}

/** Why the organisation's territory cannot be corrected now, if it cannot (else undefined). */
export async function territoryLock(
  db: Executor,
  org: { id: string; kind: string },
): Promise<{ key: string; params?: Record<string, number> } | undefined> {
  // A firm's comune is its profile's, which the firm keeps (and its answers were counted there).
  if (org.kind === 'firm') return { key: 'territoryFirm' };
  const uses = await repo.participation(db, org.id);
  if (Object.values(uses).some((n) => n > 0)) return { key: 'territoryInUse', params: uses };
  return undefined;
}

/**
 * Corrects the territory an organisation was given at its invitation (a province chosen for a
 * comune, the wrong region), while it has taken part in nothing: its territory is the scope its
 * pacts, surveys, calls and delegations were checked against, and the access of its people
 * follows it from their next request.
 */
export async function changeTerritory(
  db: Db,
  admin: SessionUser,
  id: string,
  input: { territoryCode: string; reason?: string },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const org = await repo.lockOrganisation(tx, id);
    if (!org) throw new NotFoundError();
    const lock = await territoryLock(tx, org);
    if (lock) throw refused(lock.key, 'territoryCode', lock.params);
    if (org.territory_code === input.territoryCode) throw refused('sameTerritory', 'territoryCode');
    if (!(await findCurrentTerritory(tx, input.territoryCode)))
      throw new DomainError('validation.unknownTerritory', { field: 'territoryCode', status: 422 });
    await repo.setTerritory(tx, id, input.territoryCode);
    await repo.addEvent(tx, {
      organisationId: id,
      event: 'territory_changed',
      from: org.territory_code,
      to: input.territoryCode,
      actorId: admin.id,
      reason: input.reason,
    });
  });
}
