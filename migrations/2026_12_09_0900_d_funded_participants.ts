import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// How many of an action's planned participants the region's approved amount funds: all of them
// on a full approval, what the region states (by default pro rata) when it approves the action
// in part, none when it cuts it to zero. Null until the action is approved. Coverage figures
// (dashboard, the firm's needs, open data) count these, not the participants planned.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE pact_actions
      ADD COLUMN funded_participants integer,
      ADD CONSTRAINT pact_actions_funded_participants_check
        CHECK (funded_participants BETWEEN 0 AND participants)`.execute(db);
  // Already approved actions: in full → every participant; cut to zero → none; in part → the
  // pro-rata figure of the full grant (cost less the firms' share), at least one.
  await sql`
    UPDATE pact_actions SET funded_participants = CASE
        WHEN approved_cents <= 0 THEN 0
        WHEN approved_cents >= coalesce(cost_cents, 0) - coalesce(cofinancing_cents, 0)
          THEN participants
        ELSE greatest(1, floor(participants::numeric * approved_cents
                               / (cost_cents - coalesce(cofinancing_cents, 0)))::int)
      END
    WHERE approved_cents IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE pact_actions DROP COLUMN funded_participants`.execute(db);
}
