import type { TFunction } from 'i18next';

/**
 * Revision reasons are stored as the service wrote them (English, e.g. "action added: Corso
 * IoT"), as part of what the hash covers; they are put into the reader's language here.
 */
const REASONS: [RegExp, string][] = [
  [/^created$/, 'created'],
  [/^pact edited$/, 'pactEdited'],
  [/^action added: (.*)$/s, 'actionAdded'],
  [/^action changed: (.*)$/s, 'actionChanged'],
  [/^action removed: (.*)$/s, 'actionRemoved'],
  [/^signatory invited: (.*)$/s, 'signatoryInvited'],
  [/^signatory removed$/, 'signatoryRemoved'],
  [/^amendment accepted \((.*)\)$/s, 'amendmentAccepted'],
  [/^reopened after return$/, 'reopenedAfterReturn'],
];

export function reasonText(reason: string, t: TFunction): string {
  for (const [pattern, key] of REASONS) {
    const m = pattern.exec(reason);
    if (m)
      return t(`pactHistory.reasons.${key}`, {
        name: m[1] ?? '',
        interpolation: { escapeValue: false },
      });
  }
  return reason;
}

/** An audit entry's event in the reader's language (the raw name if none is known). */
export function eventText(event: string, t: TFunction): string {
  for (const key of [`pactHistory.events.${event}`, `pacts.events.${event}`]) {
    const text = t(key, { defaultValue: '' });
    if (text) return text;
  }
  return event;
}

const HASH = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f-]{27}$/;

/**
 * An audit entry's detail as short readable parts ("Azione aggiunta: «…»", "revisione
 * precedente: 1", hashes cut to 12 characters): the full entry stays in the database and the
 * chain check reads it there.
 */
export function detailText(detail: Record<string, unknown> | null, t: TFunction): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(detail ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'formId') continue; // the double-post guard of the creation form: no news
    if (key === 'reason' && typeof value === 'string') {
      if (value !== 'revision') parts.push(reasonText(value, t));
      continue;
    }
    const label = t(`pactHistory.detail.${key}`, { defaultValue: key });
    const shown =
      typeof value === 'string' && HASH.test(value)
        ? `${value.slice(0, 12)}…`
        : typeof value === 'string' && UUID.test(value)
          ? value.slice(0, 8)
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
    parts.push(`${label}: ${shown}`);
  }
  return parts.join(' · ');
}
