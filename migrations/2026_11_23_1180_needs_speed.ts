import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Needs aggregate, cheaper to keep current (figures in docs/PERFORMANCE.md):
// - need_cells holds each territory's OWN answers only (the territory a response was given at,
//   usually a comune); a level's figure is the sum of the cells of its closure, summed on read.
//   Firms and workers add up the tree: a firm answers once per campaign, from one territory. A
//   submission touches ~130 cells instead of ~1,400, the top-level cells stop being a lock every
//   submission of a campaign queues on, and a territory moving in the tree changes no cell.
// - Dominance without re-reading lines: top_shares = the largest firm shares of the cell, exact
//   and descending (at most 4; all of them while the cell has <= 4 firms), and workers_sq = the
//   sum of the squares of the firms' shares. top_shares may run empty only while
//   4·workers_sq <= workers², which proves no firm holds more than half the cell (max² <= sq).
//   Summed up the tree, the greatest top_shares[1] below a cell decides "one firm holds > d of
//   it" exactly for any d >= 1/2 (see needs/aggregate.ts).
// - The upkeep runs as one plpgsql function: its statements keep their plans per connection
//   (planning the upsert cost more than executing it).

const CELL_KEYS = `
  CROSS JOIN LATERAL (VALUES ('total','*'), ('area', l.area_code), ('skill', l.skill_code),
    ('section', l.nace_section), ('size', l.size_class)) k(dim, value)
  CROSS JOIN LATERAL (VALUES ('*','*'), (l.priority,'*'), ('*', l.period),
    (l.priority, l.period)) c(priority, period)`;

const LINES = `
  SELECT r.id, r.campaign_id, r.territory_code, r.nace_section, r.size_class, n.area_code,
         n.skill_code, n.priority, n.period, n.workers
  FROM responses r JOIN response_needs n ON n.response_id = r.id`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE need_cells ADD COLUMN workers_sq bigint NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE need_cells ADD COLUMN top_shares integer[] NOT NULL DEFAULT '{}'`.execute(
    db,
  );
  await sql`ALTER TABLE need_cells DROP COLUMN max_firm_workers`.execute(db);
  // The partial indexes named firms and max_firm_workers in their predicates, which made every
  // update of a cell a non-HOT update. Emptied cells are now found through RETURNING, and room
  // left on each page keeps the updates HOT.
  await sql`DROP INDEX IF EXISTS need_cells_empty_idx`.execute(db);
  await sql`ALTER TABLE need_cells SET (fillfactor = 70)`.execute(db);
  // The protected pattern (secondary suppression) of a campaign is costly to solve and the same
  // for every reader: cached per campaign × root × k × filter, valid while the campaign's
  // version is the one it was solved at. The version bumps in the same transaction as every
  // change of the cells, so app instances agree and a reader never gets a stale pattern.
  await sql`
    CREATE TABLE need_campaign_versions (
      campaign_id uuid PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
      version bigint NOT NULL DEFAULT 1
    )`.execute(db);
  await sql`
    CREATE TABLE need_protection_cache (
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      root_code text NOT NULL,
      k smallint NOT NULL,
      priority text NOT NULL,
      period text NOT NULL,
      version bigint NOT NULL,
      hidden jsonb NOT NULL,
      PRIMARY KEY (campaign_id, root_code, k, priority, period)
    )`.execute(db);
  await sql`
    CREATE TYPE need_cell_key AS (campaign_id uuid, dim text, priority text, period text,
      territory_code text, value text)`.execute(db);

  // The exact top shares after some firms leave the cell and others join it. `top` holds the m
  // largest shares of the cell's `firms` firms (all of them when m = firms); `change` lists the
  // largest joining shares (at most 4, descending) then the leaving ones negated, and the cell
  // ends with `firms_after` firms. A leaving share at least the smallest kept is one of them; a
  // joining one at least the smallest kept is one of the new top; anything else leaves the kept
  // ones exact. Joining shares beyond the 4 listed are no larger than the 4th: kept shares below
  // it are no longer known to be on top. May run empty: see need_cells_apply.
  await sql`
    CREATE FUNCTION need_top_merge(top integer[], firms integer, firms_after integer,
      change integer[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE v integer; i integer; smallest integer;
    BEGIN
      FOREACH v IN ARRAY change LOOP
        CONTINUE WHEN v > 0;
        IF cardinality(top) = firms OR (cardinality(top) > 0 AND -v >= top[cardinality(top)]) THEN
          i := array_position(top, -v);
          IF i IS NOT NULL THEN top := top[1:i - 1] || top[i + 1:]; END IF;
        END IF;
        firms := firms - 1;
      END LOOP;
      FOREACH v IN ARRAY change LOOP
        CONTINUE WHEN v < 0;
        IF cardinality(top) = firms OR (cardinality(top) > 0 AND v >= top[cardinality(top)]) THEN
          -- Insert in place: plain expressions, no query per row.
          i := 1;
          WHILE i <= cardinality(top) AND top[i] >= v LOOP i := i + 1; END LOOP;
          top := top[1:i - 1] || v || top[i:];
        END IF;
        firms := firms + 1;
        smallest := v;
      END LOOP;
      IF firms < firms_after THEN
        top := ARRAY(SELECT x FROM unnest(top) x WHERE x >= smallest ORDER BY x DESC);
      END IF;
      RETURN top[1:4];
    END $$`.execute(db);

  await sql
    .raw(
      `
    CREATE FUNCTION need_cells_apply(p_add uuid[], p_remove uuid[]) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE v_empty need_cell_key[]; v_stale need_cell_key[];
    BEGIN
      -- Signed deltas of the versions that stop and start counting, one upsert in primary-key
      -- order (concurrent submissions lock shared cells in one order: no deadlock).
      WITH l AS (${LINES} WHERE r.id = ANY(p_add || p_remove)
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
          -- EXCLUDED.top_shares carries the change (a new cell has no leaving share).
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
      -- Top shares run out on a concentrated cell (rare: its largest firms left one by one):
      -- read them again from the current lines of that one territory.
      IF v_stale IS NOT NULL THEN
        WITH s AS (SELECT * FROM unnest(v_stale)), l AS (${LINES}
          WHERE r.status = 'current'
            AND (r.campaign_id, r.territory_code) IN (SELECT campaign_id, territory_code FROM s)
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
      -- Last, so the version row is locked for the shortest time (until commit).
      INSERT INTO need_campaign_versions AS v (campaign_id)
      SELECT DISTINCT campaign_id FROM responses WHERE id = ANY(p_add || p_remove)
      ORDER BY 1
      ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1;
    END $$`,
    )
    .execute(db);

  await sql
    .raw(
      `
    CREATE OR REPLACE FUNCTION need_cells_rebuild(p_campaign uuid) RETURNS void LANGUAGE sql AS $$
      DELETE FROM need_cells WHERE campaign_id = p_campaign;
      INSERT INTO need_cells (campaign_id, dim, priority, period, territory_code, value, firms,
        workers, workers_sq, top_shares)
      SELECT p_campaign, f.dim, f.priority, f.period, f.territory_code, f.value, count(*),
             sum(f.workers), sum(f.workers * f.workers),
             (array_agg(f.workers::integer ORDER BY f.workers DESC))[1:4]
      FROM (
        SELECT l.id, l.territory_code, k.dim, k.value, c.priority, c.period,
               sum(l.workers)::bigint AS workers
        FROM (${LINES} WHERE r.campaign_id = p_campaign AND r.status = 'current') l
        ${CELL_KEYS}
        GROUP BY 1, 2, 3, 4, 5, 6
      ) f
      GROUP BY 2, 3, 4, 5, 6;
      INSERT INTO need_campaign_versions AS v (campaign_id) VALUES (p_campaign)
      ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1;
    $$`,
    )
    .execute(db);
  // The trigger on territory moves still calls need_cells_rebuild: harmless (a territory's own
  // cells do not depend on the tree any more), and that trigger belongs to a landed migration.
  await sql`SELECT need_cells_rebuild(id) FROM campaigns`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION need_cells_apply(uuid[], uuid[])`.execute(db);
  await sql`DROP FUNCTION need_top_merge(integer[], integer, integer, integer[])`.execute(db);
  await sql`DROP TYPE need_cell_key`.execute(db);
  await sql`DROP TABLE need_protection_cache`.execute(db);
  await sql`DROP TABLE need_campaign_versions`.execute(db);
  await sql`ALTER TABLE need_cells ADD COLUMN max_firm_workers integer`.execute(db);
  await sql`ALTER TABLE need_cells DROP COLUMN top_shares`.execute(db);
  await sql`ALTER TABLE need_cells DROP COLUMN workers_sq`.execute(db);
  await sql`ALTER TABLE need_cells RESET (fillfactor)`.execute(db);
  await sql`CREATE INDEX need_cells_empty_idx ON need_cells (campaign_id) WHERE firms <= 0`.execute(
    db,
  );
  // The every-level rebuild of 2026_11_23_1100.
  await sql`
    CREATE OR REPLACE FUNCTION need_cells_rebuild(p_campaign uuid) RETURNS void LANGUAGE sql AS $$
      DELETE FROM need_cells WHERE campaign_id = p_campaign;
      INSERT INTO need_cells
        (campaign_id, dim, priority, period, territory_code, value, firms, workers, max_firm_workers)
      SELECT p_campaign, f.dim, f.priority, f.period, ta.ancestor_code, f.value,
             count(*), sum(f.workers), max(f.workers)
      FROM (
        SELECT r.id, r.territory_code, k.dim, k.value, c.priority, c.period, sum(n.workers) AS workers
        FROM responses r
        JOIN response_needs n ON n.response_id = r.id
        CROSS JOIN LATERAL (VALUES ('total','*'), ('area', n.area_code), ('skill', n.skill_code),
          ('section', r.nace_section), ('size', r.size_class)) k(dim, value)
        CROSS JOIN LATERAL (VALUES ('*','*'), (n.priority,'*'), ('*', n.period),
          (n.priority, n.period)) c(priority, period)
        WHERE r.campaign_id = p_campaign AND r.status = 'current'
        GROUP BY 1, 2, 3, 4, 5, 6
      ) f
      JOIN territory_ancestors ta ON ta.code = f.territory_code
      GROUP BY 2, 3, 4, 5, 6;
    $$`.execute(db);
  await sql`SELECT need_cells_rebuild(id) FROM campaigns`.execute(db);
}
