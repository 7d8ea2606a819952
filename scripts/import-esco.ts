import { escoCollection, importEsco } from '../src/modules/reference/importers/esco';
import { runImportCli } from '../src/modules/reference/importers/cli';

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
    const guess = escoCollection(file);
    const language = v.language ?? guess.language;
    return importEsco(db, file, {
      area: { code: v.area ?? guess.area.code, name: v['area-name'] ?? guess.area.name },
      language,
      version: v.version,
      validFrom: v.date,
      onProgress,
    });
  },
);
