import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Funding calls: what a region offers, at which standard unit costs, under which rules. Pacts
// (next migration) choose a call; approvals and the budget ledger come after them.

export async function up(db: Kysely<any>): Promise<void> {
  // Money is in integer euro cents. The rules are all optional (NULL = no such rule), except the
  // unit costs, which every call states (0 is allowed for a cost the call does not pay).
  await sql`
    CREATE TABLE funding_calls (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      territory_code text NOT NULL REFERENCES territories(code),
      campaign_id uuid REFERENCES campaigns(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      description text CHECK (length(description) <= 4000),
      budget_cents bigint NOT NULL CHECK (budget_cents BETWEEN 1 AND 100000000000000),
      committed_cents bigint NOT NULL DEFAULT 0,
      course_hour_cents integer NOT NULL CHECK (course_hour_cents BETWEEN 0 AND 10000000),
      participant_hour_cents integer NOT NULL CHECK (participant_hour_cents BETWEEN 0 AND 1000000),
      max_hours_per_action integer CHECK (max_hours_per_action BETWEEN 1 AND 5000),
      min_participants integer CHECK (min_participants BETWEEN 1 AND 10000),
      max_participants integer CHECK (max_participants BETWEEN 1 AND 10000),
      max_cost_per_participant_cents bigint CHECK (max_cost_per_participant_cents BETWEEN 1 AND 10000000000),
      cofinancing_percent smallint NOT NULL DEFAULT 0 CHECK (cofinancing_percent BETWEEN 0 AND 100),
      deadline date NOT NULL,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed')),
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      opened_at timestamptz,
      closed_at timestamptz,
      -- The ledger's running total: the database itself refuses to commit past the budget.
      CHECK (committed_cents BETWEEN 0 AND budget_cents),
      CHECK (min_participants IS NULL OR max_participants IS NULL OR min_participants <= max_participants)
    )`.execute(db);
  await sql`CREATE INDEX funding_calls_territory_idx ON funding_calls (territory_code, status)`.execute(
    db,
  );

  // An optional share of the budget reserved for a territory (a province, say); approvals for
  // pacts in that territory commit against it as well as against the call.
  await sql`
    CREATE TABLE funding_call_allocations (
      call_id uuid NOT NULL REFERENCES funding_calls(id) ON DELETE CASCADE,
      territory_code text NOT NULL REFERENCES territories(code),
      amount_cents bigint NOT NULL CHECK (amount_cents BETWEEN 1 AND 100000000000000),
      committed_cents bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (call_id, territory_code),
      CHECK (committed_cents BETWEEN 0 AND amount_cents)
    )`.execute(db);

  // The skill areas a call funds; none listed = every area is eligible.
  await sql`
    CREATE TABLE funding_call_skill_areas (
      call_id uuid NOT NULL REFERENCES funding_calls(id) ON DELETE CASCADE,
      area_code text NOT NULL REFERENCES skill_areas(code),
      PRIMARY KEY (call_id, area_code)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['funding_call_skill_areas', 'funding_call_allocations', 'funding_calls']) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
