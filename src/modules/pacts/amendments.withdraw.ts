import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../../db';
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

/**
 * An organisation declining to sign takes back its own proposals still open on the pact, in the
 * decline's transaction: it leaves the pact and can no longer see them, withdraw them or read
 * their decision, and a proposal standing in the name of an organisation no longer at the table
 * would be decided behind its back. Each is withdrawn as by its proposer (by the user declining),
 * recorded in the audit chain with `declined: true`, so the amendment says why.
 */
export async function withdrawOnDecline(
  tx: Tx,
  pact: { id: string; revision: number },
  user: SessionUser,
): Promise<string[]> {
  const withdrawn = await tx
    .updateTable('pact_amendments')
    .set({ status: 'withdrawn', decided_by: user.id, decided_at: new Date() })
    .where('pact_id', '=', pact.id)
    .where('organisation_id', '=', user.organisationId)
    .where('status', '=', 'open')
    .returning(['id', 'created_at'])
    .execute();
  // In the order they were proposed, so the audit reads as the board lists them.
  withdrawn.sort(
    (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1),
  );
  for (const am of withdrawn)
    await appendAudit(tx, {
      pactId: pact.id,
      actor: user,
      event: 'amendment_withdrawn',
      revision: pact.revision,
      detail: { amendment: am.id, declined: true },
    });
  return withdrawn.map((a) => a.id);
}

/** Was this amendment withdrawn because its organisation declined to sign (withdrawOnDecline)? */
export async function withdrawnOnDecline(db: Executor, pactId: string, amendmentId: string) {
  const row = await db
    .selectFrom('pact_audit')
    .select('seq')
    .where('pact_id', '=', pactId)
    .where('event', '=', 'amendment_withdrawn')
    .where(sql<string>`detail->>'amendment'`, '=', amendmentId)
    .where(sql<boolean>`(detail->>'declined')::boolean`, '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

/** The open proposals of the user's organisation on a pact: those a decline would withdraw. */
export async function openOwnAmendments(db: Executor, pactId: string, organisationId: string) {
  const { n } = await db
    .selectFrom('pact_amendments')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pact_id', '=', pactId)
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(n);
}
