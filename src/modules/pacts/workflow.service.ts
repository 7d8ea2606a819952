import type { Db } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { assertNeedsBacking } from './needs-backing';
import type { PactAction } from './pact-workflow';
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
    await assertNeedsBacking(tx, pactId, { actor: user });
    return { ...(await transitionPact(tx, pactId, 'submit', user)), alreadySubmitted: false };
  });
}

/** withdraw, open_negotiation, reopen: the promoter's own steps, as the workflow table allows. */
export async function promoterTransition(
  db: Db,
  user: SessionUser,
  pactId: string,
  action: Extract<PactAction, 'withdraw' | 'open_negotiation' | 'reopen'>,
  revision?: number,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    if (revision !== undefined) assertRevision(pact, revision);
    const step = await transitionPact(tx, pactId, action, user);
    if (action === 'reopen')
      await commitRevision(tx, pactId, user, 'reopened after return', { newRound: true });
    return step;
  });
}
