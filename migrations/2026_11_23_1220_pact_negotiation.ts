import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Pact negotiation: signatures bound to a revision, comments, amendments and each signatory's
// position on each action.

export async function up(db: Kysely<any>): Promise<void> {
  // A signature names the revision AND its hash: it counts only while pacts.revision equals it.
  // Old signatures are never deleted (the document and the board show them as superseded).
  // The FK to pact_signatories keeps a non-invited organisation from ever having a row here.
  await sql`
    CREATE TABLE pact_signatures (
      pact_id uuid NOT NULL,
      organisation_id uuid NOT NULL,
      revision integer NOT NULL,
      revision_hash text NOT NULL CHECK (revision_hash ~ '^[0-9a-f]{64}$'),
      signed_by uuid NOT NULL REFERENCES users(id),
      signed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (pact_id, organisation_id, revision),
      FOREIGN KEY (pact_id, organisation_id)
        REFERENCES pact_signatories(pact_id, organisation_id) ON DELETE CASCADE,
      FOREIGN KEY (pact_id, revision) REFERENCES pact_revisions(pact_id, number) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX pact_signatures_revision_idx ON pact_signatures (pact_id, revision)`.execute(
    db,
  );

  // A comment is about the pact (action_id NULL) or one action. If the action is removed later
  // the comment stays in the record, under the action's title as it was (action_title).
  await sql`
    CREATE TABLE pact_comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      action_id uuid REFERENCES pact_actions(id) ON DELETE SET NULL,
      action_title text CHECK (length(action_title) <= 200),
      revision integer NOT NULL CHECK (revision >= 1),
      author_id uuid NOT NULL REFERENCES users(id),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX pact_comments_pact_idx ON pact_comments (pact_id, created_at)`.execute(db);

  // action_id has no foreign key on purpose: an amendment is a record of what was proposed,
  // and its target may be removed meanwhile (it is then outdated, not deleted).
  // base = the target's fields as they were when proposed (the staleness check compares them
  // with the current ones); proposal = the fields proposed.
  await sql`
    CREATE TABLE pact_amendments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('change_action','add_action','remove_action','change_pact')),
      action_id uuid,
      base_revision integer NOT NULL CHECK (base_revision >= 1),
      base jsonb NOT NULL DEFAULT '{}'::jsonb,
      proposal jsonb NOT NULL DEFAULT '{}'::jsonb,
      rationale text NOT NULL DEFAULT '' CHECK (length(rationale) <= 2000),
      proposed_by uuid NOT NULL REFERENCES users(id),
      organisation_id uuid NOT NULL REFERENCES organisations(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      status text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open','accepted','declined','outdated','withdrawn')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      decision_reason text CHECK (length(decision_reason) <= 1000),
      result_revision integer,
      CHECK ((kind IN ('change_action','remove_action')) = (action_id IS NOT NULL)),
      CHECK (status <> 'declined' OR coalesce(length(decision_reason), 0) >= 1),
      CHECK ((status = 'open') = (decided_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX pact_amendments_pact_idx ON pact_amendments (pact_id, status)`.execute(db);

  // One position per (action, signatory organisation); replaced when set again.
  await sql`
    CREATE TABLE pact_positions (
      pact_id uuid NOT NULL REFERENCES pacts(id) ON DELETE CASCADE,
      action_id uuid NOT NULL REFERENCES pact_actions(id) ON DELETE CASCADE,
      organisation_id uuid NOT NULL,
      position text NOT NULL CHECK (position IN ('agree','amend','object')),
      note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
      revision integer NOT NULL CHECK (revision >= 1),
      set_by uuid NOT NULL REFERENCES users(id),
      set_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (action_id, organisation_id),
      FOREIGN KEY (pact_id, organisation_id)
        REFERENCES pact_signatories(pact_id, organisation_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX pact_positions_pact_idx ON pact_positions (pact_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['pact_positions', 'pact_amendments', 'pact_comments', 'pact_signatures']) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
