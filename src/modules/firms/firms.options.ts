import type { Executor } from '../../db';
import { localName } from '../reference/territories.repository';
import { findSectors, listSectors } from './firms.repository';
import { comuneField } from './comune-field';
import { NACE_VERSION, type FirmProfile } from './firms.service';

export interface Option {
  value: string;
  label: string;
}

type T = (key: string, params?: Record<string, unknown>) => string;

/** The profile form's fields, in the form's order. */
export const PROFILE_FIELDS = [
  'legalName',
  'vatNumber',
  'naceDivision',
  'employees',
  'territoryCode',
  'contactName',
  'contactEmail',
  'contactPhone',
] as const;

/** The profile form's labels, by field: the error summary names each field as the form does. */
export function profileFieldLabels(t: T): Record<string, string> {
  return Object.fromEntries(PROFILE_FIELDS.map((f) => [f, t(`firmProfile.fields.${f}`)]));
}

/**
 * The pickers of the profile form: NACE divisions grouped by section, and the comune field for
 * the form's value (with the comuni to choose from after a name that did not resolve).
 */
export async function profileFormOptions(
  db: Executor,
  lang: string,
  comuneValue: unknown,
  choices: Option[] = [],
) {
  const sectors = await listSectors(db, NACE_VERSION);
  const sections = sectors
    .filter((s) => s.level === 'section')
    .map((s) => ({
      label: `${s.code} — ${localName(s, lang)}`,
      options: sectors
        .filter((d) => d.parent_code === s.code)
        .map((d) => ({ value: d.code, label: `${d.code} — ${localName(d, lang)}` })),
    }));
  return { sections, comune: await comuneField(db, lang, comuneValue, choices) };
}

/** The firm's sector as a reader names it: "28 — Fabbricazione di macchinari…", with its section. */
export async function sectorNames(
  db: Executor,
  firm: Pick<FirmProfile, 'naceSection' | 'naceDivision'>,
  lang: string,
) {
  const codes = [firm.naceSection, firm.naceDivision].filter((c): c is string => !!c);
  if (!codes.length) return null;
  const rows = await findSectors(db, NACE_VERSION, codes);
  const label = (level: string, code: string | null) => {
    const row = rows.find((r) => r.level === level && r.code === code);
    return row ? `${row.code} — ${localName(row, lang)}` : code;
  };
  return {
    section: label('section', firm.naceSection),
    division: label('division', firm.naceDivision),
  };
}
