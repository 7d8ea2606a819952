import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { UUID, loadPactFor } from './access';
import { appendAudit } from './audit';
import { assertOpen } from './comments.service';

/**
 * The proposing organisation takes back its open amendment (kept in the record as withdrawn),
 * while the negotiation is open.
 */
export async function withdrawAmendment(
  db: Db,
  user: SessionUser,
  pactId: string,
  amendmentId: string,
) {
  if (!UUID.test(amendmentId)) throw new NotFoundError();
  await db.transaction().execute(async (tx) => {
    const { pact } = await loadPactFor(tx, pactId, user);
    // Once submitted the record is closed, for withdrawals as for every other negotiation act.
    assertOpen(pact.status);
    const am = await tx
      .selectFrom('pact_amendments')
      .select(['id', 'status', 'organisation_id'])
      .where('id', '=', amendmentId)
      .where('pact_id', '=', pactId)
      .forUpdate()
      .executeTakeFirst();
    if (!am) throw new NotFoundError();
    if (am.organisation_id !== user.organisationId)
      throw new DomainError('negotiation.errors.notYourAmendment', { status: 403 });
    if (am.status !== 'open')
      throw new DomainError('negotiation.errors.alreadyDecided', { params: { status: am.status } });
    await tx
      .updateTable('pact_amendments')
      .set({ status: 'withdrawn', decided_by: user.id, decided_at: new Date() })
      .where('id', '=', am.id)
      .execute();
    await appendAudit(tx, {
      pactId,
      actor: user,
      event: 'amendment_withdrawn',
      revision: pact.revision,
      detail: { amendment: am.id },
    });
  });
}
