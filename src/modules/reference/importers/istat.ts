import { sql } from 'kysely';
import type { Db, Tx } from '../../../db';
import { openColumns, SourceError, type ImportSource } from './csv-source';
import {
  BATCH_SIZE,
  ErrorList,
  ISO_DATE,
  Rollback,
  WriteQueue,
  doubleEncodedCell,
  formulaCell,
  today,
  type ImportOptions,
  type ImportReport,
} from './report';
import { rowError } from './row-problems';
import { TerritoryWriter, type Incoming } from './territory-writer';

export interface IstatOptions extends ImportOptions {
  /** The date the list takes effect: new names, new comuni and closures are dated with it. */
  validFrom?: string;
  /** Classification version stored with each changed code; default ISTAT + the year. */
  version?: string;
}

const NUTS2021_FROM = '2021-01-01';
const NUTS2024_FROM = '2024-01-01';

// The ISTAT headers as published, and the snake_case names of the README copy.
const FIELDS = {
  code: { names: ['codice comune formato alfanumerico', 'codice_comune'], required: true },
  name: { names: ['denominazione (italiana e straniera)', 'denominazione'], required: true },
  nameIt: { names: ['denominazione in italiano', 'denominazione_it'], required: false },
  nameOther: {
    names: ['denominazione altra lingua', 'denominazione_altra_lingua'],
    required: false,
  },
  region: { names: ['codice regione', 'codice_regione'], required: false },
  cadastral: { names: ['codice catastale del comune', 'codice_catastale'], required: false },
  nuts3of2021: { names: ['codice nuts3 2021', 'nuts3_2021'], required: false },
  nuts3of2024: { names: ['codice nuts3 2024', 'nuts3_2024'], required: true },
  previous: {
    names: ['codice comune numerico con 107 province (dal 2017 al 2025)'],
    required: false,
  },
};

// The second official language of a comune's name, by region: Valle d'Aosta, Trentino-Alto
// Adige, Friuli-Venezia Giulia.
const OTHER_LANGUAGE: Record<string, string> = { '02': 'fr', '04': 'de', '06': 'sl' };

/** Imports ISTAT's "Elenco dei comuni italiani" (LAU level, parent = NUTS-3 2024). */
export async function importIstatComuni(
  db: Db,
  source: ImportSource,
  options: IstatOptions = {},
): Promise<ImportReport> {
  const date = options.validFrom ?? today();
  const version = options.version ?? `ISTAT${date.slice(0, 4)}`;
  const report: ImportReport = {
    rows: 0,
    inserted: 0,
    updated: 0,
    closed: 0,
    linked: 0,
    errors: [],
    encoding: null,
  };
  if (!ISO_DATE.test(date)) return { ...report, errors: [rowError(0, 'badDate', { date })] };

  const opened = await openColumns(source, FIELDS);
  if ('errors' in opened) return { ...report, errors: opened.errors };
  const { file, col } = opened;

  const errors = new ErrorList();
  // ISTAT codes are six digits: the line each code was first seen on, by its numeric value.
  const seen = new Int32Array(1_000_000);
  const renumbered: { old_code: string; new_code: string }[] = [];
  const cell = (cells: string[], i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '');

  try {
    return await db.transaction().execute(async (tx) => {
      const nuts3 = new Set(
        (
          await tx.selectFrom('territories').select('code').where('level', '=', 'NUTS3').execute()
        ).map((r) => r.code),
      );
      const writer = await TerritoryWriter.open(tx, version, date);
      let batch: Incoming[] = [];
      const writes = new WriteQueue();
      const flush = async () => {
        const rows = batch;
        if (!errors.any) await writes.push(() => writer.apply(rows));
        batch = [];
        options.onProgress?.(report.rows);
      };

      // Every write done before the checks below; none left running if an error leaves.
      await writes.guard(async () => {
        for await (const records of file.batches) {
          for (const { line, cells } of records) {
            report.rows++;
            if (cells.length !== file.header.length) {
              errors.add(line, 'cellCount', {
                expected: file.header.length,
                found: cells.length,
              });
              continue;
            }
            const formula = formulaCell(cells, file.header);
            if (formula) errors.add(line, 'formula', formula);
            const twice = doubleEncodedCell(cells, file.header);
            if (twice) errors.add(line, 'doubleEncoded', twice);
            const code = cell(cells, col.code);
            if (!/^\d{6}$/.test(code)) {
              errors.add(line, /^\d{1,5}$/.test(code) ? 'istatLeadingZeros' : 'istatCode', {
                code,
              });
              continue;
            }
            const first = seen[Number(code)]!;
            if (first) errors.add(line, 'duplicate', { code, first });
            else seen[Number(code)] = line;
            const name = cell(cells, col.name);
            if (name.length < 1 || name.length > 200) errors.add(line, 'nameLength', { max: 200 });
            const parent = cell(cells, col.nuts3of2024);
            if (!nuts3.has(parent)) errors.add(line, 'unknownNuts3', { code: parent });
            const before = cell(cells, col.nuts3of2021);
            if (before && before !== parent && !nuts3.has(before))
              errors.add(line, 'unknownNuts3of2021', { code: before });
            const cadastral = cell(cells, col.cadastral);
            if (cadastral && !/^[A-Z]\d{3}$/.test(cadastral))
              errors.add(line, 'cadastral', { code: cadastral });
            const previous = cell(cells, col.previous);
            if (previous && /^\d{1,6}$/.test(previous) && previous.padStart(6, '0') !== code) {
              renumbered.push({ old_code: previous.padStart(6, '0'), new_code: code });
            }
            if (errors.any) continue;

            const names: Record<string, string> = { it: cell(cells, col.nameIt) || name };
            const other = cell(cells, col.nameOther);
            const lang = OTHER_LANGUAGE[cell(cells, col.region)];
            if (other && lang) names[lang] = other;
            batch.push({
              code,
              level: 'LAU',
              parent_code: parent,
              name,
              names,
              cadastral_code: cadastral || null,
              prior:
                before && before !== parent
                  ? {
                      from: date < NUTS2021_FROM ? date : NUTS2021_FROM,
                      until: NUTS2024_FROM,
                      parent_code: before,
                      version: 'NUTS2021',
                      nextVersion: 'NUTS2024',
                    }
                  : undefined,
            });
            if (batch.length >= BATCH_SIZE) await flush();
          }
        }
        await flush();
      });
      if (report.rows === 0) errors.add(file.headerLine, 'noRows');
      if (errors.any) throw new Rollback();

      await writer.closeMissing('LAU-IT', (c) => /^\d{6}$/.test(c) && seen[Number(c)]! > 0);
      report.linked = await linkSuccessors(tx, date, renumbered, writer.closedCodes);
      return {
        ...report,
        inserted: writer.inserted,
        updated: writer.updated,
        closed: writer.closed,
        encoding: file.encoding(),
      };
    });
  } catch (err) {
    if (err instanceof Rollback)
      return { ...report, linked: 0, errors: errors.list(), encoding: file.encoding() };
    if (err instanceof SourceError) {
      return {
        ...report,
        linked: 0,
        errors: [...errors.list(), { line: err.line, message: err.message, code: err.code }],
        encoding: file.encoding(),
      };
    }
    throw err;
  }
}

/** Links renumbered comuni: through the file's previous-code column, else the cadastral code. */
async function linkSuccessors(
  tx: Tx,
  date: string,
  pairs: { old_code: string; new_code: string }[],
  closed: string[],
): Promise<number> {
  let linked = 0;
  if (pairs.length) {
    const res = await sql`
      INSERT INTO territory_successors (old_code, new_code, since, kind)
      SELECT x.old_code, x.new_code, ${date}::date, 'renumbered'
      FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS x(old_code text, new_code text)
      WHERE EXISTS (SELECT 1 FROM territories t WHERE t.code = x.old_code)
      ON CONFLICT DO NOTHING`.execute(tx);
    linked += Number(res.numAffectedRows ?? 0);
  }
  if (closed.length === 0) return linked;
  // Starts from the few codes closed now, so the join stays an index lookup per code.
  const res = await sql`
    INSERT INTO territory_successors (old_code, new_code, since, kind)
    SELECT o.code, n.code, ${date}::date, 'renumbered'
    FROM territories o
    JOIN territories n ON n.cadastral_code = o.cadastral_code AND n.code <> o.code
    WHERE o.code = ANY(${closed}::text[]) AND n.level = 'LAU'
      AND n.valid_to IS NULL AND n.valid_from = ${date}::date
    ON CONFLICT DO NOTHING`.execute(tx);
  return linked + Number(res.numAffectedRows ?? 0);
}
