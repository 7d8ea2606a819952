import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { Insertable } from 'kysely';
import type { scopeCodes } from '../accounts/scope';
import type { CampaignsTable } from './survey.tables';

export const campaignColumns = [
  'campaigns.id',
  'campaigns.organisation_id',
  'campaigns.title',
  'campaigns.territory_code',
  'campaigns.opens_at',
  'campaigns.closes_at',
  'campaigns.first_closes_at',
  'campaigns.readiness',
  'campaigns.disclosure_k',
  'campaigns.status',
  'campaigns.created_at',
  'campaigns.opened_at',
  'campaigns.closed_at',
] as const;

/** The skill areas of each campaign, as an array column. */
export const areasOf = sql<string[]>`(
  SELECT coalesce(array_agg(a.area_code ORDER BY s.position, a.area_code), '{}')
  FROM campaign_skill_areas a JOIN skill_areas s ON s.code = a.area_code
  WHERE a.campaign_id = campaigns.id)`;

export function findCampaign(db: Executor, id: string) {
  return db
    .selectFrom('campaigns')
    .select([...campaignColumns, areasOf.as('areas')])
    .where('id', '=', id)
    .executeTakeFirst();
}
export type CampaignRow = NonNullable<Awaited<ReturnType<typeof findCampaign>>>;

export function lockCampaign(db: Executor, id: string) {
  return db
    .selectFrom('campaigns')
    .select([...campaignColumns, areasOf.as('areas')])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Campaigns whose territory lies within `scope` (a sub-select of codes; null = all). */
export function listCampaignsWithin(db: Executor, scope: ReturnType<typeof scopeCodes>) {
  let q = db
    .selectFrom('campaigns')
    .select([...campaignColumns, areasOf.as('areas')])
    .orderBy('opens_at', 'desc')
    .orderBy('created_at', 'desc');
  if (scope) q = q.where('territory_code', 'in', scope);
  return q.execute();
}

/** Published campaigns (not drafts) whose territory is one of `codes` (a firm's path). */
export function listCampaignsCovering(db: Executor, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('campaigns')
    .select([...campaignColumns, areasOf.as('areas')])
    .where('territory_code', 'in', codes)
    .where('status', '<>', 'draft')
    .orderBy('closes_at', 'desc')
    .execute();
}

export function insertCampaign(db: Executor, c: Insertable<CampaignsTable>) {
  return db.insertInto('campaigns').values(c).returning('id').executeTakeFirstOrThrow();
}

export async function insertCampaignAreas(db: Executor, campaignId: string, areas: string[]) {
  await db
    .insertInto('campaign_skill_areas')
    .values(areas.map((area_code) => ({ campaign_id: campaignId, area_code })))
    .execute();
}

export async function updateCampaign(
  db: Executor,
  id: string,
  c: Pick<
    Insertable<CampaignsTable>,
    'title' | 'territory_code' | 'opens_at' | 'closes_at' | 'readiness' | 'disclosure_k'
  >,
) {
  await db.updateTable('campaigns').set(c).where('id', '=', id).execute();
}

/** Whether a funding call or a pact names the campaign (its territory is then settled). */
export async function isCampaignNamed(db: Executor, id: string): Promise<boolean> {
  const call = await db
    .selectFrom('funding_calls')
    .select('id')
    .where('campaign_id', '=', id)
    .executeTakeFirst();
  if (call) return true;
  return !!(await db
    .selectFrom('pacts')
    .select('id')
    .where('campaign_id', '=', id)
    .executeTakeFirst());
}

export function findSkillAreas(db: Executor, codes: string[]) {
  return db.selectFrom('skill_areas').select('code').where('code', 'in', codes).execute();
}

export async function setCampaignStatus(db: Executor, id: string, status: 'open' | 'closed') {
  await db
    .updateTable('campaigns')
    .set(status === 'open' ? { status, opened_at: new Date() } : { status, closed_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Live counts of a campaign, by each firm's latest version; drafts of firms yet to submit. */
export async function campaignCounts(db: Executor, campaignId: string) {
  const { rows } = await sql<{
    drafts: number;
    submitted: number;
    withdrawn: number;
    workers: number;
    lines: number;
  }>`
    WITH latest AS (
      SELECT DISTINCT ON (firm_id) status, workers_total, need_count
      FROM responses WHERE campaign_id = ${campaignId}
      ORDER BY firm_id, version DESC)
    SELECT
      (SELECT count(*) FROM response_drafts d WHERE d.campaign_id = ${campaignId}
         AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.campaign_id = d.campaign_id
           AND r.firm_id = d.firm_id))::int AS drafts,
      count(*) FILTER (WHERE status = 'current')::int AS submitted,
      count(*) FILTER (WHERE status = 'withdrawn')::int AS withdrawn,
      coalesce(sum(workers_total) FILTER (WHERE status = 'current'), 0)::int AS workers,
      coalesce(sum(need_count) FILTER (WHERE status = 'current'), 0)::int AS lines
    FROM latest`.execute(db);
  return rows[0]!;
}

const campaignForShare = (db: Executor, id: string) =>
  db
    .selectFrom('campaigns')
    .select([...campaignColumns, areasOf.as('areas')])
    .where('id', '=', id)
    .forShare();

/** The firms that began an answer to the campaign and have not sent one. */
export async function firmsWithUnsentDrafts(db: Executor, campaignId: string) {
  const rows = await db
    .selectFrom('response_drafts as d')
    .select('d.firm_id')
    .where('d.campaign_id', '=', campaignId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('responses as r')
            .select(sql`1`.as('one'))
            .whereRef('r.campaign_id', '=', 'd.campaign_id')
            .whereRef('r.firm_id', '=', 'd.firm_id'),
        ),
      ),
    )
    .execute();
  return rows.map((r) => r.firm_id);
}

/** The campaign, locked against a concurrent close while an answer is written. */
export function lockCampaignShared(db: Executor, id: string) {
  return campaignForShare(db, id).executeTakeFirst();
}
