import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database';

export interface ResponseChange {
  /** A response version that stops counting (superseded or withdrawn). */
  remove?: string | readonly string[];
  /** A response version that starts counting (just submitted or imported). */
  add?: string | readonly string[];
}

const list = (v: string | readonly string[] | undefined): string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : [...v];

/**
 * The cells one need line reaches, as SQL: every dim value it touches (total, its skill area,
 * skill, the firm's NACE section and size class) under every cut (all priorities and periods,
 * its own priority, its own period, both). `l` must expose the response's nace_section and
 * size_class and the line's area_code, skill_code, priority and period.
 */
const CELL_KEYS = sql`
  CROSS JOIN LATERAL (VALUES ('total', '*'), ('area', l.area_code), ('skill', l.skill_code),
    ('section', l.nace_section), ('size', l.size_class)) k(dim, value)
  CROSS JOIN LATERAL (VALUES ('*', '*'), (l.priority, '*'), ('*', l.period),
    (l.priority, l.period)) c(priority, period)`;

/**
 * Keeps need_cells equal to the sum of the current responses, inside the caller's transaction.
 * Call it after the responses rows already say which version is current (the maximum is
 * recomputed from them when the firm that held it leaves a cell).
 *
 * One upsert adds each version's share to every ancestor of its territory with signed deltas
 * (firms ±1 per cell the firm touches, workers ± its sum), in primary-key order so concurrent
 * submissions lock shared cells in the same order and never deadlock. max_firm_workers takes the
 * greater on add; when a removed firm held the maximum the cell is marked (NULL) and recomputed
 * bottom-up from its children, which only reads the cells below and the raw lines of the one
 * territory itself. Cells left with no firm are deleted.
 */
export async function applyResponseChange(
  tx: Transaction<Database>,
  change: ResponseChange,
): Promise<void> {
  const remove = list(change.remove);
  const add = list(change.add);
  if (remove.length + add.length === 0) return;
  const { rows } = await sql<{ emptied: number; stale: number }>`
    WITH l AS (
      SELECT r.id AS response_id, r.campaign_id, r.territory_code, r.nace_section, r.size_class,
             n.area_code, n.skill_code, n.priority, n.period, n.workers,
             CASE WHEN r.id = ANY(${add}::uuid[]) THEN 1 ELSE -1 END AS sign
      FROM responses r JOIN response_needs n ON n.response_id = r.id
      WHERE r.id = ANY(${[...remove, ...add]}::uuid[])
    ), per_firm AS (
      SELECT l.campaign_id, k.dim, c.priority, c.period, l.territory_code, k.value, l.response_id,
             min(l.sign) AS sign, sum(l.workers) AS workers
      FROM l ${CELL_KEYS}
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), delta AS (
      SELECT p.campaign_id, p.dim, p.priority, p.period, ta.ancestor_code AS territory_code,
             p.value, sum(p.sign) AS firms, sum(p.sign * p.workers) AS workers,
             max(p.workers) FILTER (WHERE p.sign = 1) AS add_max,
             max(p.workers) FILTER (WHERE p.sign = -1) AS remove_max
      FROM per_firm p JOIN territory_ancestors ta ON ta.code = p.territory_code
      GROUP BY 1, 2, 3, 4, 5, 6
    ), up AS (
      -- max_firm_workers carries either the greatest added share (>= 0) or, when the greatest
      -- removed share exceeds every added one, minus that share: the update then keeps the max
      -- if another firm holds it, or marks it for recomputation.
      INSERT INTO need_cells AS n
        (campaign_id, dim, priority, period, territory_code, value, firms, workers, max_firm_workers)
      SELECT campaign_id, dim, priority, period, territory_code, value, firms, workers,
             CASE WHEN remove_max IS NULL OR coalesce(add_max, 0) >= remove_max
                  THEN coalesce(add_max, 0) ELSE -remove_max END
      FROM delta
      ORDER BY campaign_id, dim, priority, period, territory_code, value
      ON CONFLICT (campaign_id, dim, priority, period, territory_code, value) DO UPDATE SET
        firms = n.firms + EXCLUDED.firms,
        workers = n.workers + EXCLUDED.workers,
        max_firm_workers = CASE
          WHEN EXCLUDED.max_firm_workers >= 0
            THEN greatest(n.max_firm_workers, EXCLUDED.max_firm_workers)
          WHEN -EXCLUDED.max_firm_workers < n.max_firm_workers THEN n.max_firm_workers
          ELSE NULL END
      RETURNING n.firms, n.max_firm_workers
    )
    SELECT count(*) FILTER (WHERE firms <= 0)::int AS emptied,
           count(*) FILTER (WHERE firms > 0 AND max_firm_workers IS NULL)::int AS stale
    FROM up`.execute(tx);
  const { emptied, stale } = rows[0]!;
  if (emptied > 0) await sql`DELETE FROM need_cells WHERE firms <= 0`.execute(tx);
  if (stale > 0) await recomputeMaxima(tx);
}

/**
 * Recomputes the marked maxima, deepest first: a cell's largest firm is the largest among its
 * children's cells, or a firm located on the territory itself. At most one pass per tree level.
 */
async function recomputeMaxima(tx: Transaction<Database>): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const res = await sql`
      UPDATE need_cells t SET max_firm_workers = coalesce(greatest(
        (SELECT max(ch.max_firm_workers)
         FROM territory_ancestors ta
         JOIN need_cells ch ON ch.campaign_id = t.campaign_id AND ch.dim = t.dim
           AND ch.priority = t.priority AND ch.period = t.period
           AND ch.territory_code = ta.code AND ch.value = t.value
         WHERE ta.ancestor_code = t.territory_code AND ta.depth = 1),
        (SELECT max(f.workers) FROM (
           SELECT sum(l.workers) AS workers
           FROM (SELECT r.id, r.nace_section, r.size_class, n.area_code, n.skill_code,
                        n.priority, n.period, n.workers
                 FROM responses r JOIN response_needs n ON n.response_id = r.id
                 WHERE r.campaign_id = t.campaign_id AND r.status = 'current'
                   AND r.territory_code = t.territory_code) l
           ${CELL_KEYS}
           WHERE k.dim = t.dim AND k.value = t.value AND c.priority = t.priority
             AND c.period = t.period
           GROUP BY l.id) f)), 0)
      WHERE t.max_firm_workers IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM territory_ancestors ta
          JOIN need_cells ch ON ch.campaign_id = t.campaign_id AND ch.dim = t.dim
            AND ch.priority = t.priority AND ch.period = t.period
            AND ch.territory_code = ta.code AND ch.value = t.value
          WHERE ta.ancestor_code = t.territory_code AND ta.depth = 1
            AND ch.max_firm_workers IS NULL)`.execute(tx);
    if (Number(res.numAffectedRows ?? 0) === 0) return;
  }
  throw new Error('need_cells: maxima did not settle (territory tree has a cycle?)');
}

/** Sums one campaign again from scratch (the database function also used on tree changes). */
export async function rebuildNeedCells(tx: Transaction<Database>, campaignId: string) {
  await sql`SELECT need_cells_rebuild(${campaignId}::uuid)`.execute(tx);
}
