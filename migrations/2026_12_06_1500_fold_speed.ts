import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// need_cells_apply (the fold of a batch of answers into the needs aggregate) does the same sums
// with less work (figures in docs/PERFORMANCE.md, "bench:fold"):
// - The batch's answers are found through their keys (unnest joined to responses, then
//   response_needs by its primary key) instead of a filter `id = ANY(batch)` on every row: the
//   plan read both tables whole and compared each row with each id of the batch, a cost that
//   grew with the table times the batch.
// - Whether a line adds or removes comes with it from that join, instead of `id = ANY(p_add)`
//   for each of its ~20 cell rows.
// - The cells are grouped and sorted by their keys in the "C" collation: the same groups, the
//   same primary-key order for the upsert, without the locale's string comparison.
// Same results: the aggregate tests compare the maintained cells with a recomputation.

const CELL_KEYS = `
  CROSS JOIN LATERAL (VALUES ('total','*'), ('area', l.area_code), ('skill', l.skill_code),
    ('section', l.nace_section), ('size', l.size_class)) k(dim, value)
  CROSS JOIN LATERAL (VALUES ('*','*'), (l.priority,'*'), ('*', l.period),
    (l.priority, l.period)) c(priority, period)`;

const LINE_COLUMNS = `r.id, r.campaign_id, r.territory_code, r.nace_section, r.size_class,
  n.area_code, n.skill_code, n.priority, n.period, n.workers`;

/** How each version of need_cells_apply finds the batch's lines and the cells' keys. */
interface Batch {
  /** CTEs ending in `l`: the lines of p_add and p_remove, with `a` (adds) where it is known. */
  lines: string;
  /** per_firm's extra grouping column and delta's FROM (which gives `a`). */
  perFirmAdds: string;
  deltaFrom: string;
  /** The cell keys as delta groups and sorts them. */
  keys: string;
  /** The campaigns of the batch, for need_campaign_versions. */
  campaigns: string;
}

const BY_KEY: Batch = {
  lines: `ch AS (
      SELECT id, true AS a FROM unnest(p_add) id
      UNION ALL
      SELECT id, false FROM unnest(p_remove) id
    ), l AS (
      SELECT ch.a, ${LINE_COLUMNS}
      FROM ch JOIN responses r ON r.id = ch.id JOIN response_needs n ON n.response_id = r.id
    )`,
  perFirmAdds: ', l.a',
  deltaFrom: 'per_firm p',
  keys: `p.campaign_id, p.dim COLLATE "C" AS dim, p.priority COLLATE "C" AS priority,
             p.period COLLATE "C" AS period, p.territory_code COLLATE "C" AS territory_code,
             p.value COLLATE "C" AS value`,
  campaigns:
    'SELECT DISTINCT r.campaign_id FROM unnest(p_add || p_remove) u(id) JOIN responses r ON r.id = u.id',
};

// As in 2026_12_06_1000_need_changes, for down.
const BY_FILTER_1000: Batch = {
  lines: `l AS (
      SELECT ${LINE_COLUMNS} FROM responses r JOIN response_needs n ON n.response_id = r.id
      WHERE r.id = ANY(p_add || p_remove)
    )`,
  perFirmAdds: '',
  deltaFrom: 'per_firm p CROSS JOIN LATERAL (SELECT p.id = ANY(p_add) AS a) s',
  keys: 'p.campaign_id, p.dim, p.priority, p.period, p.territory_code, p.value',
  campaigns: 'SELECT DISTINCT campaign_id FROM responses WHERE id = ANY(p_add || p_remove)',
};

/** need_cells_apply as in 2026_12_06_1000 (the stale cells read again from the folded lines). */
const applyFunction = (b: Batch) => `
  CREATE OR REPLACE FUNCTION need_cells_apply(p_add uuid[], p_remove uuid[]) RETURNS void
  LANGUAGE plpgsql AS $$
  DECLARE v_empty need_cell_key[]; v_stale need_cell_key[];
  BEGIN
    WITH ${b.lines}, per_firm AS (
      SELECT l.campaign_id, k.dim, c.priority, c.period, l.territory_code, k.value, l.id${b.perFirmAdds},
             sum(l.workers)::bigint AS workers
      FROM l ${CELL_KEYS}
      GROUP BY 1, 2, 3, 4, 5, 6, 7${b.perFirmAdds ? ', 8' : ''}
    ), delta AS (
      SELECT ${b.keys},
             sum(CASE WHEN a THEN 1 ELSE -1 END)::int AS firms,
             sum(CASE WHEN a THEN workers ELSE -workers END)::bigint AS workers,
             sum(CASE WHEN a THEN 1 ELSE -1 END * workers * workers)::bigint AS workers_sq,
             coalesce((array_agg(workers::integer ORDER BY workers DESC)
               FILTER (WHERE a))[1:4], '{}')
             || coalesce(array_agg(-workers::integer) FILTER (WHERE NOT a), '{}') AS change
      FROM ${b.deltaFrom}
      GROUP BY 1, 2, 3, 4, 5, 6
    ), up AS (
      INSERT INTO need_cells AS n (campaign_id, dim, priority, period, territory_code, value,
        firms, workers, workers_sq, top_shares)
      SELECT campaign_id, dim, priority, period, territory_code, value, firms, workers,
             workers_sq, change
      FROM delta
      ORDER BY campaign_id, dim, priority, period, territory_code, value
      ON CONFLICT (campaign_id, dim, priority, period, territory_code, value) DO UPDATE SET
        firms = n.firms + EXCLUDED.firms,
        workers = n.workers + EXCLUDED.workers,
        workers_sq = n.workers_sq + EXCLUDED.workers_sq,
        top_shares = need_top_merge(n.top_shares, n.firms, n.firms + EXCLUDED.firms,
          EXCLUDED.top_shares)
      RETURNING n.*
    )
    SELECT array_agg(ROW(campaign_id, dim, priority, period, territory_code, value)::need_cell_key)
             FILTER (WHERE firms <= 0),
           array_agg(ROW(campaign_id, dim, priority, period, territory_code, value)::need_cell_key)
             FILTER (WHERE firms > 0 AND cardinality(top_shares) = 0
                     AND 4 * workers_sq > workers * workers)
    INTO v_empty, v_stale FROM up;

    IF v_empty IS NOT NULL THEN
      DELETE FROM need_cells c USING unnest(v_empty) k
      WHERE (c.campaign_id, c.dim, c.priority, c.period, c.territory_code, c.value)
          = (k.campaign_id, k.dim, k.priority, k.period, k.territory_code, k.value);
    END IF;
    IF v_stale IS NOT NULL THEN
      WITH s AS (SELECT * FROM unnest(v_stale)), l AS (
        SELECT ${LINE_COLUMNS}
        FROM responses r JOIN response_needs n ON n.response_id = r.id
        LEFT JOIN (SELECT response_id, sum(sign)::int AS s FROM need_changes GROUP BY 1) q
          ON q.response_id = r.id
        WHERE ((r.campaign_id, r.territory_code) IN (SELECT campaign_id, territory_code FROM s))
          AND (r.status = 'current' OR q.s IS NOT NULL)
          AND (r.status = 'current')::int - coalesce(q.s, 0) = 1
      ), f AS (
        SELECT s.campaign_id, s.dim, s.priority, s.period, s.territory_code, s.value,
               sum(l.workers)::integer AS workers
        FROM l ${CELL_KEYS}
        JOIN s ON s.campaign_id = l.campaign_id AND s.territory_code = l.territory_code
          AND s.dim = k.dim AND s.value = k.value AND s.priority = c.priority
          AND s.period = c.period
        GROUP BY 1, 2, 3, 4, 5, 6, l.id
      ), x AS (
        SELECT campaign_id, dim, priority, period, territory_code, value,
               (array_agg(workers ORDER BY workers DESC))[1:4] AS top
        FROM f GROUP BY 1, 2, 3, 4, 5, 6)
      UPDATE need_cells c SET top_shares = x.top FROM x
      WHERE (c.campaign_id, c.dim, c.priority, c.period, c.territory_code, c.value)
          = (x.campaign_id, x.dim, x.priority, x.period, x.territory_code, x.value);
    END IF;
    INSERT INTO need_campaign_versions AS v (campaign_id)
    ${b.campaigns}
    ORDER BY 1
    ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1;
  END $$`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(applyFunction(BY_KEY)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(applyFunction(BY_FILTER_1000)).execute(db);
}
