import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The protection patterns now treat the area and skill tables as one hierarchy (an area's workers
// are the sum of its skills'): the patterns cached before were solved without those lines, and
// one could be worked out from the two tables together. They are dropped, so every pattern is
// solved again on its next read.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM need_protection_cache`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: the cache fills again on read.
}
