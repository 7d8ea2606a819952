import type { Executor } from '../../db';
import {
  findCurrentTerritory,
  listCurrentTerritories,
  localName,
} from '../reference/territories.repository';
import {
  comuniByName,
  countTerritories,
  territoriesByCode,
} from '../reference/reference.repository';
import type { Option } from './firms.options';

/**
 * Up to this many comuni, the firm picks its comune from a list; past it (a country's whole
 * ISTAT list: ~7,900, half a megabyte of options on every form, homonyms told apart only by
 * their codes) it types the name, and the form asks which one when several share it.
 */
export const COMUNE_LIST_MAX = 400;
/** The comuni offered when a typed name matches none exactly. */
const SUGGESTIONS = 8;

/** The comune field of a form: a list of every comune, or a text field and the comuni to choose from. */
export interface ComuneField {
  options: Option[] | null;
  /** In the text field: a code shown as "Empoli (048014)", anything else as typed. */
  display: string;
  choices: Option[];
}

export interface ComuneProblem {
  field: 'territoryCode';
  key: string;
  params: Record<string, unknown>;
}

/** What a form's comune resolved to: the body with the code in place, or why not and the choices. */
export interface ComuneResolution {
  body: Record<string, unknown>;
  problem: ComuneProblem | null;
  choices: Option[];
}

const currentComune = async (db: Executor, code: string) => {
  const row = await findCurrentTerritory(db, code);
  return row?.level === 'LAU' ? row : undefined;
};

/** Each comune with its parent, so two of one name read apart: "Samone — Torino (001235)". */
async function labelled(
  db: Executor,
  rows: { code: string; name: string; names: Record<string, string>; parent_code: string | null }[],
  lang: string,
): Promise<Option[]> {
  const parents = await territoriesByCode(db, [
    ...new Set(rows.map((r) => r.parent_code).filter((c): c is string => !!c)),
  ]);
  const parentName = new Map(parents.map((p) => [p.code, localName(p, lang)]));
  return rows.map((r) => {
    const parent = r.parent_code ? parentName.get(r.parent_code) : undefined;
    return {
      value: r.code,
      label: `${localName(r, lang)}${parent ? ` — ${parent}` : ''} (${r.code})`,
    };
  });
}

/** Whether the comuni are too many for a list (then the firm types the name). */
const manyComuni = async (db: Executor) =>
  (await countTerritories(db, { level: 'LAU' })) > COMUNE_LIST_MAX;

/** The comuni a firm may name as its main site, at registration and in its profile. */
async function comuneOptions(db: Executor, lang: string): Promise<Option[]> {
  const collator = new Intl.Collator(lang);
  return (await listCurrentTerritories(db, ['LAU']))
    .map((t) => ({ value: t.code, label: `${localName(t, lang)} (${t.code})` }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

/**
 * Reads the comune a form names in `territoryCode`: its code (from the list, or typed), the
 * field's own "Empoli (048014)", or its name, accents and case aside; `territoryPick` is the
 * comune chosen among those the form offered, and wins. A name that several comuni share, or
 * none, is a problem, with the comuni to choose from. Where the form lists the comuni, and for
 * an empty or over-long field, the form's own checks judge what was sent.
 */
export async function resolveComune(
  db: Executor,
  body: Record<string, unknown>,
  lang: string,
): Promise<ComuneResolution> {
  const { territoryPick, ...rest } = body;
  const done = (code: string): ComuneResolution => ({
    body: { ...rest, territoryCode: code },
    problem: null,
    choices: [],
  });
  if (typeof territoryPick === 'string' && territoryPick.length <= 12) {
    const picked = await currentComune(db, territoryPick.trim().toUpperCase());
    if (picked) return done(picked.code);
  }
  const typed = typeof body.territoryCode === 'string' ? body.territoryCode.trim() : '';
  // From a list the form's own checks judge it; so they do an empty or over-long field.
  if (!typed || typed.length > 200 || !(await manyComuni(db)))
    return { body: rest, problem: null, choices: [] };
  const asCode = /^[A-Za-z0-9]{2,12}$/.test(typed)
    ? typed.toUpperCase()
    : /\(([A-Za-z0-9]{2,12})\)$/.exec(typed)?.[1]?.toUpperCase();
  if (asCode && (await currentComune(db, asCode))) return done(asCode);
  const problem = (key: string, name: string, count = 0): ComuneProblem => ({
    field: 'territoryCode',
    key: `firmProfile.errors.${key}`,
    params: { name, count },
  });
  // A code, but no current comune's.
  if (asCode && /\d/.test(asCode))
    return { body: rest, problem: problem('comuneCodeUnknown', asCode), choices: [] };
  const name = typed.replace(/\s*\([^()]*\)$/, '').replace(/\s+—\s+.*$/, '');
  const { named, near } = await comuniByName(db, name, SUGGESTIONS);
  if (named.length === 1) return done(named[0]!.code);
  if (named.length > 1)
    return {
      body: rest,
      problem: problem('comuneAmbiguous', name, named.length),
      choices: await labelled(db, named, lang),
    };
  return {
    body: rest,
    problem: problem(near.length ? 'comuneNotFoundNear' : 'comuneNotFound', name),
    choices: await labelled(db, near, lang),
  };
}

/**
 * The comune field as a form draws it: every comune in a list while there are few, otherwise a
 * text field showing `value` (a code by its name) and, after a problem, the comuni to choose from.
 */
export async function comuneField(
  db: Executor,
  lang: string,
  value: unknown,
  choices: Option[] = [],
): Promise<ComuneField> {
  const typed = typeof value === 'string' ? value : '';
  const many = await manyComuni(db);
  let display = typed;
  if (many && typed && /^[A-Za-z0-9]{2,12}$/.test(typed)) {
    const row = await currentComune(db, typed.toUpperCase());
    if (row) display = `${localName(row, lang)} (${row.code})`;
  }
  return {
    options: many ? null : await comuneOptions(db, lang),
    display,
    choices,
  };
}
