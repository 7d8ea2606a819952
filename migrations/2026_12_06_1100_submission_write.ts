import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A survey submission's writes as one function (figures in docs/PERFORMANCE.md): the statements
// are those of the submit path before (supersede, number, insert with lines, queue both changes
// for the needs aggregate, mark the draft), but a function keeps their plans for the session, so
// a submission no longer parses and plans them each time (about a third of its server time).
// The caller holds the draft row FOR UPDATE and has checked everything; p_response carries the
// version's columns (not its number, which is the next one here), p_lines its need lines.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION survey_submission_write(p_response jsonb, p_lines jsonb,
      p_draft_version integer, p_step integer, p_user uuid, p_payload jsonb)
    RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
      v_campaign uuid := (p_response->>'campaign_id')::uuid;
      v_firm uuid := (p_response->>'firm_id')::uuid;
      v_version integer;
    BEGIN
      -- The current version stops counting, and the aggregate is told.
      WITH superseded AS (
        UPDATE responses SET status = 'superseded', superseded_at = now()
        WHERE campaign_id = v_campaign AND firm_id = v_firm AND status = 'current'
        RETURNING id, campaign_id)
      INSERT INTO need_changes (response_id, sign, campaign_id)
      SELECT id, -1, campaign_id FROM superseded;

      SELECT coalesce(max(version), 0) + 1 INTO v_version
      FROM responses WHERE campaign_id = v_campaign AND firm_id = v_firm;

      WITH r AS (
        INSERT INTO responses (id, campaign_id, firm_id, version, status, submitted_by,
          legal_name, territory_code, nace_version, nace_section, nace_division, employees,
          size_class, dma_strategy, dma_readiness, dma_human, dma_data, dma_automation,
          dma_green, readiness_score, technologies, need_count, workers_total, delegation_id)
        SELECT x.id, x.campaign_id, x.firm_id, v_version, x.status, x.submitted_by,
          x.legal_name, x.territory_code, x.nace_version, x.nace_section, x.nace_division,
          x.employees, x.size_class, x.dma_strategy, x.dma_readiness, x.dma_human, x.dma_data,
          x.dma_automation, x.dma_green, x.readiness_score, coalesce(x.technologies, '{}'),
          x.need_count, x.workers_total, x.delegation_id
        FROM jsonb_populate_record(NULL::responses, p_response) x
        RETURNING id, campaign_id)
      INSERT INTO need_changes (response_id, sign, campaign_id)
      SELECT id, 1, campaign_id FROM r;

      INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
        workers, eqf_level, priority, modality, period, note)
      SELECT l.response_id, l.line_no, l.area_code, l.skill_code, l.occupation_code, l.workers,
        l.eqf_level, l.priority, l.modality, l.period, l.note
      FROM jsonb_populate_recordset(NULL::response_needs, p_lines) l;

      UPDATE response_drafts
      SET state = 'submitted', step = p_step, version = version + 1, updated_at = now(),
          updated_by = p_user, payload = coalesce(p_payload, payload)
      WHERE campaign_id = v_campaign AND firm_id = v_firm AND version = p_draft_version;
      RETURN v_version;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION survey_submission_write(jsonb, jsonb, integer, integer, uuid, jsonb)`.execute(
    db,
  );
}
