import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The platform operator corrects an account's e-mail address (a person's address changed, a typo
// at the invitation): account_events keeps the old and the new address of each correction, in
// the same append-only history as disabling and enabling.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE account_events DROP CONSTRAINT account_events_event_check`.execute(db);
  await sql`
    ALTER TABLE account_events
      ADD CONSTRAINT account_events_event_check CHECK (event IN ('disabled', 'enabled',
        'reset_issued', 'reset_requested', 'reset_used', 'email_changed')),
      ADD COLUMN old_value text CHECK (length(old_value) BETWEEN 1 AND 254),
      ADD COLUMN new_value text CHECK (length(new_value) BETWEEN 1 AND 254),
      ADD CONSTRAINT account_events_values_check
        CHECK ((event = 'email_changed') = (old_value IS NOT NULL AND new_value IS NOT NULL)),
      ADD CONSTRAINT account_events_no_value_check
        CHECK (event = 'email_changed' OR (old_value IS NULL AND new_value IS NULL))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The corrections' rows cannot stay under the old constraint: the table is append-only, so a
  // database that has any refuses to go down (the trigger raises) rather than lose them.
  await sql`DELETE FROM account_events WHERE event = 'email_changed'`.execute(db);
  await sql`
    ALTER TABLE account_events
      DROP CONSTRAINT account_events_no_value_check,
      DROP CONSTRAINT account_events_values_check,
      DROP COLUMN new_value,
      DROP COLUMN old_value,
      DROP CONSTRAINT account_events_event_check,
      ADD CONSTRAINT account_events_event_check CHECK (event IN ('disabled', 'enabled',
        'reset_issued', 'reset_requested', 'reset_used'))`.execute(db);
}
