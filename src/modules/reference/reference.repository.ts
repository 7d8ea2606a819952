import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { TerritoryLevel } from '../../db/database';
import { containsPattern } from '../../db/like';

export const PAGE_LIMIT = 200;

export interface TerritoryFilter {
  level?: TerritoryLevel;
  parent?: string;
  q?: string;
  includeClosed?: boolean;
}

function territoriesWhere(db: Executor, f: TerritoryFilter) {
  let q = db.selectFrom('territories');
  if (!f.includeClosed) q = q.where('valid_to', 'is', null);
  if (f.level) q = q.where('level', '=', f.level);
  if (f.parent) q = q.where('parent_code', '=', f.parent);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) =>
      eb.or([
        eb('code', 'ilike', pattern),
        eb('name', 'ilike', pattern),
        eb(sql<string>`names->>'it'`, 'ilike', pattern),
        eb(sql<string>`names->>'en'`, 'ilike', pattern),
      ]),
    );
  }
  return q;
}

/**
 * Territories by level, parent and a search on code or any language's name: a page of `limit`
 * from `offset`, or all of them with `limit: null` (the children of one territory).
 */
export function searchTerritories(
  db: Executor,
  f: TerritoryFilter,
  page: { limit: number | null; offset?: number } = { limit: PAGE_LIMIT },
) {
  let q = territoriesWhere(db, f)
    .select(['code', 'level', 'parent_code', 'name', 'names', 'valid_from', 'valid_to'])
    .orderBy('level')
    .orderBy('code');
  if (page.limit !== null) q = q.limit(page.limit).offset(page.offset ?? 0);
  return q.execute();
}

export async function countTerritories(db: Executor, f: TerritoryFilter): Promise<number> {
  const row = await territoriesWhere(db, f)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findTerritory(db: Executor, code: string) {
  return db
    .selectFrom('territories')
    .select(['code', 'level', 'parent_code', 'name', 'names', 'version', 'valid_from', 'valid_to'])
    .where('code', '=', code)
    .executeTakeFirst();
}

export function countChildren(db: Executor, codes: string[]) {
  if (!codes.length) return Promise.resolve([]);
  return db
    .selectFrom('territories')
    .select(['parent_code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('parent_code', 'in', codes)
    .where('valid_to', 'is', null)
    .groupBy('parent_code')
    .execute();
}

export function listSkillAreas(db: Executor) {
  return db.selectFrom('skill_areas').selectAll().orderBy('position').orderBy('code').execute();
}

export const SKILLS_PAGE = 1000;

function skillsWhere(db: Executor, f: { area?: string; q?: string }) {
  let q = db.selectFrom('skills').where('valid_to', 'is', null);
  if (f.area) q = q.where('area_code', '=', f.area);
  if (f.q) {
    const pattern = containsPattern(f.q);
    q = q.where((eb) =>
      eb.or([
        eb('code', 'ilike', pattern),
        eb('name', 'ilike', pattern),
        eb(sql<string>`names->>'it'`, 'ilike', pattern),
        eb(sql<string>`names->>'en'`, 'ilike', pattern),
      ]),
    );
  }
  return q;
}

export function searchSkills(db: Executor, f: { area?: string; q?: string }, offset = 0) {
  return skillsWhere(db, f)
    .select(['code', 'area_code', 'name', 'names', 'esco_uri', 'description'])
    .orderBy('area_code')
    .orderBy('position')
    .orderBy('code')
    .limit(SKILLS_PAGE)
    .offset(offset)
    .execute();
}

export async function countSkills(db: Executor, f: { area?: string; q?: string }): Promise<number> {
  const row = await skillsWhere(db, f)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listSectors(db: Executor, version = 'NACE2') {
  return db
    .selectFrom('sectors')
    .select(['code', 'level', 'parent_code', 'name', 'names', 'version'])
    .where('version', '=', version as never)
    .orderBy('position')
    .execute();
}

export function listOccupations(db: Executor) {
  return db
    .selectFrom('occupations')
    .select(['code', 'level', 'parent_code', 'name', 'names', 'esco_uri'])
    .orderBy('code')
    .execute();
}
