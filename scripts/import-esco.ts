import path from 'node:path';
import { importEsco } from '../src/modules/reference/importers/esco';
import { runImportCli } from '../src/modules/reference/importers/cli';

// digitalSkillsCollection_en.csv → area ESCO-DIGITAL, labels in English, unless told otherwise.
function areaFor(file: string): { code: string; name: string } {
  const m = /^([a-zA-Z]+?)(?:SkillsCollection)?_[a-z]{2}\.csv$/.exec(path.basename(file));
  const stem = m ? m[1]! : 'esco';
  return { code: `ESCO-${stem.toUpperCase()}`.slice(0, 40), name: `ESCO ${stem} skills` };
}

void runImportCli(
  'npm run import:esco -- FILE [--area CODE] [--area-name NAME] [--language en] [--version ESCO1.2.0] [--date YYYY-MM-DD]',
  {
    area: { type: 'string' },
    'area-name': { type: 'string' },
    language: { type: 'string' },
    version: { type: 'string' },
    date: { type: 'string' },
  },
  (db, file, v, onProgress) => {
    const guess = areaFor(file);
    const language = v.language ?? /_([a-z]{2})\.csv$/.exec(file)?.[1] ?? 'en';
    return importEsco(db, file, {
      area: { code: v.area ?? guess.code, name: v['area-name'] ?? guess.name },
      language,
      version: v.version,
      validFrom: v.date,
      onProgress,
    });
  },
);
