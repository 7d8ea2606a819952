import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import { can } from '../../lib/permissions';
import { getCallFor } from '../funding/calls.service';
import { UUID, loadPactFor } from '../pacts/access';
import { findAmendment } from '../pacts/amendments.service';

const UNAVAILABLE = 'notifications.gone.unavailable';
const UUID_PART = UUID.source.slice(1, -1);
const PACT_LINK = new RegExp(
  `^/pacts/(${UUID_PART})(?:/amendments/(${UUID_PART}))?(?:[/?#]|$)`,
  'i',
);
const CALL_LINK = new RegExp(`^/calls/(${UUID_PART})(?:[/?#]|$)`, 'i');

/**
 * Whether the page an older notification links to still opens for this user, asked with the
 * same checks as the page itself (a removed signatory, a region whose territory changed…): an
 * i18n key saying why not, or null when it opens (lists always do).
 */
export async function goneMessage(
  db: Executor,
  user: SessionUser,
  link: string,
): Promise<string | null> {
  const pact = PACT_LINK.exec(link);
  if (pact) {
    if (!can(user.role, 'pact:read')) return UNAVAILABLE;
    const gone = await visible(loadPactFor(db, pact[1]!, user));
    if (gone || !pact[2]) return gone;
    return visible(findAmendment(db, pact[1]!, pact[2]));
  }
  const call = CALL_LINK.exec(link);
  if (call) {
    if (!can(user.role, 'call:read')) return UNAVAILABLE;
    return visible(getCallFor(db, user, call[1]!));
  }
  return null;
}

/** A plain 'not found' says nothing of why: the general sentence; a reason is kept. */
async function visible(lookup: Promise<unknown>): Promise<string | null> {
  try {
    await lookup;
    return null;
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    return e.messageKey === 'errors.notFound' ? UNAVAILABLE : e.messageKey;
  }
}
