import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Local Training Pacts: the pact, its actions (courses), its revisions (content snapshots bound
// to a hash), its invited signatories and an append-only audit hash chain.

export async function up(db: Kysely<any>): Promise<void> {
  // `revision` is the current revision number and `revision_hash` its content hash: a signature
  // (next migration) counts only while it names them. requested_cents is the sum of the actions'
  // costs, kept by the service in the transaction that changes them.
  await sql`
    CREATE TABLE pacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id),
      territory_code text NOT NULL REFERENCES territories(code),
      promoter_org_id uuid NOT NULL REFERENCES organisations(id),
      call_id uuid REFERENCES funding_calls(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','negotiation','agreed',
        'submitted','returned','approved','in_progress','closed','rejected','withdrawn')),
      revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
      revision_hash text NOT NULL CHECK (revision_hash ~ '^[0-9a-f]{64}$'),
      requested_cents bigint NOT NULL DEFAULT 0 CHECK (requested_cents >= 0),
      approved_cents bigint CHECK (approved_cents >= 0),
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      submitted_at timestamptz,
      decided_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX pacts_campaign_idx ON pacts (campaign_id, status)`.execute(db);
  await sql`CREATE INDEX pacts_promoter_idx ON pacts (promoter_org_id)`.execute(db);
  await sql`CREATE INDEX pacts_territory_idx ON pacts (territory_code, status)`.execute(db);

  await sql`
    CREATE TABLE pact_actions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      position integer NOT NULL CHECK (position >= 0),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
      skill_codes text[] NOT NULL CHECK (cardinality(skill_codes) BETWEEN 1 AND 10),
      participants integer NOT NULL CHECK (participants BETWEEN 1 AND 10000),
      hours integer NOT NULL CHECK (hours BETWEEN 1 AND 2000),
      modality text NOT NULL CHECK (modality IN ('classroom','online','blended','on_the_job')),
      eqf_level smallint NOT NULL REFERENCES eqf_levels(level),
      period text NOT NULL CHECK (period ~ '^20[0-9]{2}-Q[1-4]$'),
      provider text CHECK (length(provider) BETWEEN 1 AND 200),
      cost_cents bigint CHECK (cost_cents >= 0),
      approved_cents bigint CHECK (approved_cents >= 0),
      cofinancing_cents bigint CHECK (cofinancing_cents >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX pact_actions_pact_idx ON pact_actions (pact_id, position)`.execute(db);

  await sql`
    CREATE TABLE pact_revisions (
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      number integer NOT NULL CHECK (number >= 1),
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      content jsonb NOT NULL,
      reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (pact_id, number)
    )`.execute(db);

  await sql`
    CREATE TABLE pact_signatories (
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      invited_by uuid NOT NULL REFERENCES users(id),
      invited_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz,
      PRIMARY KEY (pact_id, organisation_id)
    )`.execute(db);
  await sql`CREATE INDEX pact_signatories_org_idx ON pact_signatories (organisation_id)`.execute(
    db,
  );

  // Each entry's hash covers the previous entry's hash, so an edited or removed row breaks the
  // chain from there on; the trigger below refuses edits outright, the chain catches the rest
  // (a superuser disabling the trigger, a restored dump, direct edits on disk).
  await sql`
    CREATE TABLE pact_audit (
      id bigserial PRIMARY KEY,
      pact_id uuid NOT NULL REFERENCES pacts(id),
      seq integer NOT NULL CHECK (seq >= 1),
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid REFERENCES users(id),
      actor_org_id uuid REFERENCES organisations(id),
      event text NOT NULL CHECK (length(event) BETWEEN 1 AND 60),
      from_status text,
      to_status text,
      revision integer NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb,
      prev_hash text,
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      UNIQUE (pact_id, seq),
      CHECK ((seq = 1) = (prev_hash IS NULL))
    )`.execute(db);
  await sql`
    CREATE FUNCTION pact_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'pact_audit is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER pact_audit_no_change BEFORE UPDATE OR DELETE ON pact_audit
      FOR EACH ROW EXECUTE FUNCTION pact_audit_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER pact_audit_no_change ON pact_audit`.execute(db);
  await sql`DROP FUNCTION pact_audit_append_only()`.execute(db);
  for (const t of ['pact_audit', 'pact_signatories', 'pact_revisions', 'pact_actions', 'pacts']) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
