import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The platform operator's care of accounts (modules/accounts/admin-users.*):
// - account_events: what was done to an account and by whom (disabled with a reason, enabled
//   again, a password-reset link issued or used), append-only like the pacts' audit.
// - password_resets: single-use links to set a new password, issued by an admin or mailed on
//   request; only the SHA-256 of the link's secret is kept, as for invitations and API tokens.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE account_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id),
      event text NOT NULL
        CHECK (event IN ('disabled', 'enabled', 'reset_issued', 'reset_requested', 'reset_used')),
      actor_id uuid REFERENCES users(id),
      reason text CHECK (length(reason) BETWEEN 1 AND 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((event = 'disabled') = (reason IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX account_events_user_idx ON account_events (user_id, id DESC)`.execute(db);
  await sql`
    CREATE FUNCTION account_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'account_events is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER account_events_no_change BEFORE UPDATE OR DELETE ON account_events
      FOR EACH ROW EXECUTE FUNCTION account_events_append_only()`.execute(db);

  await sql`
    CREATE TABLE password_resets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    )`.execute(db);
  await sql`CREATE INDEX password_resets_user_idx ON password_resets (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE password_resets`.execute(db);
  await sql`DROP TRIGGER account_events_no_change ON account_events`.execute(db);
  await sql`DROP TABLE account_events`.execute(db);
  await sql`DROP FUNCTION account_events_append_only()`.execute(db);
}
