import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Db } from '../../db';

/** The small reference set shipped in the repository (see reference/*.csv). */
export const BUILTIN_DIR = path.resolve(__dirname, '../../../reference');

type Row = Record<string, string>;

function readCsv(file: string): Row[] {
  return parse(fs.readFileSync(path.join(BUILTIN_DIR, file), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Row[];
}

const orNull = (v: string | undefined): string | null => (v ? v : null);
const names = (r: Row): string => JSON.stringify({ it: r.name_it, en: r.name_en });

/**
 * Loads the built-in set. Idempotent: rows already present are left alone (ON CONFLICT DO
 * NOTHING), so an importer's newer data or history is never overwritten at the next start.
 */
export async function loadBuiltinReference(db: Db): Promise<{ inserted: number }> {
  return db.transaction().execute(async (tx) => {
    let inserted = 0;
    const count = (n: number | bigint | undefined) => {
      inserted += Number(n ?? 0);
    };

    const territories = readCsv('territories.csv').map((r) => ({
      code: r.code,
      level: r.level,
      parent_code: orNull(r.parent_code),
      name: r.name,
      names: JSON.parse(names(r)) as unknown,
      version: r.version,
      valid_from: r.valid_from,
      cadastral_code: orNull(r.cadastral_code),
    }));
    const added = await sql<{ code: string }>`
      INSERT INTO territories (code, level, parent_code, name, names, version, valid_from, cadastral_code)
      SELECT code, level, parent_code, name, names, version, valid_from, cadastral_code
      FROM jsonb_to_recordset(${JSON.stringify(territories)}::jsonb) AS x(
        code text, level text, parent_code text, name text, names jsonb, version text,
        valid_from date, cadastral_code text)
      ON CONFLICT DO NOTHING
      RETURNING code`.execute(tx);
    count(added.rows.length);

    // History only for the territories inserted now: one that already existed has its own.
    const fresh = new Set(added.rows.map((r) => r.code));
    const past = readCsv('territory_versions.csv').filter((r) => fresh.has(r.code ?? ''));
    const lastEnd = new Map<string, string>();
    for (const p of past) {
      if (p.valid_to! > (lastEnd.get(p.code!) ?? '')) lastEnd.set(p.code!, p.valid_to!);
    }
    const versions = [
      ...past.map((p) => ({ ...p, parent_code: orNull(p.parent_code), names: {} })),
      ...territories
        .filter((t) => fresh.has(t.code!))
        .map((t) => ({
          code: t.code,
          valid_from: lastEnd.get(t.code!) ?? t.valid_from,
          valid_to: null,
          version: t.version,
          level: t.level,
          parent_code: t.parent_code,
          name: t.name,
          names: t.names,
        })),
    ];
    if (versions.length > 0) {
      const res = await sql`
        INSERT INTO territory_versions (code, valid_from, valid_to, version, level, parent_code, name, names)
        SELECT code, valid_from, valid_to, version, level, parent_code, name, names
        FROM jsonb_to_recordset(${JSON.stringify(versions)}::jsonb) AS x(
          code text, valid_from date, valid_to date, version text, level text, parent_code text,
          name text, names jsonb)
        ON CONFLICT DO NOTHING`.execute(tx);
      count(res.numAffectedRows);
    }

    const sectors = readCsv('sectors.csv').map((r) => ({
      version: r.version as 'NACE2' | 'NACE2.1',
      code: r.code!,
      level: r.level as 'section' | 'division',
      parent_code: orNull(r.parent_code),
      name: r.name_en!,
      names: names(r),
      ateco_version: r.ateco_version as 'ATECO2007' | 'ATECO2025',
      position: Number(r.position),
    }));
    count(
      (
        await tx
          .insertInto('sectors')
          .values(sectors)
          // Only this file writes sectors: a corrected label here reaches databases loaded before.
          .onConflict((c) =>
            c
              .columns(['version', 'code'])
              .doUpdateSet((eb) => ({
                name: eb.ref('excluded.name'),
                names: eb.ref('excluded.names'),
              }))
              .where((eb) =>
                eb.or([
                  eb('sectors.name', 'is distinct from', eb.ref('excluded.name')),
                  eb('sectors.names', 'is distinct from', eb.ref('excluded.names')),
                ]),
              ),
          )
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows,
    );

    const areas = readCsv('skill_areas.csv').map((r) => ({
      code: r.code!,
      framework: r.framework as 'formazione40' | 'digcomp',
      name: r.name_en!,
      names: names(r),
      esco_uri: orNull(r.esco_uri),
      version: r.version!,
      position: Number(r.position),
    }));
    count(
      (
        await tx
          .insertInto('skill_areas')
          .values(areas)
          .onConflict((c) => c.doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows,
    );

    const skills = readCsv('skills.csv').map((r) => ({
      code: r.code!,
      area_code: r.area_code!,
      name: r.name_en!,
      names: names(r),
      esco_uri: orNull(r.esco_uri),
      version: r.version!,
      position: Number(r.position),
    }));
    count(
      (
        await tx
          .insertInto('skills')
          .values(skills)
          .onConflict((c) => c.doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows,
    );

    const occupations = readCsv('occupations.csv').map((r) => ({
      code: r.code!,
      level: r.level as 'major' | 'sub-major',
      parent_code: orNull(r.parent_code),
      name: r.name_en!,
      names: names(r),
      esco_uri: orNull(r.esco_uri),
    }));
    count(
      (
        await tx
          .insertInto('occupations')
          .values(occupations)
          .onConflict((c) => c.doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows,
    );

    const eqf = readCsv('eqf_levels.csv').map((r) => ({
      level: Number(r.level),
      descriptor: JSON.stringify({ it: r.descriptor_it, en: r.descriptor_en }),
      knowledge: r.knowledge!,
      skills: r.skills!,
      responsibility_autonomy: r.responsibility_autonomy!,
    }));
    count(
      (
        await tx
          .insertInto('eqf_levels')
          .values(eqf)
          .onConflict((c) => c.doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows,
    );

    return { inserted };
  });
}
