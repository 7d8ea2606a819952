import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { NeedDim } from './needs.tables';

export interface CampaignForNeeds {
  id: string;
  title: string;
  territory_code: string;
  status: string;
  disclosure_k: number;
}

/**
 * Published campaigns (not drafts) that overlap the territory `code`: covering it (a region's
 * campaign seen by a province) or lying below it (a region's own campaigns). null = all.
 */
export async function listCampaignsOverlapping(db: Executor, code: string | null) {
  const { rows } = await sql<CampaignForNeeds>`
    SELECT c.id, c.title, c.territory_code, c.status, c.disclosure_k
    FROM campaigns c
    WHERE c.status <> 'draft' AND (${code}::text IS NULL
      OR EXISTS (SELECT 1 FROM territory_ancestors ta
                 WHERE (ta.code = ${code} AND ta.ancestor_code = c.territory_code)
                    OR (ta.code = c.territory_code AND ta.ancestor_code = ${code})))
    ORDER BY c.opens_at DESC, c.created_at DESC`.execute(db);
  return rows;
}

/** Whether `code` is `ancestor` or lies below it. */
export async function isBelow(db: Executor, code: string, ancestor: string): Promise<boolean> {
  const row = await db
    .selectFrom('territory_ancestors')
    .select('depth')
    .where('code', '=', code)
    .where('ancestor_code', '=', ancestor)
    .executeTakeFirst();
  return row !== undefined;
}

/** The path from `top` down to `code` (both included), top first; empty if not below `top`. */
export async function pathFrom(db: Executor, top: string, code: string) {
  const { rows } = await sql<{
    code: string;
    level: string;
    name: string;
    names: Record<string, string>;
  }>`
    SELECT t.code, t.level, t.name, t.names
    FROM territory_ancestors a
    JOIN territory_ancestors b ON b.code = a.ancestor_code AND b.ancestor_code = ${top}
    JOIN territories t ON t.code = a.ancestor_code
    WHERE a.code = ${code}
    ORDER BY a.depth DESC`.execute(db);
  return rows;
}

/** The territories `depth` levels below `code` (1 = its children), with a count of their own. */
export async function descendants(db: Executor, code: string, depth: number) {
  const { rows } = await sql<{
    code: string;
    parent_code: string;
    level: string;
    name: string;
    names: Record<string, string>;
    children: number;
  }>`
    SELECT t.code, t.parent_code, t.level, t.name, t.names,
           (SELECT count(*)::int FROM territories c
            WHERE c.parent_code = t.code AND c.valid_to IS NULL) AS children
    FROM territory_ancestors ta JOIN territories t ON t.code = ta.code
    WHERE ta.ancestor_code = ${code} AND ta.depth = ${depth} AND t.valid_to IS NULL
    ORDER BY t.name`.execute(db);
  return rows;
}

/** Every territory below `root` with its parent, for walking the tree level by level. */
export async function subtree(db: Executor, root: string) {
  const { rows } = await sql<{ code: string; parent_code: string }>`
    SELECT t.code, t.parent_code
    FROM territory_ancestors ta JOIN territories t ON t.code = ta.code
    WHERE ta.ancestor_code = ${root} AND ta.depth > 0 AND t.valid_to IS NULL`.execute(db);
  return rows;
}

export interface CellRow {
  territory_code: string;
  dim: NeedDim;
  value: string;
  firms: number;
  workers: number;
  max_firm_workers: number;
}

/**
 * The maintained cells of some territories for one dim (and the totals) under one cut: primary
 * key lookups, never a scan of need lines.
 */
export function cellsOf(
  db: Executor,
  q: {
    campaignId: string;
    territories: string[];
    /** The pivot dims wanted besides the totals, or every dim. */
    dims: NeedDim[] | 'all';
    priority: string;
    period: string;
  },
): Promise<CellRow[]> {
  if (q.territories.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('need_cells')
    .select(['territory_code', 'dim', 'value', 'firms', 'workers'])
    .select((eb) => eb.fn.coalesce('max_firm_workers', eb.val(0)).as('max_firm_workers'))
    .where('campaign_id', '=', q.campaignId)
    .where('priority', '=', q.priority)
    .where('period', '=', q.period)
    .where('territory_code', 'in', q.territories);
  if (q.dims !== 'all') query = query.where('dim', 'in', [...q.dims, 'total']);
  return query.execute();
}

/** The periods a campaign's answers mention, for the filter. */
export async function periodsOf(db: Executor, campaignId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('need_cells')
    .select('period')
    .distinct()
    .where('campaign_id', '=', campaignId)
    .where('dim', '=', 'total')
    .where('priority', '=', '*')
    .where('period', '<>', '*')
    .orderBy('period')
    .execute();
  return rows.map((r) => r.period);
}

/** Names of the values of a dim (skill areas, skills, NACE sections) in the reader's language. */
export async function valueLabels(
  db: Executor,
  dim: NeedDim,
): Promise<Map<string, { name: string; names: Record<string, string> }>> {
  const table =
    dim === 'area'
      ? sql`SELECT code, name, names FROM skill_areas`
      : dim === 'skill'
        ? sql`SELECT code, name, names FROM skills`
        : dim === 'section'
          ? sql`SELECT code, name, names FROM sectors WHERE version = 'NACE2' AND level = 'section'`
          : null;
  if (!table) return new Map();
  const { rows } = await sql<{
    code: string;
    name: string;
    names: Record<string, string>;
  }>`${table}`.execute(db);
  return new Map(rows.map((r) => [r.code, r]));
}
