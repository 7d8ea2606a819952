import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// The region's review of pacts: its decisions (approve / return / reject / reduce) and the budget
// commitments ledger whose running totals live on funding_calls and funding_call_allocations.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per decision, with the eligibility report as it was when the region decided, so a
  // later change of rules or needs never rewrites why a pact was funded.
  await sql`
    CREATE TABLE pact_decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pact_id uuid NOT NULL REFERENCES pacts(id),
      call_id uuid REFERENCES funding_calls(id),
      kind text NOT NULL CHECK (kind IN ('approve','return','reject','reduce')),
      revision integer NOT NULL CHECK (revision >= 1),
      remarks text NOT NULL DEFAULT '' CHECK (length(remarks) <= 4000),
      approved_cents bigint CHECK (approved_cents >= 0),
      actions jsonb NOT NULL DEFAULT '[]'::jsonb,
      eligibility jsonb NOT NULL DEFAULT '{}'::jsonb,
      decided_by uuid NOT NULL REFERENCES users(id),
      decided_at timestamptz NOT NULL DEFAULT now(),
      CHECK (kind NOT IN ('return','reject') OR length(remarks) >= 1),
      CHECK (kind NOT IN ('approve','reduce') OR approved_cents IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX pact_decisions_pact_idx ON pact_decisions (pact_id, decided_at)`.execute(
    db,
  );

  // The ledger: commits are positive, releases negative, so SUM(amount_cents) by call, territory,
  // allocation, pact or action is what is committed there now. It always equals the running
  // totals (updated in the same transaction), whose CHECKs make overspending impossible.
  await sql`
    CREATE TABLE budget_commitments (
      id bigserial PRIMARY KEY,
      call_id uuid NOT NULL REFERENCES funding_calls(id),
      allocation_territory text,
      pact_id uuid NOT NULL REFERENCES pacts(id),
      action_id uuid NOT NULL REFERENCES pact_actions(id),
      territory_code text NOT NULL REFERENCES territories(code),
      decision_id uuid REFERENCES pact_decisions(id),
      kind text NOT NULL CHECK (kind IN ('commit','release')),
      amount_cents bigint NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      at timestamptz NOT NULL DEFAULT now(),
      by_user uuid REFERENCES users(id),
      FOREIGN KEY (call_id, allocation_territory)
        REFERENCES funding_call_allocations(call_id, territory_code),
      CHECK ((kind = 'commit' AND amount_cents > 0) OR (kind = 'release' AND amount_cents < 0))
    )`.execute(db);
  await sql`CREATE INDEX budget_commitments_call_idx ON budget_commitments (call_id, territory_code)`.execute(
    db,
  );
  await sql`CREATE INDEX budget_commitments_pact_idx ON budget_commitments (pact_id, action_id)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION budget_commitments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'budget_commitments is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER budget_commitments_no_change BEFORE UPDATE OR DELETE ON budget_commitments
      FOR EACH ROW EXECUTE FUNCTION budget_commitments_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER budget_commitments_no_change ON budget_commitments`.execute(db);
  await sql`DROP FUNCTION budget_commitments_append_only()`.execute(db);
  await sql`DROP TABLE budget_commitments`.execute(db);
  await sql`DROP TABLE pact_decisions`.execute(db);
}
