import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The strategic dashboard reads, per campaign, the firms that answered by territory (count,
// employees, readiness score): a covering index over the current versions lets PostgreSQL
// answer from the index alone (no heap visit for 100k responses of a region).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX responses_dashboard_idx ON responses (campaign_id, territory_code)
      INCLUDE (employees, readiness_score) WHERE status = 'current'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX responses_dashboard_idx`.execute(db);
}
