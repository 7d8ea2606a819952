import type { Db, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { isSignatory, loadPactFor } from './access';
import { withdrawOnDecline } from './amendments.withdraw';
import { appendAudit } from './audit';
import { isEditable, type PactStatus } from './pact-workflow';
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
  /** The confirmation's one-time key: its second post (a double click) finds it removed. */
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    await createOnce(tx, user.id, formKey, async () => {
      assertEditable(pact.status);
      if (pact.status === 'agreed') throw new DomainError('pacts.errors.removeAgreed');
      assertRevision(pact, revision);
      await dropSignatory(tx, pactId, organisationId, user, 'signatory removed');
      // Told, or the pact would just vanish from its list and its links answer 'not found'.
      await notifyPact(tx, {
        pact,
        kind: 'pact_signatory_removed',
        organisationIds: [organisationId],
        actor: user,
        link: '/pacts',
      });
      return pactId;
    });
  });
}

/**
 * Takes an organisation off the list, removed by the promoter or declining itself: the list is
 * part of the content, so a new revision — everyone's signatures on the old one no longer count,
 * and an agreed or returned pact goes back to negotiation (commitRevision).
 */
async function dropSignatory(
  tx: Tx,
  pactId: string,
  organisationId: string,
  actor: SessionUser,
  reason: string,
) {
  const removed = await tx
    .updateTable('pact_signatories')
    .set({ removed_at: new Date() })
    .where('pact_id', '=', pactId)
    .where('organisation_id', '=', organisationId)
    .where('removed_at', 'is', null)
    .returning('organisation_id')
    .executeTakeFirst();
  if (!removed) throw new NotFoundError();
  return commitRevision(tx, pactId, actor, reason);
}

/**
 * An invited organisation declines to sign and leaves the list, with its reason, until the pact
 * is submitted (its signature, if given, stops counting with the new revision). The promoter is
 * told why; so are the organisation's other users, whose list the pact leaves. Its own proposals
 * still open on the pact are withdrawn with it (withdrawOnDecline). A form posted twice
 * (`formKey`) declines once: the second post finds the first one's answer.
 */
export async function declineToSign(
  db: Db,
  user: SessionUser,
  pactId: string,
  reason: string,
  formKey?: string,
): Promise<{ revision: number; status: PactStatus; withdrawnAmendments: string[] }> {
  return db.transaction().execute(async (tx) => {
    // Its own open proposals, withdrawn with it (none when a double post finds it done).
    let withdrawn: string[] = [];
    const done = await createOnce(tx, user.id, formKey, async () => {
      const { pact, party } = await loadPactFor(tx, pactId, user, { forUpdate: true });
      if (party !== 'signatory')
        throw new DomainError('pacts.decline.signatoryOnly', { status: 403 });
      if (!isEditable(pact.status))
        throw new DomainError('pacts.decline.notNow', {
          status: 409,
          params: { status: pact.status },
        });
      await appendAudit(tx, {
        pactId,
        actor: user,
        event: 'signatory_declined',
        revision: pact.revision,
        detail: { organisation: user.organisationId, reason },
      });
      withdrawn = await withdrawOnDecline(tx, pact, user);
      const organisation = user.organisationName;
      await dropSignatory(
        tx,
        pactId,
        user.organisationId,
        user,
        `signatory declined: ${organisation}`,
      );
      const told = { pact, kind: 'pact_signatory_declined', actor: user } as const;
      const params = { organisation, reason };
      await notifyPact(tx, {
        ...told,
        organisationIds: [pact.promoter_org_id],
        params,
        link: `/pacts/${pactId}/signatories`,
      });
      await notifyPact(tx, {
        ...told,
        organisationIds: [user.organisationId],
        params,
        link: '/pacts',
      });
      return pactId;
    });
    // The key of a form about another pact: nothing was done here.
    if (done !== pactId) throw new NotFoundError();
    const now = await tx
      .selectFrom('pacts')
      .select(['revision', 'status'])
      .where('id', '=', pactId)
      .executeTakeFirstOrThrow();
    return { ...now, withdrawnAmendments: withdrawn };
  });
}
