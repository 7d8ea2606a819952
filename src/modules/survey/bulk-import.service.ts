import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { territoryAndBelow } from '../accounts/accounts.repository';
import { applyResponseChange } from '../needs/aggregate';
import { sizeClass } from '../firms/firms.service';
import type { ImportSource } from '../reference/importers/csv-source';
import { WriteQueue } from '../reference/importers/report';
import { plannableQuarters, romeToday } from './calendar';
import { lockCampaignShared } from './campaigns.repository';
import {
  CampaignNotAcceptingError,
  getManagedCampaign,
  toCampaign,
  type Campaign,
} from './campaigns.service';
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

/** A file with problems: the transaction is rolled back and the problems reported. */
class Rejected extends Error {
  constructor(readonly result: ImportResult) {
    super('import rejected');
  }
}

/**
 * Imports a CSV of responses for one of the region's open campaigns, all or nothing, in one
 * transaction of set-based statements: firms matched by VAT number or created, each firm's
 * current version superseded by a new one, and the changes queued for the needs aggregate. Every
 * row is checked with the questionnaire's own rules; a file with any problem writes nothing.
 *
 * The writes overlap the parse: a firm whose rows are all read (the file has moved on to another
 * firm) is written while the rest of the file is parsed. Should its rows turn up again further
 * down, what was written is rolled back to a savepoint and every firm written again from the
 * whole file; should any problem turn up, the whole transaction is rolled back.
 */
export async function importResponses(
  db: Db,
  user: SessionUser,
  campaignId: string,
  source: ImportSource,
  /** streamBatch: firms handed over by the parser are written this many at a time. */
  { streamBatch = 1000 }: { streamBatch?: number } = {},
): Promise<ImportResult> {
  const campaign = await getManagedCampaign(db, user, campaignId);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  const { ctx, refs } = await checkContext(db, campaign);
  try {
    return await db.transaction().execute(async (tx) => {
      // FOR SHARE: a region closing the campaign waits for the import, or the import for it.
      const locked = toCampaign((await lockCampaignShared(tx, campaign.id))!);
      if (locked.state !== 'open') throw new CampaignNotAcceptingError(locked.state);
      await sql`SAVEPOINT streamed`.execute(tx);
      const written = { responses: 0, lines: 0, createdFirms: 0 };
      const write = async (firms: ImportedFirm[]) => {
        const r = await writeFirms(tx, user, campaign.id, firms, refs);
        written.responses += r.responses;
        written.lines += r.lines;
        written.createdFirms += r.createdFirms;
      };
      const handed = new Set<ImportedFirm>();
      const writes = new WriteQueue();
      const { firms, problems, rows, reopened } = await writes.guard(() =>
        parseImport(source, ctx, {
          batchSize: streamBatch,
          write: async (batch) => {
            for (const f of batch) handed.add(f);
            await writes.push(() => write(batch));
          },
        }),
      );
      const empty = { rows, problems, responses: 0, lines: 0, createdFirms: 0 };
      if (problems.length) throw new Rejected(empty);
      if (reopened) {
        // A firm's rows were not together: written again, all of them, from the whole file.
        await sql`ROLLBACK TO SAVEPOINT streamed`.execute(tx);
        Object.assign(written, { responses: 0, lines: 0, createdFirms: 0 });
        handed.clear();
      }
      const rest = firms.filter((f) => !handed.has(f));
      if (rest.length) await write(rest);
      return { ...empty, ...written };
    });
  } catch (err) {
    if (err instanceof Rejected) return err.result;
    throw err;
  }
}

/** What the rows are checked against (the campaign's skills, the comuni it covers…). */
async function checkContext(db: Db, campaign: Campaign) {
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
  const refs = { sectionOf, areaOf: needCtx.skills };
  const ctx = {
    readiness: campaign.readiness,
    divisions: new Set(sectionOf.keys()),
    comuni: new Set(comuni.map((c) => c.code)),
    within: new Set(comuni.filter((c) => c.within).map((c) => c.code)),
    need: needCtx,
  };
  return { ctx, refs };
}

/** One batch of checked firms: matched or created, then their new versions written. */
async function writeFirms(
  tx: Tx,
  user: SessionUser,
  campaignId: string,
  firms: ImportedFirm[],
  refs: { sectionOf: Map<string, string>; areaOf: Map<string, string> },
): Promise<{ responses: number; lines: number; createdFirms: number }> {
  const firmIds = await matchOrCreateFirms(tx, firms, refs.sectionOf);
  const written = await writeResponses(tx, user, campaignId, firms, firmIds, refs);
  return { ...written, createdFirms: firmIds.created };
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
      tech, need_count, workers_total
    FROM ${rowsOf(responses)} AS x(id uuid, firm_id uuid, version int, legal_name text,
      territory_code text, nace_section text, nace_division text, employees int,
      size_class text, s smallint, rd smallint, h smallint, d smallint, a smallint, g smallint,
      score smallint, tech text[], need_count int, workers_total int)`.execute(tx);
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
