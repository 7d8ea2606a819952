import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';

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

// ISTAT's published header: ';', two quoted cells spanning two lines, footnote marks.
export const ISTAT_HEADER = [
  'Codice Regione',
  '"Codice dell\'Unità territoriale sovracomunale \n(valida a fini statistici)"',
  'Codice Provincia (Storico)(1)',
  'Progressivo del Comune (2)',
  'Codice Comune formato alfanumerico',
  'Denominazione (Italiana e straniera)',
  'Denominazione in italiano',
  'Denominazione altra lingua',
  'Codice Ripartizione Geografica',
  'Ripartizione geografica',
  'Denominazione Regione',
  '"Denominazione dell\'Unità territoriale sovracomunale \n(valida a fini statistici)"',
  'Tipologia di Unità territoriale sovracomunale ',
  'Flag Comune capoluogo di provincia/città metropolitana/libero consorzio',
  'Sigla automobilistica',
  'Codice Comune formato numerico',
  'Codice Comune numerico con 110 province (dal 2010 al 2016)',
  'Codice Comune numerico con 107 province (dal 2006 al 2009)',
  'Codice Comune numerico con 103 province (dal 1995 al 2005)',
  'Codice Catastale del comune',
  'Codice NUTS1 2021',
  'Codice NUTS2 2021 (3) ',
  'Codice NUTS3 2021',
  'Codice NUTS1 2024',
  'Codice NUTS2 2024 (3) ',
  'Codice NUTS3 2024',
].join(';');

export interface Comune {
  code: string;
  name: string;
  nuts3?: string;
  nuts3of2021?: string;
  cadastral?: string;
}

export function istatRow(c: Comune): string {
  const n3 = c.nuts3 ?? 'ITI14';
  const n3old = c.nuts3of2021 ?? n3;
  const num = String(Number(c.code));
  return [
    '09',
    '248',
    '048',
    c.code.slice(3),
    c.code,
    c.name,
    c.name,
    '',
    '3',
    'Centro',
    'Toscana',
    'Firenze',
    '3',
    '0',
    'FI',
    num,
    num,
    num,
    num,
    c.cadastral ?? '',
    'ITI',
    'ITI1',
    n3old,
    'ITI',
    'ITI1',
    n3,
  ].join(';');
}

/** Writes an ISTAT-layout file: Windows-1252 and CRLF unless told otherwise. */
export function writeIstat(
  dir: string,
  name: string,
  rows: (Comune | string)[],
  encoding: 'win1252' | 'utf8' = 'win1252',
): string {
  const text = [ISTAT_HEADER, ...rows.map((r) => (typeof r === 'string' ? r : istatRow(r)))]
    .map((l) => `${l}\r\n`)
    .join('');
  const file = path.join(dir, name);
  fs.writeFileSync(file, iconv.encode(text, encoding));
  return file;
}
