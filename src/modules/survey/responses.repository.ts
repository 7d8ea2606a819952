import { sql, type Insertable } from 'kysely';
import type { Executor } from '../../db';
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

/**
 * Supersedes the current version and reads the latest one in one statement (one round trip on
 * the submit path): the SELECT sees the rows as they were before the UPDATE, so `latest.status`
 * says whether it was current, i.e. whether the aggregate must drop it.
 */
export async function supersedeAndReadLatest(db: Executor, campaignId: string, firmId: string) {
  // The superseded version stops counting in the needs aggregate: its change is queued in the
  // same statement (need_changes, see needs/aggregate.ts).
  const { rows } = await sql<{ id: string; version: number; status: ResponsesTable['status'] }>`
    WITH superseded AS (
      UPDATE responses SET status = 'superseded', superseded_at = now()
      WHERE campaign_id = ${campaignId} AND firm_id = ${firmId} AND status = 'current'
      RETURNING id, campaign_id
    ), queued AS (
      INSERT INTO need_changes (response_id, sign, campaign_id)
      SELECT id, -1, campaign_id FROM superseded)
    SELECT id, version, status FROM responses
    WHERE campaign_id = ${campaignId} AND firm_id = ${firmId}
    ORDER BY version DESC LIMIT 1`.execute(db);
  return rows[0];
}

/**
 * A current version and its need lines in one statement (the id is made by the caller), with
 * its change queued for the needs aggregate (need_changes, see needs/aggregate.ts).
 */
export async function insertResponseWithLines(
  db: Executor,
  row: Insertable<ResponsesTable> & { id: string; status: 'current' },
  lines: Insertable<ResponseNeedsTable>[],
) {
  const q = db
    .with('r', (w) => w.insertInto('responses').values(row).returning(['id', 'campaign_id']))
    .with('queued', (w) =>
      w
        .insertInto('need_changes')
        .columns(['response_id', 'sign', 'campaign_id'])
        .expression((eb) =>
          eb.selectFrom('r').select(['r.id', sql<1>`1`.as('sign'), 'r.campaign_id']),
        ),
    );
  if (!lines.length) return q.selectFrom('r').select('id').execute();
  return q.insertInto('response_needs').values(lines).execute();
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
