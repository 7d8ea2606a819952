import { importIstatComuni } from '../src/modules/reference/importers/istat';
import { runImportCli } from '../src/modules/reference/importers/cli';

// npm run import:territories -- Elenco-comuni-italiani.csv [--date 2025-06-30] [--version ISTAT2025]
void runImportCli(
  'npm run import:territories -- FILE [--date YYYY-MM-DD] [--version ISTAT2025]',
  { date: { type: 'string' }, version: { type: 'string' } },
  (db, file, v, onProgress) =>
    importIstatComuni(db, file, { validFrom: v.date, version: v.version, onProgress }),
);
