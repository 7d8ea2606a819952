import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The platform operator's care of organisations (modules/accounts/admin-organisations.*):
// organisation_events keeps every correction an admin makes to an organisation: a rename (the
// name before and after) or a territory corrected before the organisation took part in anything
// (the codes before and after), with who, when and why; append-only like account_events. A firm
// changing its own name or comune through its profile is the firm's record (firms.updated_*).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE organisation_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      event text NOT NULL CHECK (event IN ('renamed', 'territory_changed')),
      old_value text NOT NULL CHECK (length(old_value) BETWEEN 1 AND 200),
      new_value text NOT NULL CHECK (length(new_value) BETWEEN 1 AND 200),
      actor_id uuid NOT NULL REFERENCES users(id),
      reason text CHECK (length(reason) BETWEEN 1 AND 500),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE INDEX organisation_events_org_idx ON organisation_events (organisation_id, id DESC)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION organisation_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'organisation_events is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER organisation_events_no_change BEFORE UPDATE OR DELETE ON organisation_events
      FOR EACH ROW EXECUTE FUNCTION organisation_events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER organisation_events_no_change ON organisation_events`.execute(db);
  await sql`DROP TABLE organisation_events`.execute(db);
  await sql`DROP FUNCTION organisation_events_append_only()`.execute(db);
}
