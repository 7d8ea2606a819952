import { sql } from 'kysely';
import type { Db } from '../../src/db';
import { foldNeeds } from '../../src/modules/needs/aggregate';

export type CellRow = {
  key: string;
  firms: number;
  workers: number;
  max_firm_workers: number | null;
};

/**
 * The largest firm's workers when it holds more than half the cell, else null: what the
 * aggregate promises exactly (dominance at any threshold >= 1/2); below half it may not know.
 */
const DOMINANT_MAX = (max: string, sum: string) =>
  sql.raw(`CASE WHEN 2 * ${max} > ${sum} THEN ${max}::int END`);

/**
 * The aggregate as a from-scratch GROUP BY over the raw current lines, walking the territory
 * tree itself (not the closure table): a second opinion that shares no code with aggregate.ts.
 */
export async function recomputed(db: Db, campaignId: string): Promise<CellRow[]> {
  const { rows } = await sql<CellRow>`
    WITH RECURSIVE up(code, ancestor) AS (
      SELECT code, code FROM territories
      UNION ALL
      SELECT up.code, t.parent_code FROM up JOIN territories t ON t.code = up.ancestor
      WHERE t.parent_code IS NOT NULL
    ), raw AS (
      SELECT r.firm_id, r.territory_code, cut.dim, cut.value, p.priority, q.period, n.workers
      FROM responses r
      JOIN response_needs n ON n.response_id = r.id
      CROSS JOIN LATERAL (SELECT 'total' AS dim, '*' AS value
        UNION ALL SELECT 'area', n.area_code UNION ALL SELECT 'skill', n.skill_code
        UNION ALL SELECT 'section', r.nace_section UNION ALL SELECT 'size', r.size_class) cut
      CROSS JOIN LATERAL (SELECT '*' AS priority UNION ALL SELECT n.priority) p
      CROSS JOIN LATERAL (SELECT '*' AS period UNION ALL SELECT n.period) q
      WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
    ), per_firm AS (
      SELECT up.ancestor, raw.dim, raw.value, raw.priority, raw.period, raw.firm_id,
             sum(raw.workers) AS workers
      FROM raw JOIN up ON up.code = raw.territory_code
      GROUP BY 1, 2, 3, 4, 5, 6
    )
    SELECT concat_ws('|', ancestor, dim, value, priority, period) AS key,
           count(*)::int AS firms, sum(workers)::int AS workers,
           ${DOMINANT_MAX('max(workers)', 'sum(workers)')} AS max_firm_workers
    FROM per_firm GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

/**
 * The maintained aggregate at every level, as the pages read it: each territory's own cells
 * summed over the closure (need_cells holds the answers given at each territory).
 */
export async function maintained(db: Db, campaignId: string): Promise<CellRow[]> {
  await foldNeeds(db, campaignId);
  const { rows } = await sql<CellRow>`
    SELECT concat_ws('|', ta.ancestor_code, dim, value, priority, period) AS key,
           sum(firms)::int AS firms, sum(workers)::int AS workers,
           ${DOMINANT_MAX('max(top_shares[1])', 'sum(workers)')} AS max_firm_workers
    FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
    WHERE campaign_id = ${campaignId}
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}
