import { diffWords } from 'diff';
import type { PactActionRow } from './pacts.tables';
import type { AmendmentFields, AmendmentKind } from './negotiation.tables';

/**
 * Pure rules of amendments: which fields they touch, whether one still applies to the current
 * text, and its word-level diff against that text. No I/O, tested on its own.
 */

/** An action's fields by their form names (the same names the action form and the API use). */
export const ACTION_FIELDS = [
  'title',
  'description',
  'skills',
  'participants',
  'hours',
  'modality',
  'eqfLevel',
  'period',
  'provider',
] as const;
export const PACT_FIELDS = ['title', 'summary'] as const;

export function fieldsOf(kind: AmendmentKind): readonly string[] {
  return kind === 'change_pact' ? PACT_FIELDS : ACTION_FIELDS;
}

type ActionLike = Pick<
  PactActionRow,
  | 'title'
  | 'description'
  | 'skill_codes'
  | 'participants'
  | 'hours'
  | 'modality'
  | 'eqf_level'
  | 'period'
  | 'provider'
>;

export function actionFields(a: ActionLike): AmendmentFields {
  return {
    title: a.title,
    description: a.description,
    skills: [...a.skill_codes].sort(),
    participants: a.participants,
    hours: a.hours,
    modality: a.modality,
    eqfLevel: a.eqf_level,
    period: a.period,
    provider: a.provider,
  };
}

export function pactFields(p: { title: string; summary: string }): AmendmentFields {
  return { title: p.title, summary: p.summary };
}

const norm = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : (v ?? null));
export const sameValue = (a: unknown, b: unknown) =>
  JSON.stringify(norm(a)) === JSON.stringify(norm(b));

/** The fields the proposal changes with respect to `base`. */
export function changedFields(
  kind: AmendmentKind,
  base: AmendmentFields,
  proposal: AmendmentFields,
): string[] {
  if (kind === 'add_action' || kind === 'remove_action') return [...fieldsOf(kind)];
  return fieldsOf(kind).filter((f) => !sameValue(base[f], proposal[f]));
}

export type Applicability =
  | { ok: true; fields: AmendmentFields }
  | { ok: false; reason: 'targetGone' | 'fieldsChanged'; fields: string[] };

/**
 * Whether an amendment still applies to the current text, and the fields to write if so. A
 * proposal written on an older revision may still apply when none of the fields it changes
 * moved since; otherwise it is outdated (the proposer must look at the new text).
 * `current` is the target's fields now (null: the target was removed).
 */
export function applicability(
  kind: AmendmentKind,
  base: AmendmentFields,
  proposal: AmendmentFields,
  current: AmendmentFields | null,
): Applicability {
  if (kind === 'add_action') return { ok: true, fields: proposal };
  if (!current) return { ok: false, reason: 'targetGone', fields: [] };
  const touched =
    kind === 'remove_action' ? [...fieldsOf(kind)] : changedFields(kind, base, proposal);
  const moved = touched.filter((f) => !sameValue(base[f], current[f]));
  if (moved.length) return { ok: false, reason: 'fieldsChanged', fields: moved };
  if (kind === 'remove_action') return { ok: true, fields: {} };
  const merged: AmendmentFields = { ...current };
  for (const f of touched) merged[f] = proposal[f] ?? null;
  return { ok: true, fields: merged };
}

export interface DiffPart {
  value: string;
  added?: boolean;
  removed?: boolean;
}
export interface FieldDiff {
  field: string;
  parts: DiffPart[];
}

const text = (v: unknown) =>
  Array.isArray(v)
    ? [...v].map(String).sort().join(', ')
    : v === null || v === undefined
      ? ''
      : String(v);

/**
 * The amendment as a word-level diff against the current text, field by field (only the fields
 * it changes). `display` turns a stored value into what a reader sees (a modality's label).
 */
export function amendmentDiff(
  kind: AmendmentKind,
  base: AmendmentFields,
  proposal: AmendmentFields,
  current: AmendmentFields | null,
  display: (field: string, value: unknown) => string = (_f, v) => text(v),
): FieldDiff[] {
  const before = kind === 'add_action' ? {} : (current ?? base);
  const after = kind === 'remove_action' ? {} : proposal;
  const fields = changedFields(kind, base, proposal).filter(
    (f) => kind !== 'remove_action' || text(before[f]) !== '',
  );
  return fields.map((field) => {
    const a = before[field] === undefined ? '' : display(field, before[field]);
    const b = after[field] === undefined ? '' : display(field, after[field]);
    const parts = diffWords(a, b).map((c) => ({
      value: c.value,
      ...(c.added ? { added: true } : {}),
      ...(c.removed ? { removed: true } : {}),
    }));
    return { field, parts };
  });
}
