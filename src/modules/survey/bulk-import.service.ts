import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { territoryAndBelow } from '../accounts/accounts.repository';
import { applyResponseChange } from '../needs/aggregate';
import { sizeClass } from '../firms/firms.service';
import type { ImportSource } from '../reference/importers/csv-source';
import { plannableQuarters, romeToday } from './calendar';
import { lockCampaignShared } from './campaigns.repository';
import { CampaignNotAcceptingError, getManagedCampaign, toCampaign } from './campaigns.service';
import { parseImport, type ImportedFirm, type ImportProblem } from './bulk-import.parse';
import { overallScore } from './readiness';
import { skillsOfAreas, subMajorOccupations } from './responses.repository';

export interface ImportResult {
  rows: number;
  problems: ImportProblem[];
  /** Written only when there is no problem at all. */
  responses: number;
  lines: number;
  createdFirms: number;
}

/** One statement's rows as a single JSON parameter: one round trip whatever the count. */
const rowsOf = (rows: object[]) => sql`json_to_recordset(${JSON.stringify(rows)}::json)`;

/**
 * Imports a CSV of responses for one of the region's open campaigns, all or nothing: every row
 * is checked first (the questionnaire's own rules), and only a clean file is written, in one
 * transaction of set-based statements: firms matched by VAT number or created, each firm's
 * current version superseded by a new one, and the changes queued for the needs aggregate.
 */
export async function importResponses(
  db: Db,
  user: SessionUser,
  campaignId: string,
  source: ImportSource,
): Promise<ImportResult> {
  const campaign = await getManagedCampaign(db, user, campaignId);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  const [skills, occupations, divisions, comuni] = await Promise.all([
    skillsOfAreas(db, campaign.areas),
    subMajorOccupations(db),
    db
      .selectFrom('sectors')
      .select(['code', 'parent_code'])
      .where('version', '=', 'NACE2')
      .where('level', '=', 'division')
      .execute(),
    db
      .selectFrom('territories')
      .select('code')
      .select(sql<boolean>`code IN ${territoryAndBelow(campaign.territoryCode)}`.as('within'))
      .where('level', '=', 'LAU')
      .where('valid_to', 'is', null)
      .execute(),
  ]);
  const sectionOf = new Map(divisions.map((d) => [d.code, d.parent_code!]));
  const needCtx = {
    skills: new Map(skills.map((s) => [s.code, s.area_code])),
    occupations: new Set(occupations.map((o) => o.code)),
    quarters: plannableQuarters(romeToday()),
  };
  const { firms, problems, rows } = await parseImport(source, {
    readiness: campaign.readiness,
    divisions: new Set(sectionOf.keys()),
    comuni: new Set(comuni.map((c) => c.code)),
    within: new Set(comuni.filter((c) => c.within).map((c) => c.code)),
    need: needCtx,
  });
  // Two spellings of one VAT number (with or without the country prefix) are one firm twice.
  const seen = new Map<string, number>();
  for (const f of firms) {
    const first = seen.get(f.profile.vatNumber);
    if (first !== undefined)
      problems.push({
        line: f.line,
        column: 'vat_number',
        key: 'bulkImport.errors.firmDiffers',
        params: { line: first },
      });
    else seen.set(f.profile.vatNumber, f.line);
  }
  const empty = { rows, problems, responses: 0, lines: 0, createdFirms: 0 };
  if (problems.length) return { ...empty, problems: problems.sort((a, b) => a.line - b.line) };
  return db.transaction().execute(async (tx) => {
    // FOR SHARE: a region closing the campaign waits for the import, or the import for it.
    const locked = toCampaign((await lockCampaignShared(tx, campaign.id))!);
    if (locked.state !== 'open') throw new CampaignNotAcceptingError(locked.state);
    const firmIds = await matchOrCreateFirms(tx, firms, sectionOf);
    const written = await writeResponses(tx, user, campaign.id, firms, firmIds, {
      sectionOf,
      areaOf: needCtx.skills,
    });
    return { ...empty, ...written, createdFirms: firmIds.created };
  });
}

/** Firm ids by VAT number: the existing firm, or a new firm organisation with its profile. */
async function matchOrCreateFirms(
  tx: Tx,
  firms: ImportedFirm[],
  sectionOf: Map<string, string>,
): Promise<{ byVat: Map<string, string>; created: number }> {
  const vats = firms.map((f) => f.profile.vatNumber);
  const { rows: existing } = await sql<{ organisation_id: string; vat_number: string }>`
    SELECT organisation_id, vat_number FROM firms WHERE vat_number = ANY(${vats}::text[])`.execute(
    tx,
  );
  const byVat = new Map(existing.map((r) => [r.vat_number, r.organisation_id]));
  const fresh = firms
    .filter((f) => !byVat.has(f.profile.vatNumber))
    .map((f) => ({ id: crypto.randomUUID(), ...f.profile }));
  if (fresh.length) {
    await sql`
      INSERT INTO organisations (id, kind, name, territory_code)
      SELECT id, 'firm', "legalName", "territoryCode"
      FROM ${rowsOf(fresh)} AS x(id uuid, "legalName" text, "territoryCode" text)`.execute(tx);
    await sql`
      INSERT INTO firms (organisation_id, legal_name, vat_number, nace_section, nace_division,
        employees, territory_code, contact_name, contact_email)
      SELECT id, "legalName", "vatNumber", section, "naceDivision", employees, "territoryCode",
        "contactName", "contactEmail"
      FROM ${rowsOf(fresh.map((f) => ({ ...f, section: sectionOf.get(f.naceDivision) })))}
        AS x(id uuid, "legalName" text, "vatNumber" text, section text, "naceDivision" text,
             employees int, "territoryCode" text, "contactName" text, "contactEmail" text)`.execute(
      tx,
    );
    for (const f of fresh) byVat.set(f.vatNumber, f.id);
  }
  return { byVat, created: fresh.length };
}

async function writeResponses(
  tx: Tx,
  user: SessionUser,
  campaignId: string,
  firms: ImportedFirm[],
  firmIds: { byVat: Map<string, string> },
  { sectionOf, areaOf }: { sectionOf: Map<string, string>; areaOf: Map<string, string> },
) {
  const ids = firms.map((f) => firmIds.byVat.get(f.profile.vatNumber)!);
  // Same lock order as a submission (draft first): a firm answering now waits, or we wait.
  await sql`
    SELECT 1 FROM response_drafts WHERE campaign_id = ${campaignId}
      AND firm_id = ANY(${ids}::uuid[]) ORDER BY firm_id FOR UPDATE`.execute(tx);
  const { rows: superseded } = await sql<{ id: string }>`
    UPDATE responses SET status = 'superseded', superseded_at = now()
    WHERE campaign_id = ${campaignId} AND firm_id = ANY(${ids}::uuid[]) AND status = 'current'
    RETURNING id`.execute(tx);
  const { rows: versions } = await sql<{ firm_id: string; v: number }>`
    SELECT firm_id, max(version) AS v FROM responses
    WHERE campaign_id = ${campaignId} AND firm_id = ANY(${ids}::uuid[]) GROUP BY firm_id`.execute(
    tx,
  );
  const lastVersion = new Map(versions.map((r) => [r.firm_id, Number(r.v)]));
  const responses = firms.map((f, i) => {
    const r = f.readiness;
    const p = f.profile;
    return {
      id: crypto.randomUUID(),
      firm_id: ids[i]!,
      version: (lastVersion.get(ids[i]!) ?? 0) + 1,
      legal_name: p.legalName,
      territory_code: p.territoryCode,
      nace_section: sectionOf.get(p.naceDivision),
      nace_division: p.naceDivision,
      employees: p.employees,
      size_class: sizeClass(p.employees),
      s: r?.strategy ?? null,
      rd: r?.readiness ?? null,
      h: r?.human ?? null,
      d: r?.data ?? null,
      a: r?.automation ?? null,
      g: r?.green ?? null,
      score: r ? overallScore(r) : null,
      tech: r?.technologies ?? [],
      need_count: f.needs.length,
      workers_total: f.needs.reduce((sum, l) => sum + l.workers, 0),
    };
  });
  await sql`
    INSERT INTO responses (id, campaign_id, firm_id, version, status, submitted_by, legal_name,
      territory_code, nace_version, nace_section, nace_division, employees, size_class,
      dma_strategy, dma_readiness, dma_human, dma_data, dma_automation, dma_green,
      readiness_score, technologies, need_count, workers_total)
    SELECT id, ${campaignId}, firm_id, version, 'current', ${user.id}, legal_name, territory_code,
      'NACE2', nace_section, nace_division, employees, size_class, s, rd, h, d, a, g, score,
      ARRAY(SELECT json_array_elements_text(tech)), need_count, workers_total
    FROM ${rowsOf(responses)} AS x(id uuid, firm_id uuid, version int, legal_name text,
      territory_code text, nace_section text, nace_division text, employees int,
      size_class text, s smallint, rd smallint, h smallint, d smallint, a smallint, g smallint,
      score smallint, tech json, need_count int, workers_total int)`.execute(tx);
  const lines = firms.flatMap((f, i) =>
    f.needs.map((l, n) => ({
      r: responses[i]!.id,
      n: n + 1,
      area: areaOf.get(l.skill),
      skill: l.skill,
      occ: l.occupation,
      w: l.workers,
      eqf: l.eqf,
      pr: l.priority,
      mo: l.modality,
      pe: l.period,
      note: l.note || null,
    })),
  );
  if (lines.length)
    await sql`
      INSERT INTO response_needs (response_id, line_no, area_code, skill_code, occupation_code,
        workers, eqf_level, priority, modality, period, note)
      SELECT r, n, area, skill, occ, w, eqf, pr, mo, pe, note
      FROM ${rowsOf(lines)} AS x(r uuid, n smallint, area text, skill text, occ text, w int,
        eqf smallint, pr text, mo text, pe text, note text)`.execute(tx);
  // The firm's own form now shows the imported answer (amend starts from it, as after a submit).
  await sql`
    INSERT INTO response_drafts (campaign_id, firm_id, state, step, payload, updated_by)
    SELECT ${campaignId}, id, 'submitted', 4, '{}'::jsonb, ${user.id}
    FROM unnest(${ids}::uuid[]) AS id
    ON CONFLICT (campaign_id, firm_id) DO UPDATE SET state = 'submitted', step = 4,
      version = response_drafts.version + 1, updated_at = now(), updated_by = ${user.id}`.execute(
    tx,
  );
  // Queued like a submission's changes, and folded after the commit by the background folder (or
  // by the first reader), as one batch that sums the territories again. Folding here would hold
  // the campaign and every imported firm's draft locked for the fold too (~2 s per 10,000).
  await applyResponseChange(tx, {
    remove: superseded.map((r) => r.id),
    add: responses.map((r) => r.id),
  });
  return { responses: responses.length, lines: lines.length };
}
