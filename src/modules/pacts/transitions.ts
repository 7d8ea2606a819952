import type { Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { lapseOpenAmendments } from './amendments.lapse';
import { appendAudit } from './audit';
import {
  isEditable,
  nextStatus,
  type PactAction,
  type PactParty,
  type PactStatus,
} from './pact-workflow';
import { notifyPact, type PactNotificationKind } from './pacts.notify';
import type { Pact } from './pacts.tables';

/** Who hears of each transition (besides the audit log, which records all of them). */
const NOTICE: Partial<Record<PactStatus, PactNotificationKind>> = {
  agreed: 'pact_agreed',
  submitted: 'pact_submitted',
  returned: 'pact_returned',
  approved: 'pact_approved',
  rejected: 'pact_rejected',
  withdrawn: 'pact_withdrawn',
};

/**
 * The one way a pact changes status: locks the row, asks the workflow table, records the step in
 * the audit chain and tells the parties. Throws 'pacts.errors.transition' (409) when the table
 * does not allow it.
 */
export async function transitionPact(
  tx: Tx,
  pactId: string,
  action: PactAction,
  actor: SessionUser | null,
  opts: { party?: PactParty; detail?: Record<string, unknown> } = {},
): Promise<{ from: PactStatus; to: PactStatus }> {
  const pact = await tx
    .selectFrom('pacts')
    .selectAll()
    .where('id', '=', pactId)
    .forUpdate()
    .executeTakeFirst();
  if (!pact) throw new NotFoundError();
  const party = opts.party ?? (actor ? await partyOf(tx, pact, actor) : 'system');
  const from = pact.status;
  const to = party ? nextStatus(from, action, party) : null;
  if (!to) {
    throw new DomainError('pacts.errors.transition', {
      status: 409,
      params: { from, action },
    });
  }
  const now = new Date();
  await tx
    .updateTable('pacts')
    .set({
      status: to,
      updated_at: now,
      ...(to === 'submitted' ? { submitted_at: now } : {}),
      ...(['approved', 'returned', 'rejected'].includes(to) ? { decided_at: now } : {}),
    })
    .where('id', '=', pactId)
    .execute();
  await appendAudit(tx, {
    pactId,
    actor,
    event: action,
    fromStatus: from,
    toStatus: to,
    revision: pact.revision,
    detail: opts.detail,
  });
  // Out of negotiation the text is fixed: a proposal nobody decided can no longer be.
  if (!isEditable(to)) await lapseOpenAmendments(tx, pact, actor, pact.revision);
  const kind = NOTICE[to];
  if (kind) {
    await notifyPact(tx, {
      pact,
      kind,
      organisationIds: await recipients(tx, pact, to),
      actor,
    });
  }
  return { from, to };
}

/** The party an acting user plays on this pact (null: none, the transition is refused). */
async function partyOf(tx: Tx, pact: Pact, actor: SessionUser): Promise<PactParty | null> {
  if (actor.organisationId === pact.promoter_org_id) return 'promoter';
  if (actor.role === 'region') return 'region';
  const sig = await tx
    .selectFrom('pact_signatories')
    .select('organisation_id')
    .where('pact_id', '=', pact.id)
    .where('organisation_id', '=', actor.organisationId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return sig ? 'signatory' : null;
}

/** The promoter and the signatories; on submission the region organisations above the pact. */
async function recipients(tx: Tx, pact: Pact, to: PactStatus): Promise<string[]> {
  if (to === 'submitted') {
    const regions = await tx
      .selectFrom('organisations as o')
      .innerJoin('territory_ancestors as ta', 'ta.ancestor_code', 'o.territory_code')
      .select('o.id')
      .where('o.kind', '=', 'region')
      .where('ta.code', '=', pact.territory_code)
      .execute();
    return regions.map((r) => r.id);
  }
  const sigs = await tx
    .selectFrom('pact_signatories')
    .select('organisation_id')
    .where('pact_id', '=', pact.id)
    .where('removed_at', 'is', null)
    .execute();
  return [pact.promoter_org_id, ...sigs.map((s) => s.organisation_id)];
}
