import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE import_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('istat','nuts','esco')),
      version text CHECK (length(version) <= 40),
      file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
      file_bytes bigint NOT NULL CHECK (file_bytes >= 0),
      status text NOT NULL CHECK (status IN ('running','done','failed')),
      rows_done integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
      report jsonb,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX import_jobs_created_idx ON import_jobs (created_at DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE import_jobs`.execute(db);
}
