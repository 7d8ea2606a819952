import type { Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { notify } from '../notifications/notify';
import { appendAudit } from './audit';

/**
 * The pact has just left the states in which amendments are decided (submitted to the region,
 * withdrawn, or later): every amendment still open lapses, since the text it would change can no
 * longer change. Nobody decided it (decided_by stays empty); each lapse is recorded in the audit
 * chain, after the transition that caused it, by the user who made that transition, and the
 * proposing organisation is told.
 */
export async function lapseOpenAmendments(
  tx: Tx,
  pact: { id: string; title: string },
  actor: SessionUser | null,
  revision: number,
): Promise<string[]> {
  const pactId = pact.id;
  const lapsed = await tx
    .updateTable('pact_amendments')
    .set({ status: 'lapsed', decided_at: new Date() })
    .where('pact_id', '=', pactId)
    .where('status', '=', 'open')
    .returning(['id', 'created_at', 'organisation_id'])
    .execute();
  // In the order they were proposed, so the audit reads as the board lists them.
  lapsed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));
  for (const am of lapsed) {
    await appendAudit(tx, {
      pactId,
      actor,
      event: 'amendment_lapsed',
      revision,
      detail: { amendment: am.id },
    });
    await notify(tx, {
      organisationIds: [am.organisation_id],
      kind: 'amendment_lapsed',
      params: { pact: pact.title },
      link: `/pacts/${pactId}/amendments/${am.id}`,
      exceptUserId: actor?.id,
    });
  }
  return lapsed.map((a) => a.id);
}
