import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db';
import type { Database, TerritoryLevel } from '../../db/database';
import { containsPattern, startsPattern } from '../../db/like';

export const PAGE_LIMIT = 200;
/** Skills a page (the page and the API): an imported ESCO has about 14,000. */
export const SKILLS_PAGE = 1000;

// Names are searched without their accents, so "Forli" finds Forlì on any keyboard: the same
// letters are folded in SQL (translate, on PGlite too) and in the typed text.
const ACCENTED = 'àáâäãåèéêëìíîïòóôöõùúûüýÿçñ';
const PLAIN = 'aaaaaaeeeeiiiiooooouuuuyycn';
const fold = (text: string) =>
  [...text.toLowerCase()].map((c) => PLAIN[ACCENTED.indexOf(c)] ?? c).join('');
const folded = (expr: RawBuilder<string>) =>
  sql<string>`translate(lower(${expr}), ${ACCENTED}, ${PLAIN})`;

/** Code or a name in any language containing the typed text, accents aside. */
function nameOrCodeContains(
  eb: ExpressionBuilder<Database, 'territories' | 'skills' | 'skill_areas'>,
  q: string,
) {
  const pattern = containsPattern(fold(q));
  return eb.or([
    eb(sql<string>`code`, 'ilike', containsPattern(q)),
    eb(folded(sql`name`), 'like', pattern),
    eb(folded(sql`names->>'it'`), 'like', pattern),
    eb(folded(sql`names->>'en'`), 'like', pattern),
  ]);
}

/** The current comuni called `name` (accents and case aside), and those whose name holds it. */
export async function comuniByName(db: Executor, name: string, suggestions: number) {
  const text = fold(name.trim().replace(/\s+/g, ' '));
  const base = db
    .selectFrom('territories')
    .select(['code', 'name', 'names', 'parent_code'])
    .where('level', '=', 'LAU')
    .where('valid_to', 'is', null);
  // Its name in any language, as the reader may type it.
  const n = folded(sql`name`);
  const named = await base
    .where((eb) =>
      eb.or([
        eb(n, '=', text),
        eb(folded(sql`names->>'it'`), '=', text),
        eb(folded(sql`names->>'en'`), '=', text),
      ]),
    )
    .orderBy('code')
    .execute();
  if (named.length) return { named, near: [] };
  // Those that begin with it first, then those with a word that does, then the rest; shorter first.
  const near = await base
    .where((eb) => nameOrCodeContains(eb, name))
    .orderBy(sql`${n} LIKE ${startsPattern(text)}`, 'desc')
    .orderBy(sql`${n} LIKE ${containsPattern(` ${text}`)}`, 'desc')
    .orderBy(sql`length(name)`)
    .orderBy('name')
    .limit(suggestions)
    .execute();
  return { named: [], near };
}

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
    const text = f.q;
    q = q.where((eb) => nameOrCodeContains(eb, text));
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

/** Territories by code, for naming the parents of a list (any validity: a name stays a name). */
export function territoriesByCode(db: Executor, codes: string[]) {
  if (!codes.length) return Promise.resolve([]);
  return db
    .selectFrom('territories')
    .select(['code', 'name', 'names'])
    .where('code', 'in', codes)
    .execute();
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

function skillsWhere(db: Executor, f: { area?: string; q?: string }) {
  let q = db.selectFrom('skills').where('valid_to', 'is', null);
  if (f.area) q = q.where('area_code', '=', f.area);
  if (f.q) {
    const text = f.q;
    // The name of an area ("Sicurezza") finds its skills too, as the areas' list beside suggests.
    q = q.where((eb) =>
      eb.or([
        nameOrCodeContains(eb, text),
        eb(
          'area_code',
          'in',
          eb
            .selectFrom('skill_areas')
            .select('skill_areas.code')
            .where((inner) => nameOrCodeContains(inner, text)),
        ),
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
