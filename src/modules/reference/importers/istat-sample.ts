import fs from 'node:fs';
import iconv from 'iconv-lite';

// Files in ISTAT's published layout of "Elenco dei comuni italiani", for the tests' fixtures and
// the import benchmark (one generator, so both exercise the same layout the importer reads).

const COLUMNS_BEFORE = [
  'Codice Regione',
  // Two headers are quoted and span two lines, as ISTAT publishes them.
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
];
// Added by the lists published after the Sardinian renumbering (2025/26): each comune's code
// before it, unpadded ("90003" for Alghero, now 112001).
const PREVIOUS_CODE = 'Codice Comune numerico con 107 Province (dal 2017 al 2025)';
const COLUMNS_AFTER = [
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
];

/** 2025: the list as it stood before the renumbering; 2026: with the previous-code column. */
export type IstatLayout = '2025' | '2026';

export function istatHeader(layout: IstatLayout = '2025'): string {
  const previous = layout === '2026' ? [PREVIOUS_CODE] : [];
  return [...COLUMNS_BEFORE, ...previous, ...COLUMNS_AFTER].join(';');
}

/** The header of the list before the renumbering (the files in ../shared/data). */
export const ISTAT_HEADER = istatHeader('2025');

export interface SampleComune {
  code: string;
  name: string;
  /** NUTS-3 2024 parent; default ITI14 (Firenze). */
  nuts3?: string;
  /** NUTS-3 2021, when it differs from 2024. */
  nuts3of2021?: string;
  cadastral?: string;
  /** The code before the 2025/26 renumbering (2026 layout); default the code itself. */
  previous?: string;
  /** Region, UTS (province) and their names; default Toscana, Città metropolitana di Firenze. */
  region?: string;
  regionName?: string;
  uts?: string;
  utsName?: string;
  /** Tipologia di UTS: 1 provincia … 3 città metropolitana. */
  utsType?: string;
  plate?: string;
}

const unpadded = (code: string) => String(Number(code));

/** One data line in the published layout (';', no quoting: sample names hold no ';'). */
export function istatRow(c: SampleComune, layout: IstatLayout = '2025'): string {
  const n3 = c.nuts3 ?? 'ITI14';
  const n3old = c.nuts3of2021 ?? n3;
  const n2 = n3.slice(0, 4);
  const n2old = n3old.slice(0, 4);
  const num = unpadded(c.code);
  const province = c.code.slice(0, 3);
  const previous = layout === '2026' ? [unpadded(c.previous ?? c.code)] : [];
  return [
    c.region ?? '09',
    c.uts ?? (c.region ? province : '248'),
    province,
    c.code.slice(3),
    c.code,
    c.name,
    c.name,
    '',
    c.region === '20' ? '5' : '3',
    c.region === '20' ? 'Isole' : 'Centro',
    c.regionName ?? 'Toscana',
    c.utsName ?? 'Firenze',
    c.utsType ?? '3',
    '0',
    c.plate ?? 'FI',
    num,
    ...previous,
    num,
    num,
    num,
    c.cadastral ?? '',
    n2old.slice(0, 3),
    n2old,
    n3old,
    n2.slice(0, 3),
    n2,
    n3,
  ].join(';');
}

/**
 * Writes a file in ISTAT's layout: Windows-1252 and CRLF unless told otherwise, a thousand
 * lines at a time so that a benchmark's 200,000 rows never sit in memory as one string.
 */
export function writeIstatFile(
  file: string,
  rows: Iterable<SampleComune | string>,
  options: { encoding?: 'win1252' | 'utf8'; layout?: IstatLayout } = {},
): void {
  const encoding = options.encoding ?? 'win1252';
  const out = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [istatHeader(options.layout)];
    const flush = () => {
      fs.writeSync(out, iconv.encode(chunk.map((l) => `${l}\r\n`).join(''), encoding));
      chunk = [];
    };
    for (const r of rows) {
      chunk.push(typeof r === 'string' ? r : istatRow(r, options.layout));
      if (chunk.length >= 1000) flush();
    }
    flush();
  } finally {
    fs.closeSync(out);
  }
}

const TUSCAN_PROVINCES = [
  'ITI11',
  'ITI12',
  'ITI13',
  'ITI14',
  'ITI15',
  'ITI16',
  'ITI17',
  'ITI18',
  'ITI19',
  'ITI1A',
];

/** `rows` made-up comuni 000001… spread over the ten Tuscan provinces (no cadastral code). */
export function* sampleComuni(rows: number): Generator<SampleComune> {
  for (let i = 1; i <= rows; i++) {
    yield {
      code: String(i).padStart(6, '0'),
      name: `Comune ${i} di Città`,
      nuts3: TUSCAN_PROVINCES[i % TUSCAN_PROVINCES.length]!,
    };
  }
}
