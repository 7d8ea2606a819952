import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Needs by territory: the territory closure, the maintained aggregate, the disclosure threshold.

export async function up(db: Kysely<any>): Promise<void> {
  // Every (territory, ancestor) pair, self included at depth 0, so a response reaches every level
  // of its path with one join. Kept right by triggers on territories, so importers stay unaware.
  await sql`
    CREATE TABLE territory_ancestors (
      code text NOT NULL REFERENCES territories(code) ON DELETE CASCADE,
      ancestor_code text NOT NULL REFERENCES territories(code) ON DELETE CASCADE,
      ancestor_level text NOT NULL,
      depth smallint NOT NULL CHECK (depth >= 0),
      PRIMARY KEY (code, ancestor_code)
    )`.execute(db);
  await sql`CREATE INDEX territory_ancestors_up_idx ON territory_ancestors (ancestor_code, depth)`.execute(
    db,
  );
  await sql`
    INSERT INTO territory_ancestors (code, ancestor_code, ancestor_level, depth)
    WITH RECURSIVE up(code, ancestor_code, parent_code, depth) AS (
      SELECT code, code, parent_code, 0 FROM territories
      UNION ALL
      SELECT up.code, t.code, t.parent_code, up.depth + 1
      FROM up JOIN territories t ON t.code = up.parent_code
    )
    SELECT up.code, up.ancestor_code, t.level, up.depth
    FROM up JOIN territories t ON t.code = up.ancestor_code`.execute(db);

  // Links a territory (and what already hangs below it) to the ancestors known so far. Rows of
  // one statement may arrive child before parent (importers load in file order, the parent key is
  // deferred): the closure then holds the pairs reachable through the rows linked so far, and
  // linking the parent later finds its children through territories.parent_code.
  await sql`
    CREATE FUNCTION territory_ancestors_link(p_code text, p_parent text, p_level text)
    RETURNS void LANGUAGE sql AS $$
      INSERT INTO territory_ancestors (code, ancestor_code, ancestor_level, depth)
      SELECT sub.code, up.ancestor_code, up.ancestor_level, sub.depth + up.depth
      FROM (
        SELECT p_code AS code, 0 AS depth
        UNION ALL
        SELECT ta.code, ta.depth + 1
        FROM territories c JOIN territory_ancestors ta ON ta.ancestor_code = c.code
        WHERE c.parent_code = p_code AND c.code <> p_code
      ) sub
      CROSS JOIN (
        SELECT p_code AS ancestor_code, p_level AS ancestor_level, 0 AS depth
        UNION ALL
        SELECT ancestor_code, ancestor_level, depth + 1 FROM territory_ancestors WHERE code = p_parent
      ) up
      ON CONFLICT (code, ancestor_code) DO UPDATE
        SET depth = EXCLUDED.depth, ancestor_level = EXCLUDED.ancestor_level
    $$`.execute(db);

  // A territory moved under another parent: its subtree leaves the old ancestors and joins the
  // new ones, and the needs of the campaigns with answers below it are summed again from scratch
  // (rare, and the aggregate must never disagree with the tree).
  await sql`
    CREATE FUNCTION territory_ancestors_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM territory_ancestors_link(NEW.code, NEW.parent_code, NEW.level);
        RETURN NULL;
      END IF;
      IF NEW.level IS DISTINCT FROM OLD.level THEN
        UPDATE territory_ancestors SET ancestor_level = NEW.level WHERE ancestor_code = NEW.code;
      END IF;
      IF NEW.parent_code IS DISTINCT FROM OLD.parent_code THEN
        DELETE FROM territory_ancestors d
        WHERE d.code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = NEW.code)
          AND d.ancestor_code IN (
            SELECT ancestor_code FROM territory_ancestors WHERE code = NEW.code AND depth > 0);
        INSERT INTO territory_ancestors (code, ancestor_code, ancestor_level, depth)
        SELECT sub.code, up.ancestor_code, up.ancestor_level, sub.depth + up.depth + 1
        FROM territory_ancestors sub
        CROSS JOIN territory_ancestors up
        WHERE sub.ancestor_code = NEW.code AND up.code = NEW.parent_code
        ON CONFLICT (code, ancestor_code) DO NOTHING;
        PERFORM need_cells_rebuild(c.campaign_id)
        FROM (SELECT DISTINCT r.campaign_id FROM responses r
              JOIN territory_ancestors ta ON ta.code = r.territory_code
              WHERE ta.ancestor_code = NEW.code AND r.status = 'current') c;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  // Inserts are linked once per statement, not per row: an import of thousands of comuni is one
  // set-based walk up the tree (a per-row trigger capped imports at ~2,700 rows/s). The new rows
  // and whatever already hangs below them (a child may come before its parent) are relinked.
  await sql`
    CREATE FUNCTION territory_ancestors_insert_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      WITH RECURSIVE affected(code) AS (
        SELECT code FROM new_rows
        UNION
        SELECT t.code FROM territories t JOIN affected a ON t.parent_code = a.code
      ), up(code, ancestor_code, depth) AS (
        SELECT code, code, 0 FROM affected
        UNION ALL
        SELECT up.code, t.parent_code, up.depth + 1
        FROM up JOIN territories t ON t.code = up.ancestor_code
        WHERE t.parent_code IS NOT NULL AND up.depth < 12
      )
      INSERT INTO territory_ancestors (code, ancestor_code, ancestor_level, depth)
      SELECT up.code, up.ancestor_code, a.level, up.depth
      FROM up JOIN territories a ON a.code = up.ancestor_code
      ON CONFLICT (code, ancestor_code) DO UPDATE
        SET depth = EXCLUDED.depth, ancestor_level = EXCLUDED.ancestor_level;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER territory_ancestors_insert AFTER INSERT ON territories
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION territory_ancestors_insert_stmt()`.execute(db);
  await sql`
    CREATE TRIGGER territory_ancestors_update AFTER UPDATE OF parent_code, level ON territories
      FOR EACH ROW EXECUTE FUNCTION territory_ancestors_sync()`.execute(db);

  // One row per campaign × territory (every level) × cut: dim 'total' (value '*'), or a skill
  // area, skill, NACE section or size class; by priority and period ('*' = all). firms counts a
  // firm once per cell; max_firm_workers is the largest single firm's share (dominance rule).
  // No CHECK on the counts: the upsert proposes signed deltas (see needs/aggregate.ts), and
  // CHECK constraints apply to the proposed row before ON CONFLICT turns it into an update.
  await sql`
    CREATE TABLE need_cells (
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      dim text NOT NULL CHECK (dim IN ('total','area','skill','section','size')),
      priority text NOT NULL CHECK (priority IN ('*','high','medium','low')),
      period text NOT NULL CHECK (period = '*' OR period ~ '^20[0-9]{2}-Q[1-4]$'),
      territory_code text NOT NULL,
      value text NOT NULL,
      firms integer NOT NULL,
      workers bigint NOT NULL,
      max_firm_workers integer,
      PRIMARY KEY (campaign_id, dim, priority, period, territory_code, value)
    )`.execute(db);
  // Cells left empty or with a maximum to recompute exist only inside the writing transaction.
  await sql`CREATE INDEX need_cells_empty_idx ON need_cells (campaign_id) WHERE firms <= 0`.execute(
    db,
  );
  await sql`
    CREATE INDEX need_cells_stale_idx ON need_cells (campaign_id)
      WHERE max_firm_workers IS NULL`.execute(db);

  // The from-scratch sum of one campaign: used when the tree changes under its answers, by
  // tests as a second opinion, and by operators (SELECT need_cells_rebuild(id)).
  await sql`
    CREATE FUNCTION need_cells_rebuild(p_campaign uuid) RETURNS void LANGUAGE sql AS $$
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

  await sql`
    ALTER TABLE campaigns
      ADD COLUMN disclosure_k smallint NOT NULL DEFAULT 3 CHECK (disclosure_k BETWEEN 1 AND 50)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE campaigns DROP COLUMN disclosure_k`.execute(db);
  await sql`DROP TRIGGER territory_ancestors_update ON territories`.execute(db);
  await sql`DROP TRIGGER territory_ancestors_insert ON territories`.execute(db);
  await sql`DROP FUNCTION territory_ancestors_insert_stmt()`.execute(db);
  await sql`DROP FUNCTION territory_ancestors_sync()`.execute(db);
  await sql`DROP FUNCTION territory_ancestors_link(text, text, text)`.execute(db);
  await sql`DROP FUNCTION need_cells_rebuild(uuid)`.execute(db);
  await sql`DROP TABLE need_cells`.execute(db);
  await sql`DROP TABLE territory_ancestors`.execute(db);
}
