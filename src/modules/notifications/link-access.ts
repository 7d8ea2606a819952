import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { can } from '../../lib/permissions';
import { getCallFor } from '../funding/calls.service';
import { UUID, loadPactFor } from '../pacts/access';
import { findAmendment } from '../pacts/amendments.service';

/** Why a notification's link no longer opens for its reader: the last part of an i18n key. */
export type GoneReason = 'notSignatory' | 'unavailable';

const UUID_PART = UUID.source.slice(1, -1);
const PACT_LINK = new RegExp(
  `^/pacts/(${UUID_PART})(?:/amendments/(${UUID_PART}))?(?:[/?#]|$)`,
  'i',
);
const CALL_LINK = new RegExp(`^/calls/(${UUID_PART})(?:[/?#]|$)`, 'i');

/**
 * Whether the page an older notification links to still opens for this user, asked with the
 * same checks as the page itself (a removed signatory, a region whose territory changed…).
 * Null when it opens, or when the link is a list that always does.
 */
export async function goneReason(
  db: Executor,
  user: SessionUser,
  link: string,
): Promise<GoneReason | null> {
  const pact = PACT_LINK.exec(link);
  if (pact) return pactGone(db, user, pact[1]!, pact[2]);
  const call = CALL_LINK.exec(link);
  if (call) {
    if (!can(user.role, 'call:read')) return 'unavailable';
    return visible(getCallFor(db, user, call[1]!));
  }
  return null;
}

async function pactGone(
  db: Executor,
  user: SessionUser,
  pactId: string,
  amendmentId: string | undefined,
): Promise<GoneReason | null> {
  if (!can(user.role, 'pact:read')) return 'unavailable';
  const gone = await visible(loadPactFor(db, pactId, user));
  if (gone) {
    // Said only to an organisation that was on the list: it knows the pact, its notification
    // named it. Anyone else learns nothing about the pact, not even that it exists.
    const removed = await db
      .selectFrom('pact_signatories')
      .select('organisation_id')
      .where('pact_id', '=', pactId)
      .where('organisation_id', '=', user.organisationId)
      .where('removed_at', 'is not', null)
      .executeTakeFirst();
    return removed ? 'notSignatory' : gone;
  }
  return amendmentId ? visible(findAmendment(db, pactId, amendmentId)) : null;
}

async function visible(lookup: Promise<unknown>): Promise<GoneReason | null> {
  try {
    await lookup;
    return null;
  } catch (e) {
    if (e instanceof NotFoundError) return 'unavailable';
    throw e;
  }
}
