import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import * as repo from './admin-organisations.repository';

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
    if (org.name === input.name)
      throw new DomainError('adminOrganisations.errors.sameName', { field: 'name', status: 422 });
    await repo.rename(tx, id, input.name, admin.id);
    await repo.addEvent(tx, {
      organisationId: id,
      oldName: org.name,
      newName: input.name,
      actorId: admin.id,
      reason: input.reason,
    });
  });
}
