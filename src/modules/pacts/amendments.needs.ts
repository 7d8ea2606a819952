import { sql } from 'kysely';
import type { Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { writeAction } from './amendments.apply';
import type { AmendmentFields, AmendmentKind } from './negotiation.tables';
import type { Pact } from './pacts.tables';

/** Refusals that speak of a figure protected for the one who asked. */
const PROTECTED = new Set([
  'pacts.errors.needsProtectedCell',
  'pacts.errors.needsExceededProtected',
]);

/**
 * A proposal planning more participants than firms declared is refused when it is made, with the
 * message the promoter would get on accepting it, instead of waiting open for a decision that
 * can only fail. The action is written under a savepoint, checked exactly as its acceptance
 * checks it, and rolled back whatever the outcome. Where the figure is protected for the
 * proposer, the proposal goes through: refusing it would tell them something about a figure
 * they may not see; the promoter's acceptance checks it again.
 */
export async function assertProposalBacked(
  tx: Tx,
  pact: Pact,
  proposal: { kind: AmendmentKind; actionId: string | null; fields: AmendmentFields },
  proposer: SessionUser,
): Promise<void> {
  if (proposal.kind !== 'add_action' && proposal.kind !== 'change_action') return;
  await sql`SAVEPOINT proposal_needs`.execute(tx);
  try {
    const am = { kind: proposal.kind, action_id: proposal.actionId };
    await writeAction(tx, pact, am, proposal.fields, proposer);
  } catch (err) {
    if (!(err instanceof DomainError) || !PROTECTED.has(err.messageKey)) throw err;
  } finally {
    await sql`ROLLBACK TO SAVEPOINT proposal_needs`.execute(tx);
  }
}
