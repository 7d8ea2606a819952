import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A region raises the budget of an open call (a "rifinanziamento"), and optionally some of its
// per-territory reserves: the budget first published is kept on the call, and every raise is a
// row here, append-only, saying from what to what, why and who.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE funding_calls
      ADD COLUMN first_budget_cents bigint,
      ADD CONSTRAINT funding_calls_raise_check
        CHECK (first_budget_cents IS NULL OR first_budget_cents BETWEEN 1 AND budget_cents - 1)`.execute(
    db,
  );
  await sql`
    CREATE TABLE funding_call_budget_raises (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      call_id uuid NOT NULL REFERENCES funding_calls(id),
      from_cents bigint NOT NULL CHECK (from_cents >= 1),
      to_cents bigint NOT NULL CHECK (to_cents <= 100000000000000),
      -- The reserves raised with it: [{ "territoryCode", "fromCents", "toCents" }].
      allocations jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(allocations) = 'array'),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      by_user uuid NOT NULL REFERENCES users(id),
      at timestamptz NOT NULL DEFAULT now(),
      CHECK (to_cents > from_cents)
    )`.execute(db);
  await sql`CREATE INDEX funding_call_budget_raises_call_idx ON funding_call_budget_raises (call_id, at)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION funding_call_budget_raises_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'funding_call_budget_raises is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER funding_call_budget_raises_no_change
      BEFORE UPDATE OR DELETE ON funding_call_budget_raises
      FOR EACH ROW EXECUTE FUNCTION funding_call_budget_raises_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE funding_call_budget_raises`.execute(db);
  await sql`DROP FUNCTION funding_call_budget_raises_append_only()`.execute(db);
  await sql`ALTER TABLE funding_calls DROP COLUMN first_budget_cents`.execute(db);
}
