import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { assertOpen } from './comments.service';
import type { PositionInput } from './negotiation.schemas';

/**
 * Where a signatory organisation stands on one action (agree / wants an amendment / objects),
 * replacing what it said before. The promoter has no position: the text is its proposal.
 */
export async function setPosition(
  db: Db,
  user: SessionUser,
  pactId: string,
  actionId: string,
  input: PositionInput,
) {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await loadPactFor(tx, pactId, user);
    if (party !== 'signatory')
      throw new DomainError('negotiation.errors.signatoryOnly', { status: 403 });
    assertOpen(pact.status);
    const action = await tx
      .selectFrom('pact_actions')
      .select('id')
      .where('id', '=', actionId)
      .where('pact_id', '=', pactId)
      .executeTakeFirst();
    if (!action) throw new NotFoundError();
    const row = {
      position: input.position,
      note: input.note,
      revision: pact.revision,
      set_by: user.id,
      set_at: new Date(),
    };
    await tx
      .insertInto('pact_positions')
      .values({
        pact_id: pactId,
        action_id: actionId,
        organisation_id: user.organisationId,
        ...row,
      })
      .onConflict((oc) => oc.columns(['action_id', 'organisation_id']).doUpdateSet(row))
      .execute();
    return { actionId, position: input.position, revision: pact.revision };
  });
}

export function listPositions(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_positions as p')
    .innerJoin('pact_signatories as s', (j) =>
      j.onRef('s.pact_id', '=', 'p.pact_id').onRef('s.organisation_id', '=', 'p.organisation_id'),
    )
    .select(['p.action_id', 'p.organisation_id', 'p.position', 'p.note', 'p.revision', 'p.set_at'])
    .where('p.pact_id', '=', pactId)
    .where('s.removed_at', 'is', null)
    .execute();
}
