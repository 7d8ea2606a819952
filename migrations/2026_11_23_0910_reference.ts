import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Reference data keeps its history: rows are closed (valid_to), never deleted or rewritten.
export async function up(db: Kysely<any>): Promise<void> {
  // The cadastral code survives ISTAT renumbering (Sardinia 2025/26), so importers match on it.
  await sql`
    ALTER TABLE territories
      ADD COLUMN cadastral_code text CHECK (cadastral_code ~ '^[A-Z][0-9]{3}$')`.execute(db);
  await sql`CREATE INDEX territories_cadastral_idx ON territories (cadastral_code)
      WHERE cadastral_code IS NOT NULL`.execute(db);
  // Importers load a classification in file order, where a child may precede its parent: the
  // parent check runs at commit, inside the import transaction.
  await sql`
    ALTER TABLE territories
      ALTER CONSTRAINT territories_parent_code_fkey DEFERRABLE INITIALLY IMMEDIATE`.execute(db);

  // Every state a territory has been in (name, parent, level), as half-open date intervals
  // [valid_from, valid_to); the open interval mirrors the current territories row.
  await sql`
    CREATE TABLE territory_versions (
      code text NOT NULL REFERENCES territories(code),
      valid_from date NOT NULL,
      valid_to date,
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 40),
      level text NOT NULL CHECK (level IN ('NUTS0','NUTS1','NUTS2','NUTS3','LAU')),
      -- Not a foreign key: only the importers write history, after checking the parent, and
      -- one check fewer per row keeps a country-wide import fast.
      parent_code text CHECK (parent_code ~ '^[A-Z0-9]{2,12}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      PRIMARY KEY (code, valid_from),
      CHECK (valid_to IS NULL OR valid_to > valid_from),
      CHECK ((level = 'NUTS0') = (parent_code IS NULL))
    )`.execute(db);
  await sql`
    CREATE UNIQUE INDEX territory_versions_open_key ON territory_versions (code)
      WHERE valid_to IS NULL`.execute(db);
  // A renumbered or merged unit links its old code to the new one.
  await sql`
    CREATE TABLE territory_successors (
      old_code text NOT NULL REFERENCES territories(code),
      new_code text NOT NULL REFERENCES territories(code),
      since date NOT NULL,
      kind text NOT NULL CHECK (kind IN ('renumbered','merged','split','recoded')),
      PRIMARY KEY (old_code, new_code),
      CHECK (old_code <> new_code)
    )`.execute(db);
  await sql`CREATE INDEX territory_successors_new_idx ON territory_successors (new_code)`.execute(
    db,
  );

  // NACE sections and divisions per classification version (NACE2, NACE2.1). ATECO shares the
  // section letters and the first two digits with the NACE version it is built on, so an ATECO
  // code maps onto a division by prefix: ateco_version names which ATECO edition that is.
  await sql`
    CREATE TABLE sectors (
      version text NOT NULL CHECK (version IN ('NACE2','NACE2.1')),
      code text NOT NULL CHECK (code ~ '^([A-Z]|[0-9]{2})$'),
      level text NOT NULL CHECK (level IN ('section','division')),
      parent_code text,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      ateco_version text NOT NULL CHECK (ateco_version IN ('ATECO2007','ATECO2025')),
      position integer NOT NULL,
      PRIMARY KEY (version, code),
      FOREIGN KEY (version, parent_code) REFERENCES sectors(version, code),
      CHECK ((level = 'section') = (code ~ '^[A-Z]$')),
      CHECK ((level = 'section') = (parent_code IS NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE skill_areas (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9._-]{0,39}$'),
      framework text NOT NULL CHECK (framework IN ('formazione40','digcomp','esco','custom')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      esco_uri text CHECK (esco_uri ~ '^http://data\\.europa\\.eu/esco/'),
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 40),
      position integer NOT NULL DEFAULT 0
    )`.execute(db);

  await sql`
    CREATE TABLE skills (
      code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$'),
      area_code text NOT NULL REFERENCES skill_areas(code),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      description text CHECK (length(description) <= 4000),
      esco_uri text CHECK (esco_uri ~ '^http://data\\.europa\\.eu/esco/'),
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 40),
      position integer NOT NULL DEFAULT 0,
      valid_from date NOT NULL DEFAULT DATE '1900-01-01',
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    )`.execute(db);
  await sql`CREATE INDEX skills_area_idx ON skills (area_code, position)`.execute(db);
  // ESCO identifies a concept by URI: one skill per URI, whatever its code.
  await sql`CREATE UNIQUE INDEX skills_esco_uri_key ON skills (esco_uri) WHERE esco_uri IS NOT NULL`.execute(
    db,
  );

  // ISCO-08 major (1 digit) and sub-major (2 digits) groups.
  await sql`
    CREATE TABLE occupations (
      code text PRIMARY KEY CHECK (code ~ '^[0-9]{1,2}$'),
      level text NOT NULL CHECK (level IN ('major','sub-major')),
      parent_code text REFERENCES occupations(code),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      esco_uri text CHECK (esco_uri ~ '^http://data\\.europa\\.eu/esco/'),
      version text NOT NULL DEFAULT 'ISCO-08',
      CHECK ((level = 'major') = (length(code) = 1)),
      CHECK ((level = 'major') = (parent_code IS NULL)),
      CHECK (parent_code IS NULL OR code LIKE parent_code || '_')
    )`.execute(db);

  await sql`
    CREATE TABLE eqf_levels (
      level integer PRIMARY KEY CHECK (level BETWEEN 1 AND 8),
      descriptor jsonb NOT NULL DEFAULT '{}'::jsonb,
      knowledge text NOT NULL,
      skills text NOT NULL,
      responsibility_autonomy text NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'eqf_levels',
    'occupations',
    'skills',
    'skill_areas',
    'sectors',
    'territory_successors',
    'territory_versions',
  ]) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
  await sql`
    ALTER TABLE territories
      ALTER CONSTRAINT territories_parent_code_fkey NOT DEFERRABLE`.execute(db);
  await sql`ALTER TABLE territories DROP COLUMN cadastral_code`.execute(db);
}
