import type { TFunction } from 'i18next';
import { formatDate, formatMoney, localeOf } from '../../lib/format';
import { orderedDetail } from './audit-detail-order';

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
  [/^signatory declined: (.*)$/s, 'signatoryDeclined'],
  [/^amendment accepted \((.*)\)$/s, 'amendmentAccepted'],
  [/^reopened after return$/, 'reopenedAfterReturn'],
];

/**
 * `removed`: the signatories a revision dropped, read from its content and the previous one's
 * (removedSignatories): the stored "signatory removed" does not name them, and stays as written.
 */
export function reasonText(reason: string, t: TFunction, removed: string[] = []): string {
  for (const [pattern, key] of REASONS) {
    const m = pattern.exec(reason);
    if (!m) continue;
    const named = key === 'signatoryRemoved' && removed.length > 0;
    return t(`pactHistory.reasons.${named ? 'signatoryRemovedNamed' : key}`, {
      name:
        key === 'amendmentAccepted'
          ? t(`negotiation.kind.${m[1]}`, { defaultValue: m[1] })
          : named
            ? removed.join(', ')
            : (m[1] ?? ''),
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
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
const SKILL_KEYS = new Set([
  'skill',
  'skills',
  'skill_code',
  'skill_codes',
  'skillCode',
  'skillCodes',
]);

/** What the audit page knows besides the entry: the reader's language, skill names, who acted. */
export interface DetailContext {
  lang: string;
  /** The entry's event: its details are read in the order chosen for it (audit-detail-order). */
  event?: string;
  /** Skill names by code, by language (`_`: the default), for the codes the entries name. */
  skills?: Map<string, Record<string, string>>;
  /** The actor's organisation: a signature's `organisation` is that one, already shown. */
  actorOrgId?: string | null;
  /** The signatories the entry's revision dropped, to name them in its reason. */
  removed?: string[];
}

/** The skill codes an entry's detail names, at any depth, to look their names up once a page. */
export function detailSkillCodes(detail: unknown): string[] {
  if (Array.isArray(detail)) return detail.flatMap(detailSkillCodes);
  if (!detail || typeof detail !== 'object') return [];
  return Object.entries(detail).flatMap(([key, value]) =>
    SKILL_KEYS.has(key) && typeof value !== 'object'
      ? [String(value)]
      : SKILL_KEYS.has(key) && Array.isArray(value)
        ? value.map(String)
        : detailSkillCodes(value),
  );
}

/**
 * An audit entry's detail as short readable parts in the reader's language ("Azione aggiunta:
 * «…»", "importo approvato: 9.216,00 €", hashes cut to 12 characters): every key has a label,
 * amounts in cents are money, skills are named, a nested value is read the same way, never JSON.
 * The full entry stays in the database and the chain check reads it there.
 */
export function detailText(
  detail: Record<string, unknown> | null,
  t: TFunction,
  ctx: DetailContext,
): string {
  return detailParts(detail ?? {}, t, ctx).join(' · ');
}

function detailParts(detail: Record<string, unknown>, t: TFunction, ctx: DetailContext): string[] {
  const parts: string[] = [];
  for (const [key, value] of orderedDetail(detail, ctx.event)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    if (key === 'formId') continue; // the double-post guard of the creation form: no news
    if (key === 'actionId' && typeof detail.action === 'string') continue; // the title says it
    if (key === 'organisation' && value === ctx.actorOrgId) continue; // shown as the actor's
    if (key === 'reason' && typeof value === 'string') {
      if (value !== 'revision') parts.push(reasonText(value, t, ctx.removed));
      continue;
    }
    const label = detailLabel(key, t);
    if (value === true) parts.push(label);
    else parts.push(`${label}: ${detailValue(key, value, t, ctx)}`);
  }
  return parts;
}

function detailLabel(key: string, t: TFunction): string {
  for (const k of [`pactHistory.detail.${key}`, `execution.fields.${key}`]) {
    const text = t(k, { defaultValue: '' });
    if (text) return text;
  }
  // A key no text names yet still reads as words, not as an identifier.
  return key
    .replace(/Cents$/, '')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

function detailValue(key: string, value: unknown, t: TFunction, ctx: DetailContext): string {
  if (Array.isArray(value)) return value.map((v) => detailValue(key, v, t, ctx)).join(', ');
  if (typeof value === 'object' && value !== null)
    // A nested value is no event's: its keys read alphabetically.
    return `(${detailParts(value as Record<string, unknown>, t, { ...ctx, event: undefined }).join(', ')})`;
  if (typeof value === 'number') {
    if (/Cents$/.test(key)) return formatMoney(value, ctx.lang);
    return new Intl.NumberFormat(localeOf(ctx.lang)).format(value);
  }
  const text = String(value);
  if (SKILL_KEYS.has(key)) {
    const names = ctx.skills?.get(text);
    const name = names && (names[ctx.lang] || names._);
    return name ? `${name} (${text})` : text;
  }
  if (key === 'kind') return t(`negotiation.kind.${text}`, { defaultValue: text });
  if (HASH.test(text)) return `${text.slice(0, 12)}…`;
  if (UUID.test(text)) return text.slice(0, 8);
  if (ISO_DATE.test(text)) return formatDate(text, ctx.lang, { style: 'long' });
  return text;
}
