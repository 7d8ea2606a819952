import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  writeIstatFile,
  type IstatLayout,
  type SampleComune,
} from '../../src/modules/reference/importers/istat-sample';

export const SHARED = path.resolve(__dirname, '../../../shared/data');
export const OFFICIAL_ISTAT = path.join(SHARED, 'territories/official/Elenco-comuni-italiani.csv');
export const ISTAT_SNAKE = path.join(SHARED, 'territories/it_comuni_istat_2025.csv');
export const NUTS_2021 = path.join(SHARED, 'territories/nuts_2021.csv');
export const NUTS_2024 = path.join(SHARED, 'territories/nuts_2024.csv');
export const ESCO_DIGITAL = path.join(SHARED, 'skills/esco_v1_2_0/digitalSkillsCollection_en.csv');
export const ESCO_HIERARCHY = path.join(SHARED, 'skills/esco_v1_2_0/skillsHierarchy_en.csv');

/** True when the file exists; otherwise says why the tests that need it are skipped. */
export function available(file: string): boolean {
  if (fs.existsSync(file)) return true;
  console.warn(`skipped: ${file} is not there (see ../shared/data/README.md)`);
  return false;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'patto-ref-'));
}

// The ISTAT layout lives with the importer, shared with scripts/bench-import.ts.
export { ISTAT_HEADER, istatRow } from '../../src/modules/reference/importers/istat-sample';
export type { SampleComune as Comune } from '../../src/modules/reference/importers/istat-sample';

/** Writes an ISTAT-layout file: Windows-1252 and CRLF unless told otherwise. */
export function writeIstat(
  dir: string,
  name: string,
  rows: (SampleComune | string)[],
  encoding: 'win1252' | 'utf8' = 'win1252',
  layout: IstatLayout = '2025',
): string {
  const file = path.join(dir, name);
  writeIstatFile(file, rows, { encoding, layout });
  return file;
}
