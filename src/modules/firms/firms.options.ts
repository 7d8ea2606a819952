import type { Executor } from '../../db';
import { listCurrentTerritories, localName } from '../reference/territories.repository';
import { listSectors } from './firms.repository';
import { NACE_VERSION } from './firms.service';

export interface Option {
  value: string;
  label: string;
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
  const comuni = (await listCurrentTerritories(db, ['LAU'])).map((t) => ({
    value: t.code,
    label: `${localName(t, lang)} (${t.code})`,
  }));
  return { sections, comuni };
}
