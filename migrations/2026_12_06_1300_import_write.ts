import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
// A bulk import's batch of firms written by one function call (figures in docs/PERFORMANCE.md).
// The statements are those the import sent one by one before: firms matched by VAT number or
// created, the drafts locked, the current versions superseded, the new versions with their need
// lines, the drafts marked submitted, the changes queued for the needs aggregate. Sent one by one,
// each waited for the import's process to send the next: the database stood idle for about a
// fifth of an import, whenever the process was busy reading the file. In one call it goes from
// one statement to the next by itself.
//
// p_firms: one object per firm, the fields of survey_import_firm (response_id and org_id made by
// the caller: org_id is used only when the VAT number is new). p_lines: the need lines, with
// their response's id. The caller has checked everything and holds the campaign FOR SHARE.
// Returns how many firms were created.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TYPE survey_import_firm AS (
      vat_number text, org_id uuid, response_id uuid, legal_name text, territory_code text,
      nace_section text, nace_division text, employees integer, size_class text,
      contact_name text, contact_email text, dma_strategy smallint, dma_readiness smallint,
      dma_human smallint, dma_data smallint, dma_automation smallint, dma_green smallint,
      readiness_score smallint, technologies text[], need_count integer, workers_total integer)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION survey_import_write(p_campaign uuid, p_user uuid, p_firms json, p_lines json)
    RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
      v_firms survey_import_firm[] :=
        ARRAY(SELECT x FROM json_populate_recordset(NULL::survey_import_firm, p_firms) x);
      v_ids uuid[];
      v_known uuid[];
      v_removed uuid[] := '{}';
      v_created integer;
    BEGIN
      -- Each firm's id, in the order of p_firms: the firm with its VAT number, or org_id for a
      -- new one. v_known: the firms that were there before.
      SELECT array_agg(coalesce(f.organisation_id, x.org_id) ORDER BY x.ordinality),
             coalesce(array_agg(f.organisation_id) FILTER (WHERE f.organisation_id IS NOT NULL),
               '{}')
      INTO v_ids, v_known
      FROM unnest(v_firms) WITH ORDINALITY x
      LEFT JOIN firms f ON f.vat_number = x.vat_number;

      -- The new ones: a firm organisation and its profile.
      WITH fresh AS (
        SELECT x.* FROM unnest(v_firms) WITH ORDINALITY x WHERE v_ids[x.ordinality] = x.org_id
      ), o AS (
        INSERT INTO organisations (id, kind, name, territory_code)
        SELECT org_id, 'firm', legal_name, territory_code FROM fresh)
      INSERT INTO firms (organisation_id, legal_name, vat_number, nace_section, nace_division,
        employees, territory_code, contact_name, contact_email)
      SELECT org_id, legal_name, vat_number, nace_section, nace_division, employees,
        territory_code, contact_name, contact_email
      FROM fresh;
      GET DIAGNOSTICS v_created = ROW_COUNT;

      IF cardinality(v_known) > 0 THEN
        -- Same lock order as a submission (draft first): a firm answering now waits, or we wait.
        PERFORM 1 FROM response_drafts
        WHERE campaign_id = p_campaign AND firm_id = ANY(v_known) ORDER BY firm_id FOR UPDATE;

        WITH superseded AS (
          UPDATE responses SET status = 'superseded', superseded_at = now()
          WHERE campaign_id = p_campaign AND firm_id = ANY(v_known) AND status = 'current'
          RETURNING id)
        SELECT coalesce(array_agg(id), '{}') INTO v_removed FROM superseded;
      END IF;

      -- A new firm's version is its first; a known firm's follows its last.
      INSERT INTO responses (id, campaign_id, firm_id, version, status, submitted_by, legal_name,
        territory_code, nace_version, nace_section, nace_division, employees, size_class,
        dma_strategy, dma_readiness, dma_human, dma_data, dma_automation, dma_green,
        readiness_score, technologies, need_count, workers_total)
      SELECT x.response_id, p_campaign, v_ids[x.ordinality],
        CASE WHEN v_ids[x.ordinality] = x.org_id THEN 1
          ELSE coalesce((SELECT max(r.version) FROM responses r
                         WHERE r.campaign_id = p_campaign
                           AND r.firm_id = v_ids[x.ordinality]), 0) + 1 END,
        'current', p_user, x.legal_name, x.territory_code, 'NACE2', x.nace_section,
        x.nace_division, x.employees, x.size_class, x.dma_strategy, x.dma_readiness,
        x.dma_human, x.dma_data, x.dma_automation, x.dma_green, x.readiness_score,
        coalesce(x.technologies, '{}'), x.need_count, x.workers_total
      FROM unnest(v_firms) WITH ORDINALITY x;

      INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
        workers, eqf_level, priority, modality, period, note)
      SELECT l.response_id, l.line_no, l.area_code, l.skill_code, l.occupation_code, l.workers,
        l.eqf_level, l.priority, l.modality, l.period, l.note
      FROM json_populate_recordset(NULL::response_needs, p_lines) l;

      -- The firm's own form now shows the imported answer (amend starts from it, as after a
      -- submit).
      INSERT INTO response_drafts (campaign_id, firm_id, state, step, payload, updated_by)
      SELECT p_campaign, id, 'submitted', 4, '{}'::jsonb, p_user FROM unnest(v_ids) AS id
      ON CONFLICT (campaign_id, firm_id) DO UPDATE SET state = 'submitted', step = 4,
        version = response_drafts.version + 1, updated_at = now(), updated_by = p_user;

      -- Queued for the needs aggregate, as a submission's changes are (applyResponseChange).
      INSERT INTO need_changes (response_id, sign, campaign_id)
      SELECT id, sign, p_campaign FROM (
        SELECT x.response_id, 1 FROM unnest(v_firms) x
        UNION ALL SELECT id, -1 FROM unnest(v_removed) id) c(id, sign)
      ORDER BY id;
      RETURN v_created;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION survey_import_write(uuid, uuid, json, json)`.execute(db);
  await sql`DROP TYPE survey_import_firm`.execute(db);
}
