import { COUNT_FIELDS } from './execution.schemas';

/**
 * The order in which an audit entry's details are read, by event: what changed first, then
 * amounts and dates, then notes, then references (ids, fingerprints). PostgreSQL's jsonb keeps
 * keys in its own order (shortest first), never the writer's, so the order is chosen here.
 */
const DETAIL_ORDER: Record<string, readonly string[]> = {
  created: ['hash'],
  revision: ['reason', 'previous', 'hash'],
  reopen: ['reason', 'revision'],
  signed: ['organisation', 'hash'],
  signatory_declined: ['organisation', 'reason'],
  agree: ['revision', 'hash'],
  amendment_proposed: ['kind', 'amendment'],
  amendment_accepted: ['amendment', 'reason'],
  amendment_declined: ['amendment', 'reason'],
  amendment_outdated: ['amendment'],
  amendment_withdrawn: ['amendment'],
  amendment_lapsed: ['amendment'],
  approve: ['approvedCents', 'remarks', 'decisionId'],
  return: ['remarks', 'decisionId'],
  reject: ['remarks', 'decisionId'],
  reduced: ['approvedCents', 'releasedCents', 'remarks', 'decisionId'],
  outcome_reported: [
    'action',
    'actionId',
    'period',
    'replaced',
    'enrolled',
    'completed',
    'hoursDelivered',
    'spentCents',
    'cofinancedCents',
    ...COUNT_FIELDS,
  ],
};

/**
 * The detail's entries in the event's chosen order; keys it does not list (older entries, a
 * nested value) follow, alphabetically, so no entry depends on how it happened to be stored.
 */
export function orderedDetail(
  detail: Record<string, unknown>,
  event: string | undefined,
): [string, unknown][] {
  const order = (event && Object.hasOwn(DETAIL_ORDER, event) && DETAIL_ORDER[event]) || [];
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  return Object.entries(detail).sort(
    ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
}
