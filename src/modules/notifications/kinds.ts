/** Every kind of notification; each has `notifications.kinds.<kind>` in locales/{it,en}. */
export const NOTIFICATION_KINDS = [
  'pact_invited',
  'pact_signatory_removed',
  'pact_signatory_declined',
  'pact_revision',
  'pact_comment',
  'amendment_proposed',
  'amendment_decided',
  'amendment_lapsed',
  'pact_signed',
  'pact_agreed',
  'pact_submitted',
  'pact_returned',
  'pact_approved',
  'pact_rejected',
  'pact_withdrawn',
  'call_opened',
  'delegation_granted',
  'delegation_revoked',
  'delegated_answer_submitted',
  'delegated_answer_withdrawn',
  'api_token_expiring',
  'survey_extended',
  'call_extended',
  'call_budget_raised',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type NotificationParams = Record<string, string | number>;

/**
 * The params the texts use: `pact` (title), `revision` (number), `actor` (a person's or an
 * organisation's name), `organisation`, `reason` (a decision's remark), `amount`, `call` (title),
 * `survey` (title), `token` (an API key's name), `date` (a day, YYYY-MM-DD).
 */
export const PARAM_NAMES = [
  'pact',
  'revision',
  'actor',
  'organisation',
  'reason',
  'amount',
  'call',
  'survey',
  'token',
  'date',
] as const;

const MAX_PARAMS = 20;
const MAX_PARAM_LENGTH = 300;
export const MAX_LINK_LENGTH = 500;

/**
 * Params are user text (pact titles, reasons): bounded so one notification cannot bloat every
 * inbox it fans out to. Keys are plain identifiers, values short.
 */
export function boundParams(params: NotificationParams): NotificationParams {
  const out: NotificationParams = {};
  for (const [key, value] of Object.entries(params).slice(0, MAX_PARAMS)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/.test(key)) throw new Error(`bad notification param ${key}`);
    out[key] =
      typeof value === 'number'
        ? value
        : value.length > MAX_PARAM_LENGTH
          ? `${value.slice(0, MAX_PARAM_LENGTH - 1)}…`
          : value;
  }
  return out;
}

/** A link is a path inside the platform: never another host (an open redirect from the inbox). */
export function isInternalLink(link: string): boolean {
  return (
    link.length <= MAX_LINK_LENGTH &&
    link.startsWith('/') &&
    !link.startsWith('//') &&
    !link.includes('\\') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(link)
  );
}
