import path from 'node:path';
import { sql } from 'kysely';
import type { Db, Tx } from '../../../db';
import { openColumns, SourceError, type ImportSource } from './csv-source';
import {
  BATCH_SIZE,
  ErrorList,
  ISO_DATE,
  Rollback,
  doubleEncodedCell,
  formulaCell,
  today,
  type ImportOptions,
  type ImportReport,
} from './report';
import { rowError } from './row-problems';

export interface EscoOptions extends ImportOptions {
  /** The skill area the collection goes into, created when missing. */
  area?: { code: string; name: string };
  /** Language of the labels in the file (ESCO publishes one file per language). */
  language?: string;
  version?: string;
  validFrom?: string;
}

/**
 * The area and language of an ESCO collection, from the name ESCO gives its file:
 * digitalSkillsCollection_en.csv → area ESCO-DIGITAL, labels in English. Each collection keeps
 * its own area, since importing one closes the skills of its area that the file does not list.
 */
export function escoCollection(fileName: string): {
  area: { code: string; name: string };
  language: string;
} {
  const base = path.basename(fileName);
  const m = /^([a-zA-Z]+?)(?:SkillsCollection)?_[a-z]{2}\.csv$/.exec(base);
  const stem = m ? m[1]! : 'esco';
  return {
    area: { code: `ESCO-${stem.toUpperCase()}`.slice(0, 40), name: `ESCO ${stem} skills` },
    language: /_([a-z]{2})\.csv$/.exec(base)?.[1] ?? 'en',
  };
}

const FIELDS = {
  uri: { names: ['concepturi'], required: true },
  label: { names: ['preferredlabel'], required: true },
  description: { names: ['description'], required: false },
};

const SKILL_URI = /^http:\/\/data\.europa\.eu\/esco\/skill\/([0-9a-f-]{36})$/;

interface Skill {
  code: string;
  name: string;
  names: Record<string, string>;
  description: string | null;
  esco_uri: string;
}

/**
 * Imports an ESCO skills collection CSV into one skill area. A skill is identified by its ESCO
 * URI; one that the file no longer lists is closed (valid_to), never deleted.
 */
export async function importEsco(
  db: Db,
  source: ImportSource,
  options: EscoOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    rows: 0,
    inserted: 0,
    updated: 0,
    closed: 0,
    linked: 0,
    errors: [],
    encoding: null,
  };
  const area = options.area ?? { code: 'ESCO', name: 'ESCO skills' };
  const language = options.language ?? 'en';
  const version = options.version ?? 'ESCO1.2.0';
  const date = options.validFrom ?? today();
  if (!ISO_DATE.test(date)) return { ...report, errors: [rowError(0, 'badDate', { date })] };
  if (!/^[A-Z0-9][A-Z0-9._-]{0,39}$/.test(area.code))
    return { ...report, errors: [rowError(0, 'badArea', { area: area.code })] };
  const opened = await openColumns(source, FIELDS);
  if ('errors' in opened) return { ...report, errors: opened.errors };
  const { file, col } = opened;

  const errors = new ErrorList();
  const seen = new Map<string, number>();
  let inserted = 0;
  let updated = 0;
  const cell = (cells: string[], i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '');

  try {
    return await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('skill_areas')
        .values({
          code: area.code,
          framework: 'esco',
          name: area.name,
          names: JSON.stringify({ [language]: area.name }),
          version,
        })
        .onConflict((c) => c.doNothing())
        .execute();
      let batch: Skill[] = [];
      const flush = async () => {
        if (!errors.any && batch.length) {
          const r = await applySkills(tx, batch, area.code, version, date);
          inserted += r.inserted;
          updated += r.updated;
        }
        batch = [];
        options.onProgress?.(report.rows);
      };
      for await (const records of file.batches) {
        for (const { line, cells } of records) {
          report.rows++;
          // Fewer cells than the header: the file was cut in mid-row (a download broken off), and
          // importing the rest would close every code after it.
          if (cells.length < file.header.length) {
            errors.add(line, 'cellCount', { expected: file.header.length, found: cells.length });
            continue;
          }
          const formula = formulaCell(cells, file.header);
          if (formula) errors.add(line, 'formula', formula);
          const twice = doubleEncodedCell(cells, file.header);
          if (twice) errors.add(line, 'doubleEncoded', twice);
          const uri = cell(cells, col.uri);
          const match = SKILL_URI.exec(uri);
          if (!match) {
            errors.add(line, 'escoUri', { uri: uri.slice(0, 80) });
            continue;
          }
          const first = seen.get(uri);
          if (first) errors.add(line, 'duplicateConcept', { uri, first });
          else seen.set(uri, line);
          const name = cell(cells, col.label);
          if (name.length < 1 || name.length > 300) errors.add(line, 'labelLength', { max: 300 });
          const description = cell(cells, col.description);
          if (description.length > 4000) errors.add(line, 'descriptionLength', { max: 4000 });
          if (errors.any) continue;
          batch.push({
            code: `ESCO-${match[1]}`,
            name,
            names: { [language]: name },
            description: description || null,
            esco_uri: uri,
          });
          if (batch.length >= BATCH_SIZE) await flush();
        }
      }
      await flush();
      if (report.rows === 0) errors.add(file.headerLine, 'noRows');
      if (errors.any) throw new Rollback();
      const closed = await closeMissing(tx, area.code, date, seen);
      return { ...report, inserted, updated, closed, encoding: file.encoding() };
    });
  } catch (err) {
    if (err instanceof Rollback)
      return { ...report, errors: errors.list(), encoding: file.encoding() };
    if (err instanceof SourceError) {
      return {
        ...report,
        errors: [...errors.list(), { line: err.line, message: err.message, code: err.code }],
        encoding: file.encoding(),
      };
    }
    throw err;
  }
}

async function applySkills(
  tx: Tx,
  batch: Skill[],
  areaCode: string,
  version: string,
  date: string,
) {
  const current = new Map(
    (
      await tx
        .selectFrom('skills')
        .select(['code', 'area_code', 'name', 'names', 'description', 'esco_uri', 'valid_to'])
        .where(
          'esco_uri',
          'in',
          batch.map((s) => s.esco_uri),
        )
        .execute()
    ).map((r) => [r.esco_uri!, r]),
  );
  const fresh: Skill[] = [];
  const changed: (Skill & { code: string })[] = [];
  for (const s of batch) {
    const cur = current.get(s.esco_uri);
    if (!cur) {
      fresh.push(s);
      continue;
    }
    // A concept another framework already holds (a DigComp competence) stays where it is.
    if (cur.area_code !== areaCode) continue;
    const names = { ...cur.names, ...s.names };
    const reopen = cur.valid_to !== null && cur.valid_to <= date;
    const differs =
      cur.name !== s.name ||
      cur.description !== s.description ||
      JSON.stringify(names) !== JSON.stringify(cur.names);
    if (reopen || (cur.valid_to === null && differs)) changed.push({ ...s, code: cur.code, names });
  }
  if (fresh.length) {
    await sql`
      INSERT INTO skills (code, area_code, name, names, description, esco_uri, version, valid_from)
      SELECT code, ${areaCode}, name, names, description, esco_uri, ${version}, ${date}::date
      FROM jsonb_to_recordset(${JSON.stringify(fresh)}::jsonb) AS x(code text, name text, names jsonb,
        description text, esco_uri text)`.execute(tx);
  }
  if (changed.length) {
    await sql`
      UPDATE skills s SET name = x.name, names = x.names, description = x.description,
        version = ${version}, valid_to = NULL
      FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS x(code text, name text, names jsonb,
        description text)
      WHERE s.code = x.code`.execute(tx);
  }
  return { inserted: fresh.length, updated: changed.length };
}

async function closeMissing(
  tx: Tx,
  areaCode: string,
  date: string,
  seen: Map<string, number>,
): Promise<number> {
  const open = await tx
    .selectFrom('skills')
    .select(['code', 'esco_uri'])
    .where('area_code', '=', areaCode)
    .where('valid_to', 'is', null)
    .where('valid_from', '<', date)
    .execute();
  const gone = open.filter((s) => !s.esco_uri || !seen.has(s.esco_uri)).map((s) => s.code);
  if (gone.length) {
    await tx.updateTable('skills').set({ valid_to: date }).where('code', 'in', gone).execute();
  }
  return gone.length;
}
