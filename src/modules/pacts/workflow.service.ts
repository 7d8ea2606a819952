import type { Db, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { assertNeedsBacking } from './needs-backing';
import type { PactAction, PactStatus } from './pact-workflow';
import * as repo from './pacts.repository';
import { commitRevision } from './revisions';
import { assertRevision } from './stale';
import { transitionPact } from './transitions';

/**
 * The promoter submits the agreed pact to the region. The needs are checked once more (firms
 * may have amended their answers since the plan was written) under the campaign lock.
 */
export async function submitPact(db: Db, user: SessionUser, pactId: string, revision: number) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertRevision(pact, revision);
    // A double click: this very revision was submitted a moment ago (the row lock made the
    // second request wait for the first). It is done, not refused.
    if (pact.status === 'submitted')
      return { from: pact.status, to: pact.status, alreadySubmitted: true };
    if (pact.status !== 'agreed')
      throw new DomainError('pacts.errors.notAgreed', { params: { status: pact.status } });
    await assertSubmittable(tx, pact);
    await assertNeedsBacking(tx, pactId, { actor: user });
    return { ...(await transitionPact(tx, pactId, 'submit', user)), alreadySubmitted: false };
  });
}

/**
 * The region reviews a pact against its funding call's rules, the cost of each action coming
 * from the call's unit costs (DESIGN.md): a pact with no action, or no call, gives it nothing to
 * review. Refused with what is missing, before anything is written.
 */
async function assertSubmittable(tx: Tx, pact: { id: string; call_id: string | null }) {
  const gap = submissionGap(await repo.actionCount(tx, pact.id), pact.call_id);
  if (gap) throw new DomainError(gap);
}

/** Why a pact with `actions` actions and this call cannot be submitted (a message key), or null. */
export function submissionGap(actions: number, callId: string | null): string | null {
  if (actions === 0 && !callId) return 'pacts.errors.submitEmpty';
  if (actions === 0) return 'pacts.errors.submitNoActions';
  if (!callId) return 'pacts.errors.submitNoCall';
  return null;
}

/**
 * withdraw, open_negotiation, reopen: the promoter's own steps, as the workflow table allows.
 * With the button's form key (http/form-key), its second post (a double click whose first answer
 * the browser dropped) finds the step taken and does nothing: `repeated`. Without one (a later
 * attempt from another page) a step already taken is refused as not allowed.
 */
export async function promoterTransition(
  db: Db,
  user: SessionUser,
  pactId: string,
  action: Extract<PactAction, 'withdraw' | 'open_negotiation' | 'reopen'>,
  revision?: number,
  formKey?: string,
): Promise<{ from: PactStatus; to: PactStatus; repeated: boolean }> {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    let step: { from: PactStatus; to: PactStatus } | undefined;
    await createOnce(tx, user.id, formKey, async () => {
      // Checked only for a step still to take: reopening made a new revision.
      if (revision !== undefined) assertRevision(pact, revision);
      step = await transitionPact(tx, pactId, action, user);
      if (action === 'reopen')
        await commitRevision(tx, pactId, user, 'reopened after return', { newRound: true });
      return pactId;
    });
    return step
      ? { ...step, repeated: false }
      : { from: pact.status, to: pact.status, repeated: true };
  });
}
