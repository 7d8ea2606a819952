import { sql } from 'kysely';
import type { Db } from '../../src/db';

export type CellRow = {
  key: string;
  firms: number;
  workers: number;
  max_firm_workers: number;
};

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
           count(*)::int AS firms, sum(workers)::int AS workers, max(workers)::int AS max_firm_workers
    FROM per_firm GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

export async function maintained(db: Db, campaignId: string): Promise<CellRow[]> {
  const { rows } = await sql<CellRow>`
    SELECT concat_ws('|', territory_code, dim, value, priority, period) AS key,
           firms, workers::int AS workers, max_firm_workers
    FROM need_cells WHERE campaign_id = ${campaignId} ORDER BY 1`.execute(db);
  return rows;
}
