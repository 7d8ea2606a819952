import type { Executor } from '../../db';
import { listCurrentTerritories, localName } from '../reference/territories.repository';
import { findSectors, listSectors } from './firms.repository';
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

/** The pickers of the profile form: NACE divisions grouped by section, and the comuni. */
export async function profileFormOptions(db: Executor, lang: string) {
  const sectors = await listSectors(db, NACE_VERSION);
  const sections = sectors
    .filter((s) => s.level === 'section')
    .map((s) => ({
      label: `${s.code} — ${localName(s, lang)}`,
      options: sectors
        .filter((d) => d.parent_code === s.code)
        .map((d) => ({ value: d.code, label: `${d.code} — ${localName(d, lang)}` })),
    }));
  return { sections, comuni: await comuneOptions(db, lang) };
}

/** The comuni a firm may name as its main site, at registration and in its profile. */
export async function comuneOptions(db: Executor, lang: string): Promise<Option[]> {
  const collator = new Intl.Collator(lang);
  return (await listCurrentTerritories(db, ['LAU']))
    .map((t) => ({ value: t.code, label: `${localName(t, lang)} (${t.code})` }))
    .sort((a, b) => collator.compare(a.label, b.label));
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
