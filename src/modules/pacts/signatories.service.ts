import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { isSignatory } from './access';
import { notifyPact } from './pacts.notify';
import * as repo from './pacts.repository';
import { assertEditable } from './pacts.service';
import { commitRevision } from './revisions';
import { assertRevision } from './stale';
import { transitionPact } from './transitions';

/**
 * The promoter invites a social partner or another authority whose territory overlaps the
 * pact's. The signatory list is part of the content (a new revision); inviting the first one
 * opens the negotiation of a draft.
 */
export async function inviteSignatory(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: { organisationId: string; revision: number },
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertEditable(pact.status);
    assertRevision(pact, input.revision);
    const org = (await repo.invitableOrganisations(tx, pact)).find(
      (o) => o.id === input.organisationId,
    );
    if (!org) {
      // Said plainly when it is already on the list (a second click, a stale form).
      const listed = await isSignatory(tx, pactId, input.organisationId, 'listed');
      throw new DomainError(listed ? 'pacts.errors.alreadyInvited' : 'pacts.errors.notInvitable', {
        field: 'organisationId',
        status: 422,
      });
    }
    await tx
      .insertInto('pact_signatories')
      .values({ pact_id: pactId, organisation_id: org.id, invited_by: user.id })
      .onConflict((oc) =>
        oc
          .columns(['pact_id', 'organisation_id'])
          .doUpdateSet({ removed_at: null, invited_at: new Date(), invited_by: user.id }),
      )
      .execute();
    const rev = await commitRevision(tx, pactId, user, `signatory invited: ${org.name}`);
    if (pact.status === 'draft') await transitionPact(tx, pactId, 'open_negotiation', user);
    await notifyPact(tx, { pact, kind: 'pact_invited', organisationIds: [org.id], actor: user });
    return { revision: rev.number, organisation: org };
  });
}

/** Removing a signatory is possible until the pact is agreed (afterwards it would void it). */
export async function removeSignatory(
  db: Db,
  user: SessionUser,
  pactId: string,
  organisationId: string,
  revision: number,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertEditable(pact.status);
    if (pact.status === 'agreed') throw new DomainError('pacts.errors.removeAgreed');
    assertRevision(pact, revision);
    const removed = await tx
      .updateTable('pact_signatories')
      .set({ removed_at: new Date() })
      .where('pact_id', '=', pactId)
      .where('organisation_id', '=', organisationId)
      .where('removed_at', 'is', null)
      .returning('organisation_id')
      .executeTakeFirst();
    if (!removed) throw new NotFoundError();
    const rev = await commitRevision(tx, pactId, user, 'signatory removed');
    // Told, or the pact would just vanish from its list and its links answer 'not found'.
    await notifyPact(tx, {
      pact,
      kind: 'pact_signatory_removed',
      organisationIds: [organisationId],
      actor: user,
      link: '/pacts',
    });
    return { revision: rev.number };
  });
}
