import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Notifications: an in-app inbox per user, each user's e-mail preference, and an outbox of
// e-mails that a worker sends over SMTP at most once.

export async function up(db: Kysely<any>): Promise<void> {
  // The outbox first: a notification points at the e-mail (immediate or digest) that carried it.
  // status: pending → sending (claimed) → sent | failed; a row found in 'sending' after a crash
  // becomes 'uncertain' and is never sent again (it may or may not have left).
  await sql`
    CREATE TABLE email_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid REFERENCES users(id),
      to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
      kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,60}$'),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending','sending','sent','failed','uncertain')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      sent_at timestamptz,
      last_error text CHECK (length(last_error) <= 2000),
      message_id text UNIQUE CHECK (length(message_id) <= 300),
      CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
      CHECK (status = 'pending' OR claimed_at IS NOT NULL OR status = 'failed')
    )`.execute(db);
  // The worker's claim: the oldest due pending rows, and the startup sweep of 'sending' rows.
  await sql`CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at)
    WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX email_outbox_sending_idx ON email_outbox (claimed_at)
    WHERE status = 'sending'`.execute(db);

  await sql`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,60}$'),
      params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
      -- A path on this site: "//host" and "/\\host" are other sites to a browser (open redirect).
      link text NOT NULL CHECK (length(link) <= 500 AND link ~ '^/([^/\\\\]|$)'),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      email_id uuid REFERENCES email_outbox(id)
    )`.execute(db);
  // The inbox page (newest first) and the header badge (one COUNT on a small partial index).
  await sql`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at)
    WHERE read_at IS NULL`.execute(db);

  // No row means the default: immediate e-mail.
  await sql`
    CREATE TABLE notification_preferences (
      user_id uuid PRIMARY KEY REFERENCES users(id),
      email_mode text NOT NULL DEFAULT 'immediate' CHECK (email_mode IN ('immediate','digest','off')),
      digest_sent_on date,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // The worker asks every few seconds who is due a digest: only digest users are indexed.
  await sql`CREATE INDEX notification_preferences_digest_idx ON notification_preferences
    (digest_sent_on) WHERE email_mode = 'digest'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE notification_preferences`.execute(db);
  await sql`DROP TABLE notifications`.execute(db);
  await sql`DROP TABLE email_outbox`.execute(db);
}
