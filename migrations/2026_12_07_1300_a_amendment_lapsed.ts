import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// An amendment still open when its pact leaves the states in which amendments are decided
// (submitted to the region, withdrawn) lapses: 'lapsed', with the moment it did, nobody's
// decision (decided_by stays empty). Recorded in the pact's audit chain by the application.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE pact_amendments
      DROP CONSTRAINT pact_amendments_status_check,
      ADD CONSTRAINT pact_amendments_status_check
        CHECK (status IN ('open','accepted','declined','outdated','withdrawn','lapsed'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE pact_amendments
      DROP CONSTRAINT pact_amendments_status_check,
      ADD CONSTRAINT pact_amendments_status_check
        CHECK (status IN ('open','accepted','declined','outdated','withdrawn'))`.execute(db);
}
