import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Submissions stop queueing on the needs aggregate (figures in docs/PERFORMANCE.md):
// - A submission, amendment, withdrawal or import no longer updates need_cells in its own
//   transaction. It appends its change to need_changes (insert-only: no row another submission
//   could be waiting for), and need_fold(campaign) folds the changes into need_cells in batches:
//   by a background folder in each app instance, and by every reader before it reads the cells,
//   so a reader never sees an aggregate older than the answers committed before it asked.
// - Before, every submission of a comune updated the same ~130 cells and every submission of a
//   campaign bumped the campaign's version row, each holding its row locks until its commit was
//   flushed: a campaign took its submissions one commit at a time.
// - Invariant (under the per-campaign fold lock): need_cells = the sum over the "folded"
//   responses, i.e. the current ones, minus those with a pending add, plus those with a pending
//   removal. Every statement that reads lines to rebuild cells uses that set, so it is right in
//   whatever snapshot it runs (folds run in read committed, in their own statement or in the
//   caller's transaction).
// - The version of need_campaign_versions (protected-pattern and dashboard caches) is bumped by
//   the fold, under the same lock: still exact for the cells it names.

const CELL_KEYS = `
  CROSS JOIN LATERAL (VALUES ('total','*'), ('area', l.area_code), ('skill', l.skill_code),
    ('section', l.nace_section), ('size', l.size_class)) k(dim, value)
  CROSS JOIN LATERAL (VALUES ('*','*'), (l.priority,'*'), ('*', l.period),
    (l.priority, l.period)) c(priority, period)`;

const LINE_COLUMNS = `r.id, r.campaign_id, r.territory_code, r.nace_section, r.size_class,
  n.area_code, n.skill_code, n.priority, n.period, n.workers`;

/** The lines of the responses the cells count, among those matching `where` (on r). */
const foldedLines = (where: string) => `
  SELECT ${LINE_COLUMNS}
  FROM responses r JOIN response_needs n ON n.response_id = r.id
  LEFT JOIN (SELECT response_id, sum(sign)::int AS s FROM need_changes GROUP BY 1) q
    ON q.response_id = r.id
  WHERE (${where}) AND (r.status = 'current' OR q.s IS NOT NULL)
    AND (r.status = 'current')::int - coalesce(q.s, 0) = 1`;

/** Before this migration the cells counted the current responses. */
const currentLines = (where: string) => `
  SELECT ${LINE_COLUMNS}
  FROM responses r JOIN response_needs n ON n.response_id = r.id
  WHERE (${where}) AND r.status = 'current'`;

type Lines = (where: string) => string;

/** need_cells_apply as in 2026_11_23_1180, with the lines a stale cell is read again from. */
const applyFunction = (lines: Lines) => `
  CREATE OR REPLACE FUNCTION need_cells_apply(p_add uuid[], p_remove uuid[]) RETURNS void
  LANGUAGE plpgsql AS $$
  DECLARE v_empty need_cell_key[]; v_stale need_cell_key[];
  BEGIN
    WITH l AS (
      SELECT ${LINE_COLUMNS} FROM responses r JOIN response_needs n ON n.response_id = r.id
      WHERE r.id = ANY(p_add || p_remove)
    ), per_firm AS (
      SELECT l.campaign_id, k.dim, c.priority, c.period, l.territory_code, k.value, l.id,
             sum(l.workers)::bigint AS workers
      FROM l ${CELL_KEYS}
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), delta AS (
      SELECT p.campaign_id, p.dim, p.priority, p.period, p.territory_code, p.value,
             sum(CASE WHEN a THEN 1 ELSE -1 END)::int AS firms,
             sum(CASE WHEN a THEN workers ELSE -workers END)::bigint AS workers,
             sum(CASE WHEN a THEN 1 ELSE -1 END * workers * workers)::bigint AS workers_sq,
             coalesce((array_agg(workers::integer ORDER BY workers DESC)
               FILTER (WHERE a))[1:4], '{}')
             || coalesce(array_agg(-workers::integer) FILTER (WHERE NOT a), '{}') AS change
      FROM per_firm p CROSS JOIN LATERAL (SELECT p.id = ANY(p_add) AS a) s
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
      WITH s AS (SELECT * FROM unnest(v_stale)), l AS (${lines(
        '(r.campaign_id, r.territory_code) IN (SELECT campaign_id, territory_code FROM s)',
      )}
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
    SELECT DISTINCT campaign_id FROM responses WHERE id = ANY(p_add || p_remove)
    ORDER BY 1
    ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1;
  END $$`;

/** The cells of one campaign's responses matching `where` (on r), summed from scratch. */
const sumCells = (lines: Lines, where: string) => `
    INSERT INTO need_cells (campaign_id, dim, priority, period, territory_code, value, firms,
      workers, workers_sq, top_shares)
    SELECT p_campaign, f.dim, f.priority, f.period, f.territory_code, f.value, count(*),
           sum(f.workers), sum(f.workers * f.workers),
           (array_agg(f.workers::integer ORDER BY f.workers DESC))[1:4]
    FROM (
      SELECT l.id, l.territory_code, k.dim, k.value, c.priority, c.period,
             sum(l.workers)::bigint AS workers
      FROM (${lines(`r.campaign_id = p_campaign AND ${where}`)}) l
      ${CELL_KEYS}
      GROUP BY 1, 2, 3, 4, 5, 6
    ) f
    GROUP BY 2, 3, 4, 5, 6;
    INSERT INTO need_campaign_versions AS v (campaign_id) VALUES (p_campaign)
    ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1;`;

/** 2026_11_23_1180's from-scratch sum of one campaign (for down). */
const rebuildFunction1180 = `
  CREATE OR REPLACE FUNCTION need_cells_rebuild(p_campaign uuid) RETURNS void
  LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM need_cells WHERE campaign_id = p_campaign;
    ${sumCells(currentLines, 'true')}
  END $$`;

export async function up(db: Kysely<any>): Promise<void> {
  // One row per response that starts (+1) or stops (-1) counting, until a fold takes it.
  await sql`
    CREATE TABLE need_changes (
      response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
      sign smallint NOT NULL CHECK (sign IN (-1, 1)),
      campaign_id uuid NOT NULL,
      queued_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (response_id, sign)
    )`.execute(db);
  await sql`CREATE INDEX need_changes_campaign_idx ON need_changes (campaign_id)`.execute(db);
  await sql.raw(applyFunction(foldedLines)).execute(db);
  // The cells of some territories of a campaign (all: null) summed again from the folded
  // responses: what a fold does instead of applying a change per response when the changes are
  // many next to the answers of their territories (a bulk import: about twice as fast).
  await sql
    .raw(
      `
    CREATE FUNCTION need_cells_refold(p_campaign uuid, p_territories text[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM need_cells WHERE campaign_id = p_campaign
        AND (p_territories IS NULL OR territory_code = ANY(p_territories));
      ${sumCells(foldedLines, '(p_territories IS NULL OR r.territory_code = ANY(p_territories))')}
    END $$`,
    )
    .execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION need_cells_rebuild(p_campaign uuid) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(7302, hashtext(p_campaign::text));
      PERFORM need_cells_refold(p_campaign, NULL);
    END $$`.execute(db);
  // Folds the pending changes of one campaign; returns how many it took. Waits for a fold of the
  // same campaign in progress (readers need theirs done); costs one index probe when none waits.
  // Not in a repeatable-read transaction: another fold's deletions would fail it.
  await sql`
    CREATE FUNCTION need_fold(p_campaign uuid) RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE v_add uuid[]; v_remove uuid[]; v_taken integer; v_places text[]; v_answers integer;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM need_changes WHERE campaign_id = p_campaign) THEN
        RETURN 0;
      END IF;
      PERFORM pg_advisory_xact_lock(7302, hashtext(p_campaign::text));
      WITH d AS (
        DELETE FROM need_changes WHERE campaign_id = p_campaign RETURNING response_id, sign
      ), net AS (SELECT response_id, sum(sign) AS s FROM d GROUP BY 1)
      SELECT array_agg(response_id) FILTER (WHERE s > 0),
             array_agg(response_id) FILTER (WHERE s < 0),
             (SELECT count(*) FROM d)
      INTO v_add, v_remove, v_taken FROM net;
      IF v_add IS NULL AND v_remove IS NULL THEN RETURN coalesce(v_taken, 0); END IF;
      v_add := coalesce(v_add, '{}');
      v_remove := coalesce(v_remove, '{}');
      -- Many changes (an import), and many next to the answers of their territories: sum those
      -- territories again (both ways are exact; this one is about twice as fast for an import).
      IF cardinality(v_add) + cardinality(v_remove) < 200 THEN
        PERFORM need_cells_apply(v_add, v_remove);
        RETURN v_taken;
      END IF;
      SELECT array_agg(DISTINCT territory_code) INTO v_places
      FROM responses WHERE id = ANY(v_add || v_remove);
      SELECT count(*) INTO v_answers FROM responses
      WHERE campaign_id = p_campaign AND status = 'current' AND territory_code = ANY(v_places);
      IF 2 * (cardinality(v_add) + cardinality(v_remove)) >= v_answers THEN
        PERFORM need_cells_refold(p_campaign, v_places);
      ELSE
        PERFORM need_cells_apply(v_add, v_remove);
      END IF;
      RETURN coalesce(v_taken, 0);
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`SELECT need_fold(c.campaign_id) FROM (SELECT DISTINCT campaign_id FROM need_changes) c`.execute(
    db,
  );
  await sql`DROP FUNCTION need_fold(uuid)`.execute(db);
  await sql.raw(applyFunction(currentLines)).execute(db);
  await sql.raw(rebuildFunction1180).execute(db);
  await sql`DROP FUNCTION need_cells_refold(uuid, text[])`.execute(db);
  await sql`DROP TABLE need_changes`.execute(db);
}
