import type { SessionUser } from '../../http/types';

/**
 * When a survey's needs are published to readers outside the institutions.
 *
 * Disclosure control protects one table at one moment. While a survey is open its figures change
 * with every answer, so two readings a few minutes apart differ by exactly what one firm
 * declared: its comune, and its workers by area. Comparing them undoes the protection. The
 * institutions that work on the needs while the survey runs (the region, local authorities,
 * social partners, the operator) read them as they change, protected as before; everyone else
 * (the public, the open data, firms) reads a survey's needs once it has closed, when they no
 * longer move. What they read before is the participation: how many firms answered where.
 *
 * A proroga after the last day reopens the answers: the figures are withheld again until the new
 * closing day, and the two publications differ by the late answers taken together
 * (docs/OPERATIONS.md, "Publishing survey figures").
 */
export const readsOpenSurveys = (user: SessionUser | undefined): boolean =>
  user?.role === 'region' ||
  user?.role === 'local_authority' ||
  user?.role === 'social_partner' ||
  user?.role === 'admin';

/**
 * Whether a reader may read the needs of `campaign` now (closed: by the region or its last day).
 * `reader` is a signed-in user (or none), or a reader already classified by `readsOpenSurveys`,
 * as the dashboard's `Reader` is.
 */
export const needsPublishedTo = (
  reader: SessionUser | { openSurveys: boolean } | undefined,
  campaign: { closed: boolean },
): boolean =>
  campaign.closed ||
  (reader !== undefined && 'openSurveys' in reader ? reader.openSurveys : readsOpenSurveys(reader));
