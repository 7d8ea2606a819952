import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE territories (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{2,12}$'),
      level text NOT NULL CHECK (level IN ('NUTS0','NUTS1','NUTS2','NUTS3','LAU')),
      parent_code text REFERENCES territories(code),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      names jsonb NOT NULL DEFAULT '{}'::jsonb,
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 40),
      valid_from date NOT NULL DEFAULT DATE '1900-01-01',
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from),
      CHECK ((level = 'NUTS0') = (parent_code IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX territories_parent_idx ON territories (parent_code)`.execute(db);

  await sql`
    CREATE TABLE organisations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('firm','local_authority','social_partner','region','admin')),
      partner_type text CHECK (partner_type IN ('employer_association','trade_union','chamber_of_commerce')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      territory_code text NOT NULL REFERENCES territories(code),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'social_partner') = (partner_type IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX organisations_territory_idx ON organisations (territory_code)`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 120),
      password_hash text NOT NULL,
      locale text CHECK (locale IN ('it','en')),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_login_at timestamptz,
      disabled_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email_key ON users (email)`.execute(db);
  await sql`CREATE INDEX users_organisation_idx ON users (organisation_id)`.execute(db);

  await sql`
    CREATE TABLE invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      token_hash text NOT NULL UNIQUE,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_user_id uuid REFERENCES users(id),
      revoked_at timestamptz,
      CHECK ((accepted_at IS NULL) = (accepted_user_id IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX invitations_organisation_idx ON invitations (organisation_id)`.execute(db);

  await sql`
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`.execute(db);

  // The layout connect-pg-simple expects.
  await sql`
    CREATE TABLE session (
      sid varchar NOT NULL PRIMARY KEY,
      sess json NOT NULL,
      expire timestamp(6) NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX session_expire_idx ON session (expire)`.execute(db);

  await sql`
    CREATE TABLE rate_limits (
      key text PRIMARY KEY,
      hits integer NOT NULL CHECK (hits >= 0),
      reset_at timestamptz NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'rate_limits',
    'session',
    'api_tokens',
    'invitations',
    'users',
    'organisations',
    'territories',
  ]) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
