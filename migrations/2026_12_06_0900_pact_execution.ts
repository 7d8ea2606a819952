import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// Execution of approved pacts: what each action delivered, reported per quarter, with the
// participant counts the ESF+ common output indicators need (Regulation (EU) 2021/1057, Annex I).
// Counts only: no personal data about a participant is ever stored.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per action and reporting quarter, holding that quarter's flows: participants who
  // entered the action (with their breakdown at entry, as ESF+ counts them), participants who
  // completed it, hours delivered and money spent in the quarter. A later report for the same
  // quarter replaces its figures (the pact's audit chain keeps every report). Each breakdown adds
  // up to `enrolled`, so an indicator never counts more people than entered; totals across
  // quarters (completed <= enrolled, hours <= planned) are checked by the service.
  await sql`
    CREATE TABLE action_outcomes (
      action_id uuid NOT NULL REFERENCES pact_actions(id),
      period text NOT NULL CHECK (period ~ '^20[0-9]{2}-Q[1-4]$'),
      pact_id uuid NOT NULL REFERENCES pacts(id),
      enrolled integer NOT NULL CHECK (enrolled BETWEEN 0 AND 10000),
      completed integer NOT NULL CHECK (completed BETWEEN 0 AND 10000),
      hours_delivered integer NOT NULL CHECK (hours_delivered BETWEEN 0 AND 2000),
      spent_cents bigint NOT NULL CHECK (spent_cents BETWEEN 0 AND 100000000000),
      cofinanced_cents bigint NOT NULL DEFAULT 0 CHECK (cofinanced_cents BETWEEN 0 AND 100000000000),
      women integer NOT NULL DEFAULT 0 CHECK (women >= 0),
      men integer NOT NULL DEFAULT 0 CHECK (men >= 0),
      non_binary integer NOT NULL DEFAULT 0 CHECK (non_binary >= 0),
      age_under_30 integer NOT NULL DEFAULT 0 CHECK (age_under_30 >= 0),
      age_30_54 integer NOT NULL DEFAULT 0 CHECK (age_30_54 >= 0),
      age_55_plus integer NOT NULL DEFAULT 0 CHECK (age_55_plus >= 0),
      employed integer NOT NULL DEFAULT 0 CHECK (employed >= 0),
      unemployed integer NOT NULL DEFAULT 0 CHECK (unemployed >= 0),
      long_term_unemployed integer NOT NULL DEFAULT 0 CHECK (long_term_unemployed >= 0),
      inactive integer NOT NULL DEFAULT 0 CHECK (inactive >= 0),
      isced_0_2 integer NOT NULL DEFAULT 0 CHECK (isced_0_2 >= 0),
      isced_3_4 integer NOT NULL DEFAULT 0 CHECK (isced_3_4 >= 0),
      isced_5_8 integer NOT NULL DEFAULT 0 CHECK (isced_5_8 >= 0),
      reported_by uuid NOT NULL REFERENCES users(id),
      reported_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (action_id, period),
      CHECK (women + men + non_binary = enrolled),
      CHECK (age_under_30 + age_30_54 + age_55_plus = enrolled),
      CHECK (employed + unemployed + inactive = enrolled),
      CHECK (long_term_unemployed <= unemployed),
      CHECK (isced_0_2 + isced_3_4 + isced_5_8 = enrolled)
    )`.execute(db);
  await sql`CREATE INDEX action_outcomes_pact_idx ON action_outcomes (pact_id, period)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE action_outcomes`.execute(db);
}
