import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db';
import { holdFormKey, recordMadeBy, rememberForm } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { territoryAndBelow } from '../accounts/accounts.repository';
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
import { answerColumns, needLineRows } from './version-rows';
import { skillsOfAreas, subMajorOccupations } from './responses.repository';

export interface ImportResult {
  rows: number;
  problems: ImportProblem[];
  /** Written only when there is no problem at all. */
  responses: number;
  lines: number;
  createdFirms: number;
  /** The same upload form sent again (a double click): the first one imported; nothing written. */
  repeated?: boolean;
}

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
  /**
   * streamBatch: firms handed over by the parser are written this many at a time. formKey: the
   * upload form's one-time key (http/form-key): its second post, once the first has imported,
   * reads nothing and writes nothing (a second identical version of every firm otherwise).
   */
  { streamBatch = 1000, formKey }: { streamBatch?: number; formKey?: string } = {},
): Promise<ImportResult> {
  const campaign = await getManagedCampaign(db, user, campaignId);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  const { ctx, refs } = await checkContext(db, campaign);
  try {
    return await db.transaction().execute(async (tx) => {
      // FOR SHARE: a region closing the campaign waits for the import, or the import for it.
      const locked = toCampaign((await lockCampaignShared(tx, campaign.id))!);
      if (locked.state !== 'open') throw new CampaignNotAcceptingError(locked.state);
      if (formKey) {
        await holdFormKey(tx, `${user.id}:${formKey}`);
        if (await recordMadeBy(tx, user.id, formKey))
          return { rows: 0, problems: [], responses: 0, lines: 0, createdFirms: 0, repeated: true };
      }
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
          firstBatchSize: Math.ceil(streamBatch / 10),
          write: async (batch) => {
            const first = handed.size === 0;
            for (const f of batch) handed.add(f);
            await writes.push(() => write(batch));
            if (!first) return;
            // The first (small) batch is written before the parser reads on, and the tables it
            // grew analysed if small, before any other batch is sent.
            await writes.drain();
            await analyzeSmallTables(tx);
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
      // Kept only with a file imported: a refused one's form, corrected, is its first import.
      if (formKey) await rememberForm(tx, user.id, formKey, campaign.id);
      return { ...empty, ...written };
    });
  } catch (err) {
    if (err instanceof Rejected) return err.result;
    throw err;
  }
}

/** Below this many rows (in its statistics), a table the import grows is analysed. */
const SMALL_TABLE = 10_000;

/**
 * Every new row's foreign keys are checked with plans PostgreSQL keeps for the session, made from
 * the statistics of the referenced tables. Made while `responses` or `firms` held a few rows, such
 * a plan reads the whole table: fine then, but an import grows them, and each key check then reads
 * every row written before it (10,000 responses into a database whose statistics counted none
 * took 18 s instead of 2 s). So after the first batch, the referenced tables the import grows are
 * analysed if their statistics count them small (a sample that counts this transaction's own
 * rows), and those plans are made again as they are next used, from the tables' size by then.
 * Cheap while a table is small, and not needed once it is large. Until the import ends, only a
 * VACUUM, another ANALYZE or an index build of those tables waits for it (autovacuum skips them).
 * Without the right to analyse a table, PostgreSQL warns and skips it.
 */
async function analyzeSmallTables(tx: Tx) {
  const { rows } = await sql<{ name: string }>`
    SELECT relname AS name FROM pg_class
    WHERE oid IN ('responses'::regclass, 'firms'::regclass, 'organisations'::regclass)
      AND reltuples < ${SMALL_TABLE}
    ORDER BY relname`.execute(tx);
  if (rows.length) await sql`ANALYZE ${sql.join(rows.map((r) => sql.table(r.name)))}`.execute(tx);
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

/**
 * One batch of checked firms, in one call (survey_import_write, migration 2026_12_06_1300): firms
 * matched by VAT number or created, their current versions superseded by the new ones with their
 * need lines, their drafts marked submitted, and the changes queued for the needs aggregate,
 * folded after the commit by the background folder (or by the first reader). Folding here would
 * hold the campaign and every imported firm's draft locked for the fold too (~2 s per 10,000).
 */
async function writeFirms(
  tx: Tx,
  user: SessionUser,
  campaignId: string,
  firms: ImportedFirm[],
  { sectionOf, areaOf }: { sectionOf: Map<string, string>; areaOf: Map<string, string> },
): Promise<{ responses: number; lines: number; createdFirms: number }> {
  const rows = firms.map((f) => {
    const p = f.profile;
    return {
      vat_number: p.vatNumber,
      org_id: crypto.randomUUID(),
      response_id: crypto.randomUUID(),
      legal_name: p.legalName,
      territory_code: p.territoryCode,
      nace_section: sectionOf.get(p.naceDivision),
      nace_division: p.naceDivision,
      employees: p.employees,
      size_class: sizeClass(p.employees),
      contact_name: p.contactName,
      contact_email: p.contactEmail,
      ...answerColumns(f.readiness, f.needs),
    };
  });
  const lines = firms.flatMap((f, i) => needLineRows(rows[i]!.response_id, f.needs, areaOf));
  const { rows: written } = await sql<{ created: number }>`
    SELECT survey_import_write(${campaignId}, ${user.id}, ${JSON.stringify(rows)}::json,
      ${JSON.stringify(lines)}::json) AS created`.execute(tx);
  return { responses: rows.length, lines: lines.length, createdFirms: written[0]!.created };
}
