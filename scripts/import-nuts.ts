import { importNuts } from '../src/modules/reference/importers/nuts';
import { runImportCli } from '../src/modules/reference/importers/cli';

// npm run import:nuts -- nuts_2024.csv --version NUTS2024 [--date 2024-01-01]
// The file may be CSV or XLSX (Eurostat publishes both; an .xlsx name must be a workbook).
void runImportCli(
  'npm run import:nuts -- FILE.csv|FILE.xlsx --version NUTS2024 [--date YYYY-MM-DD]',
  { version: { type: 'string', required: true }, date: { type: 'string' } },
  (db, file, v, onProgress) =>
    importNuts(db, file, { version: v.version ?? '', validFrom: v.date, onProgress }),
);
