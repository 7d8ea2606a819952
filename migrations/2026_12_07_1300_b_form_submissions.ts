import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// form_submissions: the one-time key a creation form carries (http/form-key.ts) and the record
// its first post made, so a second post of the same form (a double click, a refresh of the
// answer) leads to that record instead of making another. Kept a month, then pruned.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE form_submissions (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      form_key uuid NOT NULL,
      record_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, form_key)
    )`.execute(db);
  await sql`CREATE INDEX form_submissions_record_idx ON form_submissions (record_id)`.execute(db);
  await sql`CREATE INDEX form_submissions_created_idx ON form_submissions (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE form_submissions`.execute(db);
}
