import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A firm's own submission without BEGIN, a locked read and COMMIT (figures in
// docs/PERFORMANCE.md): the app reads the draft, its campaign and the firm unlocked, checks
// everything, then calls this function in one statement. It writes only if what the checks
// relied on still holds, under the same locks as the transactional path takes, in the same order
// (the draft for update, then the campaign for share): the draft still at the version read and
// being edited, the campaign's status and dates as read. Otherwise it writes nothing and returns
// NULL, and the app submits through the transactional path, which tells the user what changed.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION survey_submission_checked(p_response jsonb, p_lines jsonb,
      p_draft_version integer, p_step integer, p_user uuid, p_payload jsonb,
      p_campaign_status text, p_opens_at date, p_closes_at date)
    RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
      v_campaign uuid := (p_response->>'campaign_id')::uuid;
      v_firm uuid := (p_response->>'firm_id')::uuid;
    BEGIN
      PERFORM 1 FROM response_drafts
      WHERE campaign_id = v_campaign AND firm_id = v_firm AND version = p_draft_version
        AND state = 'editing'
      FOR UPDATE;
      IF NOT FOUND THEN RETURN NULL; END IF;
      PERFORM 1 FROM campaigns
      WHERE id = v_campaign AND status = p_campaign_status AND opens_at = p_opens_at
        AND closes_at = p_closes_at
      FOR SHARE;
      IF NOT FOUND THEN RETURN NULL; END IF;
      RETURN survey_submission_write(p_response, p_lines, p_draft_version, p_step, p_user,
        p_payload);
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION survey_submission_checked(jsonb, jsonb, integer, integer, uuid, jsonb,
    text, date, date)`.execute(db);
}
