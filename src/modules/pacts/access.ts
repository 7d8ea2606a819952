import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { isWithin } from '../accounts/accounts.repository';
import type { Pact } from './pacts.tables';

export type PactViewer = 'promoter' | 'signatory' | 'region' | 'admin';

/**
 * Still 404, but saying why: the organisation was on the list, it knows the pact (its
 * notifications and e-mails named it), so the reason tells it nothing it may not know.
 */
export class NoLongerSignatoryError extends NotFoundError {
  constructor() {
    super('pacts.errors.noLongerSignatory');
  }
}

/**
 * Who may see a pact, and as which party: the promoter organisation's users, the users of an
 * invited (not removed) signatory organisation, region users whose territory contains the pact's,
 * admin. Anyone else gets 404, so a pact id reveals nothing; a removed signatory is told why.
 */
export async function loadPactFor(
  db: Executor,
  pactId: string,
  user: SessionUser,
  opts: { forUpdate?: boolean } = {},
): Promise<{ pact: Pact; party: PactViewer }> {
  if (!UUID.test(pactId)) throw new NotFoundError();
  let q = db.selectFrom('pacts').selectAll().where('id', '=', pactId);
  if (opts.forUpdate) q = q.forUpdate();
  const pact = await q.executeTakeFirst();
  if (!pact) throw new NotFoundError();
  const party = await partyOf(db, pact, user);
  if (!party)
    throw (await isSignatory(db, pact.id, user.organisationId, 'removed'))
      ? new NoLongerSignatoryError()
      : new NotFoundError();
  return { pact, party };
}

/** Whether an organisation is on a pact's list of signatories, or was and has been removed. */
export async function isSignatory(
  db: Executor,
  pactId: string,
  organisationId: string,
  state: 'listed' | 'removed',
): Promise<boolean> {
  const row = await db
    .selectFrom('pact_signatories')
    .select('organisation_id')
    .where('pact_id', '=', pactId)
    .where('organisation_id', '=', organisationId)
    .where('removed_at', state === 'listed' ? 'is' : 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

async function partyOf(db: Executor, pact: Pact, user: SessionUser): Promise<PactViewer | null> {
  if (user.role === 'admin') return 'admin';
  if (user.organisationId === pact.promoter_org_id) return 'promoter';
  if (user.role === 'region') {
    return (await isWithin(db, pact.territory_code, user.territoryCode)) ? 'region' : null;
  }
  const sig = await db
    .selectFrom('pact_signatories')
    .select('organisation_id')
    .where('pact_id', '=', pact.id)
    .where('organisation_id', '=', user.organisationId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return sig ? 'signatory' : null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
