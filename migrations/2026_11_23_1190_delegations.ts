import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Delegations: a firm lets an employer association answer surveys on its behalf (as Italy's
// training funds let a company delegate act). Revocable, never deleted; every act is audited.

export async function up(db: Kysely<any>): Promise<void> {
  // That the association is an employer association is checked by the service when granting
  // (a CHECK cannot look at another table); the row keeps who granted and who revoked.
  await sql`
    CREATE TABLE delegations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      firm_id uuid NOT NULL REFERENCES firms(organisation_id),
      association_id uuid NOT NULL REFERENCES organisations(id),
      granted_at timestamptz NOT NULL DEFAULT now(),
      granted_by uuid NOT NULL REFERENCES users(id),
      revoked_at timestamptz,
      revoked_by uuid REFERENCES users(id),
      CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
      CHECK (firm_id <> association_id)
    )`.execute(db);
  // At most one active delegation per firm and association: granting twice is one grant.
  await sql`
    CREATE UNIQUE INDEX delegations_active_key ON delegations (firm_id, association_id)
      WHERE revoked_at IS NULL`.execute(db);
  await sql`CREATE INDEX delegations_association_idx ON delegations (association_id, revoked_at)`.execute(
    db,
  );

  // Append-only audit: grants, revocations, and what the association did under a delegation.
  await sql`
    CREATE TABLE delegation_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delegation_id uuid NOT NULL REFERENCES delegations(id),
      kind text NOT NULL CHECK (kind IN
        ('granted','revoked','draft_saved','submitted','amended','withdrawn')),
      actor_id uuid NOT NULL REFERENCES users(id),
      at timestamptz NOT NULL DEFAULT now(),
      campaign_id uuid REFERENCES campaigns(id),
      response_id uuid REFERENCES responses(id)
    )`.execute(db);
  await sql`CREATE INDEX delegation_events_delegation_idx ON delegation_events (delegation_id, at)`.execute(
    db,
  );

  // The delegation a version was submitted under (NULL: by the firm itself).
  await sql`ALTER TABLE responses ADD COLUMN delegation_id uuid REFERENCES delegations(id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE responses DROP COLUMN delegation_id`.execute(db);
  await sql`DROP TABLE delegation_events`.execute(db);
  await sql`DROP TABLE delegations`.execute(db);
}
