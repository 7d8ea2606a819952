import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A region extends an open survey's closing day or an open call's deadline (a "proroga"):
// the day first published is kept, so every page can say it was extended and from when.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE campaigns
      ADD COLUMN first_closes_at date,
      ADD CONSTRAINT campaigns_extension_check
        CHECK (first_closes_at IS NULL OR first_closes_at < closes_at)`.execute(db);
  await sql`
    ALTER TABLE funding_calls
      ADD COLUMN first_deadline date,
      ADD CONSTRAINT funding_calls_extension_check
        CHECK (first_deadline IS NULL OR first_deadline < deadline)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE funding_calls DROP COLUMN first_deadline`.execute(db);
  await sql`ALTER TABLE campaigns DROP COLUMN first_closes_at`.execute(db);
}
