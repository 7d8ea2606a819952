import type { ActionContent, PactContent } from './revisions';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface RevisionDiff {
  fields: FieldChange[];
  actions: {
    added: ActionContent[];
    removed: ActionContent[];
    changed: { id: string; title: string; changes: FieldChange[] }[];
  };
  signatories: { added: { id: string; name: string }[]; removed: { id: string; name: string }[] };
  empty: boolean;
}

const PACT_FIELDS = ['title', 'summary', 'territory_code', 'campaign_id', 'call_id'] as const;
const ACTION_FIELDS = [
  'title',
  'description',
  'skill_codes',
  'participants',
  'hours',
  'modality',
  'eqf_level',
  'period',
  'provider',
  'cost_cents',
  'position',
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed from `a` to `b` (a null `a` = everything is new): the pact's fields, actions
 * added/removed/changed field by field (matched by id), signatories added/removed. Used by the
 * revision page and by the amendment diff.
 */
export function diffRevisions(a: PactContent | null, b: PactContent): RevisionDiff {
  const fields: FieldChange[] = [];
  for (const f of PACT_FIELDS) {
    if (!a || !same(a[f], b[f])) fields.push({ field: f, from: a?.[f] ?? null, to: b[f] });
  }
  const before = new Map((a?.actions ?? []).map((x) => [x.id, x]));
  const after = new Map(b.actions.map((x) => [x.id, x]));
  const changed: RevisionDiff['actions']['changed'] = [];
  for (const x of b.actions) {
    const old = before.get(x.id);
    if (!old) continue;
    const changes = ACTION_FIELDS.filter((f) => !same(old[f], x[f])).map((f) => ({
      field: f,
      from: old[f],
      to: x[f],
    }));
    if (changes.length) changed.push({ id: x.id, title: x.title, changes });
  }
  const added = b.actions.filter((x) => !before.has(x.id));
  const removed = (a?.actions ?? []).filter((x) => !after.has(x.id));
  const sigBefore = new Set((a?.signatories ?? []).map((s) => s.id));
  const sigAfter = new Set(b.signatories.map((s) => s.id));
  const signatories = {
    added: b.signatories.filter((s) => !sigBefore.has(s.id)),
    removed: (a?.signatories ?? []).filter((s) => !sigAfter.has(s.id)),
  };
  const empty =
    fields.length + added.length + removed.length + changed.length === 0 &&
    signatories.added.length + signatories.removed.length === 0;
  return { fields, actions: { added, removed, changed }, signatories, empty };
}
