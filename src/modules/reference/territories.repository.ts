import { sql } from 'kysely';
import type { Executor } from '../../db';

/** A territory and its ancestors, the root first (from the closure table: one indexed join). */
export async function territoryPath(db: Executor, code: string) {
  const { rows } = await sql<{
    code: string;
    level: string;
    name: string;
    names: Record<string, string>;
    depth: number;
  }>`
    SELECT t.code, t.level, t.name, t.names, a.depth
    FROM territory_ancestors a JOIN territories t ON t.code = a.ancestor_code
    WHERE a.code = ${code}
    ORDER BY a.depth DESC`.execute(db);
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

/** A territory by code, current or not (a link may name a code since replaced); undefined if none. */
export function findTerritory(db: Executor, code: string) {
  return db
    .selectFrom('territories')
    .select(['code', 'level', 'name', 'names'])
    .where('code', '=', code)
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
