import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// API tokens expire: a leaked token that nobody remembers no longer works for ever. Each token
// has its end, chosen at creation (30, 90 or 365 days; 90 when not said, as the column's
// default); tokens made before this migration, when none expired, get one year from now, so no
// program using one stops without its owner having a year to notice.
// The lookup stays one statement: api_token_user now also finds an expired token, and says so
// (`expired`, and when: `expires_at`), so the API answers "expired" rather than "unknown"; an expired token's last use
// is not recorded.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz`.execute(db);
  await sql`UPDATE api_tokens SET expires_at = now() + interval '1 year'`.execute(db);
  await sql`
    ALTER TABLE api_tokens
      ALTER COLUMN expires_at SET NOT NULL,
      ALTER COLUMN expires_at SET DEFAULT now() + interval '90 days',
      ADD CONSTRAINT api_tokens_expiry_check CHECK (expires_at > created_at)`.execute(db);
  await sql`DROP FUNCTION api_token_user(text)`.execute(db);
  await sql`
    CREATE FUNCTION api_token_user(p_hash text)
    RETURNS TABLE (user_id uuid, email text, full_name text, role text, partner_type text,
      organisation_id uuid, organisation_name text, territory_code text, token_id uuid,
      expires_at timestamptz, expired boolean)
    LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      WITH t AS (
        SELECT u.id, u.email, u.full_name, o.kind, o.partner_type, o.id AS org_id, o.name,
               o.territory_code, k.id AS token_id, k.expires_at,
               k.expires_at <= now() AS expired
        FROM api_tokens k
        JOIN users u ON u.id = k.user_id
        JOIN organisations o ON o.id = u.organisation_id
        WHERE k.token_hash = p_hash AND k.revoked_at IS NULL AND u.disabled_at IS NULL
      ), touched AS (
        UPDATE api_tokens SET last_used_at = now()
        WHERE id = (SELECT t.token_id FROM t WHERE NOT t.expired)
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      )
      SELECT t.id, t.email, t.full_name, t.kind, t.partner_type, t.org_id, t.name,
             t.territory_code, t.token_id, t.expires_at, t.expired
      FROM t;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION api_token_user(text)`.execute(db);
  await sql`
    CREATE FUNCTION api_token_user(p_hash text)
    RETURNS TABLE (user_id uuid, email text, full_name text, role text, partner_type text,
      organisation_id uuid, organisation_name text, territory_code text, token_id uuid)
    LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      WITH t AS (
        SELECT u.id, u.email, u.full_name, o.kind, o.partner_type, o.id AS org_id, o.name,
               o.territory_code, k.id AS token_id
        FROM api_tokens k
        JOIN users u ON u.id = k.user_id
        JOIN organisations o ON o.id = u.organisation_id
        WHERE k.token_hash = p_hash AND k.revoked_at IS NULL AND u.disabled_at IS NULL
      ), touched AS (
        UPDATE api_tokens SET last_used_at = now()
        WHERE id = (SELECT t.token_id FROM t)
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      )
      SELECT t.id, t.email, t.full_name, t.kind, t.partner_type, t.org_id, t.name,
             t.territory_code, t.token_id
      FROM t;
    END $$`.execute(db);
  await sql`ALTER TABLE api_tokens DROP COLUMN expires_at`.execute(db);
}
