import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db';
import { precompiled } from '../../db/precompiled';
import type { FirmRow } from '../firms/firms.repository';
import { areasOf, campaignColumns } from './campaigns.repository';
import type { ResponseNeedsTable, ResponsesTable } from './survey.tables';

export function findDraft(db: Executor, campaignId: string, firmId: string) {
  return db
    .selectFrom('response_drafts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .executeTakeFirst();
}
export type DraftRow = NonNullable<Awaited<ReturnType<typeof findDraft>>>;

/** The draft row locked until commit: two submits from two tabs queue here. */
export function lockDraft(db: Executor, campaignId: string, firmId: string) {
  return db
    .selectFrom('response_drafts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertDraftIfMissing(
  db: Executor,
  campaignId: string,
  firmId: string,
  userId: string,
) {
  await db
    .insertInto('response_drafts')
    .values({ campaign_id: campaignId, firm_id: firmId, payload: '{}', updated_by: userId })
    .onConflict((c) => c.columns(['campaign_id', 'firm_id']).doNothing())
    .execute();
}

/**
 * Writes the draft only if it is still at `expected` version (optimistic locking): returns the
 * new row, or undefined when another window saved first.
 */
export function updateDraft(
  db: Executor,
  key: { campaignId: string; firmId: string },
  expected: number,
  changes: {
    payload?: Record<string, unknown>;
    step?: number;
    state?: 'editing' | 'submitted';
    onlyWhileEditing?: boolean;
    userId: string;
  },
) {
  let q = db
    .updateTable('response_drafts')
    .set((eb) => ({
      ...(changes.payload ? { payload: JSON.stringify(changes.payload) } : {}),
      ...(changes.step ? { step: changes.step } : {}),
      ...(changes.state ? { state: changes.state } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
      updated_by: changes.userId,
    }))
    .where('campaign_id', '=', key.campaignId)
    .where('firm_id', '=', key.firmId)
    .where('version', '=', expected);
  if (changes.onlyWhileEditing) q = q.where('state', '=', 'editing');
  return q.returningAll().executeTakeFirst();
}

const responseColumns = [
  'id',
  'campaign_id',
  'firm_id',
  'version',
  'status',
  'submitted_at',
  'submitted_by',
  'superseded_at',
  'withdrawn_at',
  'withdrawn_by',
  'legal_name',
  'territory_code',
  'nace_section',
  'nace_division',
  'employees',
  'size_class',
  'dma_strategy',
  'dma_readiness',
  'dma_human',
  'dma_data',
  'dma_automation',
  'dma_green',
  'readiness_score',
  'technologies',
  'need_count',
  'workers_total',
] as const;

/** The firm's latest version for a campaign, whatever its status. */
export function latestResponse(db: Executor, campaignId: string, firmId: string) {
  return db
    .selectFrom('responses')
    .select(responseColumns)
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}
export type ResponseRow = NonNullable<Awaited<ReturnType<typeof latestResponse>>>;

export function findResponse(db: Executor, id: string) {
  return db.selectFrom('responses').select(responseColumns).where('id', '=', id).executeTakeFirst();
}

export function lockResponse(db: Executor, id: string) {
  return db
    .selectFrom('responses')
    .select(responseColumns)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function listVersions(db: Executor, campaignId: string, firmId: string) {
  return db
    .selectFrom('responses')
    .select(['id', 'version', 'status', 'submitted_at', 'workers_total', 'need_count'])
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .orderBy('version', 'desc')
    .execute();
}

export function responseLines(db: Executor, responseId: string) {
  return db
    .selectFrom('response_needs')
    .selectAll()
    .where('response_id', '=', responseId)
    .orderBy('line_no')
    .execute();
}

/** Marks the current version superseded; returns its id (what stops counting), if any. */
export async function supersedeCurrent(db: Executor, campaignId: string, firmId: string) {
  const rows = await db
    .updateTable('responses')
    .set({ status: 'superseded', superseded_at: new Date() })
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .where('status', '=', 'current')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

type Stamped<T> = Omit<T, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };

// Every submission runs it: built and compiled once (see precompiled).
const submitReadQuery = (locked: boolean) =>
  precompiled(['campaignId', 'firmId', 'skills'], (db, v) => {
    const q = db
      .selectFrom('response_drafts as d')
      .innerJoin('campaigns', 'campaigns.id', 'd.campaign_id')
      .innerJoin('firms as f', 'f.organisation_id', 'd.firm_id')
      .select([
        ...campaignColumns,
        areasOf.as('areas'),
        // Only the skills the lines name (those sent, and the draft's), each looked up by its
        // key: an area may hold thousands (an ESCO collection).
        sql<[string, string][]>`(
          SELECT coalesce(json_agg(json_build_array(s.code, s.area_code)), '[]')
          FROM (
            SELECT unnest(${v.skills}::text[])
            UNION
            SELECT x->>'skill' FROM jsonb_array_elements(CASE
              WHEN jsonb_typeof(d.payload->'needs') = 'array' THEN d.payload->'needs'
              ELSE '[]' END) x
          ) k(code)
          CROSS JOIN LATERAL (
            SELECT s.code, s.area_code FROM skills s
            WHERE s.code = k.code AND s.valid_to IS NULL AND s.area_code IN (
              SELECT a.area_code FROM campaign_skill_areas a WHERE a.campaign_id = campaigns.id)
            LIMIT 1) s)`.as('skills'),
        sql<string[]>`(
          SELECT coalesce(array_agg(code), '{}') FROM occupations
          WHERE level = 'sub-major')`.as('occupations'),
        sql<Stamped<DraftRow>>`to_jsonb(d)`.as('draft'),
        sql<Omit<FirmRow, 'updated_at'> & { updated_at: string }>`to_jsonb(f)`.as('firm'),
      ])
      .where('d.campaign_id', '=', v.campaignId)
      .where('d.firm_id', '=', v.firmId);
    return locked ? q.modifyEnd(sql`FOR UPDATE OF d FOR SHARE OF campaigns`) : q;
  });
const lockForSubmitQuery = submitReadQuery(true);
const readForSubmitQuery = submitReadQuery(false);

/**
 * What a submission reads, in one round trip: the draft locked for update (two submits from two
 * tabs queue here), its campaign locked for share (a region closing it waits for this
 * submission, or it waits for them) with what the need lines are checked against (among the
 * current skills of its areas those named by `lineSkills` or by the draft's lines, skill → area,
 * and the ISCO sub-major groups), and the firm's profile. The draft and the firm come as JSON,
 * their timestamps as text. With `lock` false, the same without the locks: what
 * writeSubmissionChecked's caller reads.
 */
export async function lockForSubmit(
  db: Executor,
  campaignId: string,
  firmId: string,
  lineSkills: string[],
  lock = true,
) {
  const query = lock ? lockForSubmitQuery : readForSubmitQuery;
  const [row] = await query(db, { campaignId, firmId, skills: lineSkills });
  if (!row) return undefined;
  const { draft, firm, skills, occupations, ...campaign } = row;
  return {
    campaign,
    skills,
    occupations,
    draft: {
      ...draft,
      created_at: new Date(draft.created_at),
      updated_at: new Date(draft.updated_at),
    } satisfies DraftRow,
    firm: { ...firm, updated_at: new Date(firm.updated_at) } satisfies FirmRow,
  };
}

/**
 * A submission's writes in one call of survey_submission_write (migration 2026_12_06_1100): the
 * current version superseded, the new one numbered after the latest and inserted with its need
 * lines, both changes queued for the needs aggregate (need_changes, see needs/aggregate.ts), the
 * draft marked submitted (with `payload` when the call brought answers). The caller holds the
 * draft row (lockForSubmit). Returns the new version's number.
 */
export async function writeSubmission(
  db: Executor,
  row: Omit<Insertable<ResponsesTable>, 'version'> & { id: string; status: 'current' },
  lines: Insertable<ResponseNeedsTable>[],
  draft: { version: number; step: number; userId: string; payload?: Record<string, unknown> },
): Promise<number> {
  const payload = draft.payload ? JSON.stringify(draft.payload) : null;
  const { rows } = await sql<{ version: number }>`
    SELECT survey_submission_write(${JSON.stringify(row)}::jsonb, ${JSON.stringify(lines)}::jsonb,
      ${draft.version}::integer, ${draft.step}::integer, ${draft.userId}::uuid, ${payload}::jsonb)
      AS version`.execute(db);
  return rows[0]!.version;
}

/**
 * writeSubmission without the caller's transaction (migration 2026_12_07_0950): one statement
 * that locks the draft and the campaign as lockForSubmit does and writes only if the draft is
 * still at `draft.version` and being edited, and the campaign's status and dates are still
 * `campaign`'s. Returns the new version's number, or null when something changed and nothing was
 * written.
 */
export async function writeSubmissionChecked(
  db: Executor,
  row: Parameters<typeof writeSubmission>[1],
  lines: Parameters<typeof writeSubmission>[2],
  draft: Parameters<typeof writeSubmission>[3],
  campaign: { status: string; opens_at: string; closes_at: string },
): Promise<number | null> {
  const payload = draft.payload ? JSON.stringify(draft.payload) : null;
  const { rows } = await sql<{ version: number | null }>`
    SELECT survey_submission_checked(${JSON.stringify(row)}::jsonb,
      ${JSON.stringify(lines)}::jsonb, ${draft.version}::integer, ${draft.step}::integer,
      ${draft.userId}::uuid, ${payload}::jsonb, ${campaign.status}::text,
      ${campaign.opens_at}::date, ${campaign.closes_at}::date) AS version`.execute(db);
  return rows[0]!.version;
}

export function insertResponse(db: Executor, row: Insertable<ResponsesTable>) {
  return db
    .insertInto('responses')
    .values(row)
    .returning(['id', 'submitted_at'])
    .executeTakeFirstOrThrow();
}

export async function insertNeedLines(db: Executor, lines: Insertable<ResponseNeedsTable>[]) {
  if (lines.length) await db.insertInto('response_needs').values(lines).execute();
}

export async function markWithdrawn(db: Executor, id: string, userId: string) {
  await db
    .updateTable('responses')
    .set({ status: 'withdrawn', withdrawn_at: new Date(), withdrawn_by: userId })
    .where('id', '=', id)
    .execute();
}

/** The skills of the given areas (skill → area), current ones only. */
export function skillsOfAreas(db: Executor, areas: string[]) {
  if (!areas.length) return Promise.resolve([]);
  return db
    .selectFrom('skills')
    .innerJoin('skill_areas', 'skill_areas.code', 'skills.area_code')
    .select([
      'skills.code',
      'skills.area_code',
      'skills.name',
      'skills.names',
      'skill_areas.name as area_name',
      'skill_areas.names as area_names',
    ])
    .where('skills.area_code', 'in', areas)
    .where('skills.valid_to', 'is', null)
    .orderBy('skill_areas.position')
    .orderBy('skills.position')
    .execute();
}

/** The campaign's skills and the ISCO sub-major groups in one round trip (what a submit checks). */
export function subMajorOccupations(db: Executor) {
  return db
    .selectFrom('occupations')
    .select(['code', 'name', 'names'])
    .where('level', '=', 'sub-major')
    .orderBy('code')
    .execute();
}

/** The firm's most recent readiness score from another campaign (for before/after). */
export function earlierScore(db: Executor, firmId: string, campaignId: string) {
  return db
    .selectFrom('responses')
    .innerJoin('campaigns', 'campaigns.id', 'responses.campaign_id')
    .select(['responses.readiness_score', 'responses.submitted_at', 'campaigns.title'])
    .where('responses.firm_id', '=', firmId)
    .where('responses.campaign_id', '<>', campaignId)
    .where('responses.status', '=', 'current')
    .where('responses.readiness_score', 'is not', null)
    .orderBy('responses.submitted_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Per campaign, the firm's latest version and whether a draft is open. */
export async function firmAnswerStates(db: Executor, firmId: string) {
  const { rows } = await sql<{
    campaign_id: string;
    draft_state: 'editing' | 'submitted' | null;
    version: number | null;
    status: 'current' | 'superseded' | 'withdrawn' | null;
  }>`
    SELECT d.campaign_id, d.state AS draft_state, r.version, r.status
    FROM response_drafts d
    LEFT JOIN LATERAL (
      SELECT version, status FROM responses
      WHERE campaign_id = d.campaign_id AND firm_id = d.firm_id
      ORDER BY version DESC LIMIT 1) r ON true
    WHERE d.firm_id = ${firmId}`.execute(db);
  return rows;
}
