import { sql } from 'kysely';
import type { Executor } from '../../db';

/** The territory and its ancestors, root first. */
export async function territoryPath(db: Executor, code: string) {
  const { rows } = await sql<{
    code: string;
    level: string;
    name: string;
    names: Record<string, string>;
    depth: number;
  }>`
    WITH RECURSIVE up(code, level, name, names, parent_code, depth) AS (
      SELECT code, level, name, names, parent_code, 0 FROM territories WHERE code = ${code}
      UNION ALL
      SELECT t.code, t.level, t.name, t.names, t.parent_code, up.depth + 1
      FROM territories t JOIN up ON t.code = up.parent_code
    ) SELECT code, level, name, names, depth FROM up ORDER BY depth DESC`.execute(db);
  return rows;
}

export function findCurrentTerritory(db: Executor, code: string) {
  return db
    .selectFrom('territories')
    .selectAll()
    .where('code', '=', code)
    .where('valid_to', 'is', null)
    .executeTakeFirst();
}

/** Current territories of the given levels, for pickers, ordered by name. */
export function listCurrentTerritories(db: Executor, levels: string[]) {
  return db
    .selectFrom('territories')
    .select(['code', 'level', 'name', 'names', 'parent_code'])
    .where('level', 'in', levels as never)
    .where('valid_to', 'is', null)
    .orderBy('name')
    .execute();
}

export function localName(
  t: { name: string; names: Record<string, string> },
  lang: string,
): string {
  return t.names?.[lang] ?? t.name;
}
