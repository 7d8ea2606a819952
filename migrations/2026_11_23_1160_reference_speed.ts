import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Reference imports at >= 20,000 comuni/s (figures in docs/PERFORMANCE.md). Profiled on a
// 5,000-comune batch (EXPLAIN ANALYZE, auto_explain of the trigger's statements, perf):
// - the closure trigger of 1100 spent ~60 % compiling its query with JIT: the planner cannot
//   size a recursive CTE and guessed 265 million rows for a few thousand. jit is off for the
//   trigger functions (and for the import transaction, see importers/territory-writer.ts);
// - its recursive walk joined the whole territories table (sorts and hashes of every row, per
//   batch, growing with the import): the usual batch now takes a walk-free path (below);
// - ~25 % went to the two foreign-key checks of territory_ancestors, one SPI query per key per
//   closure row (five rows per comune). The closure is derived data written only by these
//   triggers from territories rows, so its keys are territories by construction; the keys'
//   one remaining duty, dropping the pairs of a deleted territory (ON DELETE CASCADE), is kept
//   by a statement trigger. test/reference/closure.test.ts compares the closure with its
//   recomputation after each kind of change;
// - a comune moving to another parent scanned the whole closure (territory_ancestors_sync).

const LINK_NEW_ROWS = `
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
    SET depth = EXCLUDED.depth, ancestor_level = EXCLUDED.ancestor_level`;

// territory_ancestors_sync of 1100 (a territory moved or changed level), with its DELETE
// written as two index lookups: as a semi-join the planner scanned the whole closure for every
// moved comune (~60 ms each at a million pairs).
const syncBody = (deleteMoved: string) => `
  BEGIN
    IF TG_OP = 'INSERT' THEN
      PERFORM territory_ancestors_link(NEW.code, NEW.parent_code, NEW.level);
      RETURN NULL;
    END IF;
    IF NEW.level IS DISTINCT FROM OLD.level THEN
      UPDATE territory_ancestors SET ancestor_level = NEW.level WHERE ancestor_code = NEW.code;
    END IF;
    IF NEW.parent_code IS DISTINCT FROM OLD.parent_code THEN
      ${deleteMoved};
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
  END`;

const DELETE_MOVED_1100 = `
      DELETE FROM territory_ancestors d
      WHERE d.code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = NEW.code)
        AND d.ancestor_code IN (
          SELECT ancestor_code FROM territory_ancestors WHERE code = NEW.code AND depth > 0)`;

const DELETE_MOVED = `
      DELETE FROM territory_ancestors d
      WHERE d.code = ANY (ARRAY(
              SELECT code FROM territory_ancestors WHERE ancestor_code = NEW.code))
        AND d.ancestor_code = ANY (ARRAY(
              SELECT ancestor_code FROM territory_ancestors WHERE code = NEW.code AND depth > 0))`;

export async function up(db: Kysely<any>): Promise<void> {
  // The usual statement (a batch of comuni under known provinces) needs no walk: when every new
  // row's parent is already linked (it has its depth-0 pair, so it was not inserted by this
  // statement) and nothing hangs below a new row yet, a new territory's pairs are itself plus its
  // parent's pairs one level further, all plain inserts. Any other statement (a parent in the
  // same statement, a child inserted before its parent) takes the general recursive walk of
  // 1100. The checks probe an index per row or per parent (a scalar subquery, OFFSET 0): as
  // joins, the planner chose to scan the whole tables.
  await sql`
    CREATE OR REPLACE FUNCTION territory_ancestors_insert_stmt() RETURNS trigger
    LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
      IF NOT EXISTS (
           SELECT 1 FROM (SELECT DISTINCT parent_code FROM new_rows) p
           WHERE p.parent_code IS NOT NULL
             AND (SELECT true FROM territory_ancestors ta
                  WHERE ta.code = p.parent_code AND ta.ancestor_code = p.parent_code) IS NULL)
         AND NOT EXISTS (
           SELECT 1 FROM new_rows n
           WHERE (SELECT true FROM territories c WHERE c.parent_code = n.code LIMIT 1))
      THEN
        -- The parents' pairs are read once per parent (a batch of comuni has a few provinces).
        INSERT INTO territory_ancestors (code, ancestor_code, ancestor_level, depth)
        SELECT n.code, n.code, n.level, 0 FROM new_rows n
        UNION ALL
        SELECT n.code, up.ancestor_code, up.ancestor_level, up.depth + 1
        FROM new_rows n
        JOIN (
          SELECT ta.code, ta.ancestor_code, ta.ancestor_level, ta.depth
          FROM (SELECT DISTINCT parent_code FROM new_rows) p
          CROSS JOIN LATERAL (
            SELECT * FROM territory_ancestors ta WHERE ta.code = p.parent_code OFFSET 0) ta
        ) up ON up.code = n.parent_code;
        RETURN NULL;
      END IF;
      ${sql.raw(LINK_NEW_ROWS)};
      RETURN NULL;
    END $$`.execute(db);

  await sql`
    CREATE OR REPLACE FUNCTION territory_ancestors_sync() RETURNS trigger
    LANGUAGE plpgsql SET jit = off AS $$${sql.raw(syncBody(DELETE_MOVED))}$$`.execute(db);

  await sql`ALTER TABLE territory_ancestors DROP CONSTRAINT territory_ancestors_code_fkey`.execute(
    db,
  );
  await sql`
    ALTER TABLE territory_ancestors DROP CONSTRAINT territory_ancestors_ancestor_code_fkey`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION territory_ancestors_delete_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM territory_ancestors ta
      WHERE ta.code IN (SELECT code FROM old_rows) OR ta.ancestor_code IN (SELECT code FROM old_rows);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER territory_ancestors_delete AFTER DELETE ON territories
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION territory_ancestors_delete_stmt()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER territory_ancestors_delete ON territories`.execute(db);
  await sql`DROP FUNCTION territory_ancestors_delete_stmt()`.execute(db);
  await sql`
    ALTER TABLE territory_ancestors
      ADD CONSTRAINT territory_ancestors_code_fkey FOREIGN KEY (code)
        REFERENCES territories(code) ON DELETE CASCADE,
      ADD CONSTRAINT territory_ancestors_ancestor_code_fkey FOREIGN KEY (ancestor_code)
        REFERENCES territories(code) ON DELETE CASCADE`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION territory_ancestors_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$${sql.raw(syncBody(DELETE_MOVED_1100))}$$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION territory_ancestors_insert_stmt() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      ${sql.raw(LINK_NEW_ROWS)};
      RETURN NULL;
    END $$`.execute(db);
}
