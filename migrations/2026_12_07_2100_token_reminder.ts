import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A token about to expire tells its owner once, the first time it is used in its last 14 days
// (an integration otherwise stops one morning without warning): when that was, so it is told
// once only.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_tokens ADD COLUMN reminded_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_tokens DROP COLUMN reminded_at`.execute(db);
}
