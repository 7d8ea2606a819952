import { sql } from 'kysely';
import type { Executor } from '../../db';
import { romeToday } from '../survey/calendar';
import type { NeedDim } from './needs.tables';

export interface CampaignForNeeds {
  id: string;
  title: string;
  territory_code: string;
  status: string;
  disclosure_k: number;
  /** It has opened (or been closed): a scheduled campaign has not. */
  opened: boolean;
  /** At least one firm's answer counts in it. */
  has_answers: boolean;
  /** Its last day for answers (YYYY-MM-DD). */
  closes_at: string;
  /** Closed for answers: by the region, or past its last day (see survey/calendar effectiveState). */
  closed: boolean;
}

/**
 * Where a reader lands when they pick no campaign: the newest that has opened and has answers,
 * else the newest that has opened, else the newest — never a scheduled campaign's empty tables
 * while an older one has data. A reader who reads needs only once a survey has closed (the
 * public: needs/publication.ts) lands first on the newest closed one with answers. `campaigns`
 * come newest first.
 */
export function preferredCampaign<C extends CampaignForNeeds>(
  campaigns: C[],
  { openSurveys }: { openSurveys: boolean } = { openSurveys: true },
): C | undefined {
  return (
    (openSurveys ? undefined : campaigns.find((c) => c.closed && c.has_answers)) ??
    campaigns.find((c) => c.opened && c.has_answers) ??
    campaigns.find((c) => c.opened) ??
    campaigns[0]
  );
}

/**
 * Published campaigns (not drafts) that overlap the territory `code`: covering it (a region's
 * campaign seen by a province) or lying below it (a region's own campaigns). null = all.
 */
export async function listCampaignsOverlapping(db: Executor, code: string | null) {
  const { rows } = await sql<CampaignForNeeds>`
    SELECT c.id, c.title, c.territory_code, c.status, c.disclosure_k,
      (c.status = 'closed' OR c.opens_at <= ${romeToday()}::date) AS opened,
      to_char(c.closes_at, 'YYYY-MM-DD') AS closes_at,
      (c.status = 'closed' OR c.closes_at < ${romeToday()}::date) AS closed,
      EXISTS (SELECT 1 FROM responses r
              WHERE r.campaign_id = c.id AND r.status = 'current') AS has_answers
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

/** The area of each skill named (a line's area is always its skill's: one key, see 2026_12_06_1200). */
export async function skillAreas(db: Executor, skills: readonly string[]) {
  if (!skills.length) return new Map<string, string>();
  const { rows } = await sql<{ code: string; area_code: string }>`
    SELECT code, area_code FROM skills WHERE code = ANY(${skills}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.code, r.area_code]));
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
 * The cells of some territories for one dim (and the totals) under one cut. need_cells holds
 * each territory's own answers, so a territory's cell is the sum over its closure: a primary-key
 * range per cut, bounded by territories × dim values, never a scan of need lines.
 * max_firm_workers is the greatest known top share below (see needs/aggregate.ts): the largest
 * firm's share whenever that exceeds half the cell, which is all dominance (d >= 1/2) needs.
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
  return summedCells(db, q, sql`ta.ancestor_code = ANY(${q.territories}::text[])`);
}

/**
 * The cells of `root` and below that fall under k firms or dominance in some view filtered by
 * priority and/or period: summed up the tree and tested in SQL, so only these leave the database.
 */
export async function sensitiveFilteredCells(
  db: Executor,
  q: { campaignId: string; root: string; k: number; dominance: number },
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT DISTINCT CASE WHEN dim = 'total' THEN territory_code || '|*'
                         ELSE concat_ws('|', territory_code, dim, value) END AS id
    FROM (
      SELECT ta.ancestor_code AS territory_code, c.dim, c.value, sum(c.firms) AS firms,
             sum(c.workers) AS workers, max(c.top_shares[1]) AS top
      FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
      WHERE c.campaign_id = ${q.campaignId} AND (c.priority <> '*' OR c.period <> '*')
        AND ta.ancestor_code IN (
          SELECT code FROM territory_ancestors WHERE ancestor_code = ${q.root})
      GROUP BY 1, 2, 3, c.priority, c.period) x
    WHERE firms > 0
      AND (firms < ${q.k} OR (workers > 0 AND top > ${q.dominance}::float8 * workers))`.execute(db);
  return rows.map((r) => r.id);
}

/** The cells of `root` and of every territory below it, every dim, under one filter. */
export function subtreeCells(
  db: Executor,
  q: { campaignId: string; root: string; priority: string; period: string },
) {
  return summedCells(
    db,
    { ...q, dims: 'all' },
    sql`ta.ancestor_code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = ${q.root})`,
  );
}

/** The cells of `root` and of every territory below it, every dim, under every filter. */
export function subtreeCellsAllCuts(db: Executor, q: { campaignId: string; root: string }) {
  return summedCells(
    db,
    { campaignId: q.campaignId, dims: 'all', priority: null, period: null },
    sql`ta.ancestor_code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = ${q.root})`,
  );
}

async function summedCells(
  db: Executor,
  q: {
    campaignId: string;
    dims: NeedDim[] | 'all';
    /** null = every filter (the rows then say which). */
    priority: string | null;
    period: string | null;
  },
  territories: ReturnType<typeof sql>,
): Promise<(CellRow & { priority: string; period: string })[]> {
  const dims = q.dims === 'all' ? null : [...q.dims, 'total'];
  const { rows } = await sql<CellRow & { priority: string; period: string }>`
    SELECT ta.ancestor_code AS territory_code, c.dim, c.value, c.priority, c.period,
           sum(c.firms)::int AS firms, sum(c.workers)::bigint AS workers,
           coalesce(max(c.top_shares[1]), 0)::int AS max_firm_workers
    FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
    WHERE c.campaign_id = ${q.campaignId}
      AND (${q.priority}::text IS NULL OR c.priority = ${q.priority})
      AND (${q.period}::text IS NULL OR c.period = ${q.period})
      AND (${dims}::text[] IS NULL OR c.dim = ANY(${dims}::text[]))
      AND ${territories}
    GROUP BY 1, 2, 3, 4, 5`.execute(db);
  return rows;
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
