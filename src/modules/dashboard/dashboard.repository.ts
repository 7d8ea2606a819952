import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { CellRow } from '../needs/needs.repository';
import { coveredParticipants } from '../opendata/opendata.repository';
import { romeToday } from '../survey/calendar';

/** The pact states whose actions count as funded: approved, then carried out. */
export const FUNDED = ['approved', 'in_progress', 'closed'] as const;

/** The firms that answered a campaign, grouped by the territory they answered from. */
export interface ResponseGroup {
  territory_code: string;
  firms: number;
  /** Firms that took the readiness self-assessment, and the sum of their scores. */
  scored: number;
  score_sum: number;
  employees: number;
}

/**
 * One pass over the campaign's current responses (an index-only scan of
 * responses_dashboard_idx): a row per territory they were given at, a few hundred for a region.
 */
export async function responseGroups(db: Executor, campaignId: string): Promise<ResponseGroup[]> {
  const { rows } = await sql<ResponseGroup>`
    SELECT territory_code, count(*)::int AS firms, count(readiness_score)::int AS scored,
           coalesce(sum(readiness_score), 0)::bigint AS score_sum,
           coalesce(sum(employees), 0)::bigint AS employees
    FROM responses WHERE campaign_id = ${campaignId} AND status = 'current'
    GROUP BY 1`.execute(db);
  return rows.map((r) => ({
    ...r,
    score_sum: Number(r.score_sum),
    employees: Number(r.employees),
  }));
}

/** Workers in need of a whole campaign: its total cells, every territory. */
export async function campaignWorkers(db: Executor, campaignId: string): Promise<number> {
  const { rows } = await sql<{ workers: number }>`
    SELECT coalesce(sum(workers), 0)::bigint AS workers FROM need_cells
    WHERE campaign_id = ${campaignId} AND dim = 'total' AND priority = '*' AND period = '*'`.execute(
    db,
  );
  return Number(rows[0]?.workers ?? 0);
}

/** The versions of campaigns (bumped with every change of their answers, see needs/aggregate.ts). */
export async function campaignVersions(db: Executor, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('need_campaign_versions')
    .select(['campaign_id', 'version'])
    .where('campaign_id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.campaign_id, Number(r.version)]));
}

/** The firms of `groups` summed over the closure of each territory of `codes`. */
export async function firmsBelow(db: Executor, groups: ResponseGroup[], codes: string[]) {
  if (!codes.length || !groups.length) return new Map<string, number>();
  const { rows } = await sql<{ code: string; firms: number }>`
    SELECT ta.ancestor_code AS code, sum(g.firms)::int AS firms
    FROM unnest(${groups.map((g) => g.territory_code)}::text[],
                ${groups.map((g) => g.firms)}::int[]) AS g(territory_code, firms)
    JOIN territory_ancestors ta ON ta.code = g.territory_code
    WHERE ta.ancestor_code = ANY(${codes}::text[])
    GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [r.code, r.firms]));
}

export interface PactFigures {
  covered: number;
  committed_cents: number;
  spent_cents: number;
  enrolled: number;
  completed: number;
}

/**
 * What pacts of the campaign did in each territory of `codes` (their own territory at or below
 * it): participants funded by funded actions (of the quarter, when a period is given), what the
 * ledger commits now to those actions, and what was reported spent, enrolled and completed (in
 * the reporting quarter). Bounded by the campaign's pacts, through pacts_campaign_idx.
 */
export async function pactFigures(
  db: Executor,
  q: { campaignId: string; codes: string[]; period: string | null },
): Promise<Map<string, PactFigures>> {
  if (!q.codes.length) return new Map();
  // Summed per pact first: the closure join then sees one row per pact, not per action.
  const { rows } = await sql<PactFigures & { code: string }>`
    SELECT ta.ancestor_code AS code, sum(x.covered)::bigint AS covered,
           sum(x.committed)::bigint AS committed_cents, sum(x.spent)::bigint AS spent_cents,
           sum(x.enrolled)::bigint AS enrolled, sum(x.completed)::bigint AS completed
    FROM (SELECT territory_code, sum(covered) AS covered, sum(committed) AS committed,
                 sum(spent) AS spent, sum(enrolled) AS enrolled, sum(completed) AS completed
          FROM (${pactFlows(q.campaignId, q.period)}) f GROUP BY pact_id, territory_code) x
    JOIN territory_ancestors ta ON ta.code = x.territory_code
    WHERE ta.ancestor_code = ANY(${q.codes}::text[])
    GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [r.code, r]));
}

/**
 * An action of a funded pact that a partial approval (or a reduction) cut to zero is not funded:
 * it covers no one, as on the open data and the firm's own page. One funded in part covers the
 * participants its amount funds (coveredParticipants).
 */
const fundedAction = sql`a.approved_cents IS DISTINCT FROM 0`;

/** One row per funded action, ledger entry and outcome report of a campaign's pacts. */
function pactFlows(campaignId: string, period: string | null) {
  return sql`
    SELECT p.id AS pact_id, p.territory_code, a.period, ${coveredParticipants} AS covered,
           0 AS committed, 0 AS spent, 0 AS enrolled, 0 AS completed
    FROM pacts p JOIN pact_actions a ON a.pact_id = p.id
    WHERE p.campaign_id = ${campaignId} AND p.status IN (${sql.join(FUNDED)}) AND ${fundedAction}
      AND (${period}::text IS NULL OR a.period = ${period})
    UNION ALL
    SELECT p.id, p.territory_code, a.period, 0, b.amount_cents, 0, 0, 0
    FROM pacts p JOIN budget_commitments b ON b.pact_id = p.id
    JOIN pact_actions a ON a.id = b.action_id
    WHERE p.campaign_id = ${campaignId} AND (${period}::text IS NULL OR a.period = ${period})
    UNION ALL
    SELECT p.id, p.territory_code, o.period, 0, 0, o.spent_cents, o.enrolled, o.completed
    FROM pacts p JOIN action_outcomes o ON o.pact_id = p.id
    WHERE p.campaign_id = ${campaignId} AND (${period}::text IS NULL OR o.period = ${period})`;
}

/** Workers in need of `territory` by quarter: the aggregate's cells under each period cut. */
export async function needsByPeriod(db: Executor, campaignId: string, territory: string) {
  const { rows } = await sql<CellRow & { period: string }>`
    SELECT ${territory}::text AS territory_code, 'total' AS dim, '*' AS value, c.period,
           sum(c.firms)::int AS firms, sum(c.workers)::bigint AS workers,
           coalesce(max(c.top_shares[1]), 0)::int AS max_firm_workers
    FROM need_cells c JOIN territory_ancestors ta ON ta.code = c.territory_code
    WHERE c.campaign_id = ${campaignId} AND c.dim = 'total' AND c.priority = '*'
      AND c.period <> '*' AND ta.ancestor_code = ${territory}
    GROUP BY c.period`.execute(db);
  return rows;
}

/** Participants funded (by the action's quarter) and completed (by the report's) below `territory`. */
export async function flowsByPeriod(db: Executor, campaignId: string, territory: string) {
  const { rows } = await sql<{ period: string; covered: number; completed: number }>`
    SELECT x.period, sum(x.covered)::bigint AS covered, sum(x.completed)::bigint AS completed
    FROM (${pactFlows(campaignId, null)}) x
    WHERE x.territory_code IN (SELECT code FROM territory_ancestors WHERE ancestor_code = ${territory})
    GROUP BY 1`.execute(db);
  return rows;
}

export interface RegionCampaign {
  id: string;
  territory_code: string;
  disclosure_k: number;
  name: string;
  names: Record<string, string>;
  /** Closed for answers (see needs/publication.ts: what the public may read). */
  closed: boolean;
}

/** The 40Ready comparison set: each NUTS-1/NUTS-2 territory with a published campaign, its latest. */
export async function regionCampaigns(db: Executor): Promise<RegionCampaign[]> {
  const { rows } = await sql<RegionCampaign>`
    SELECT DISTINCT ON (c.territory_code) c.id, c.territory_code, c.disclosure_k, t.name, t.names,
      (c.status = 'closed' OR c.closes_at < ${romeToday()}::date) AS closed
    FROM campaigns c JOIN territories t ON t.code = c.territory_code
    WHERE c.status <> 'draft' AND t.level IN ('NUTS1', 'NUTS2')
    ORDER BY c.territory_code, c.opens_at DESC, c.created_at DESC`.execute(db);
  return rows;
}

/**
 * The quarters a campaign's needs, actions or reports mention, for the filter; without the
 * needs' own quarters for a reader they are withheld from (needs/publication.ts).
 */
export async function periodsOf(
  db: Executor,
  campaignId: string,
  { needs }: { needs: boolean } = { needs: true },
): Promise<string[]> {
  const { rows } = await sql<{ period: string }>`
    SELECT period FROM need_cells
    WHERE ${needs}::boolean AND campaign_id = ${campaignId} AND dim = 'total' AND priority = '*'
      AND period <> '*'
    UNION
    SELECT a.period FROM pacts p JOIN pact_actions a ON a.pact_id = p.id
    WHERE p.campaign_id = ${campaignId} AND p.status IN (${sql.join(FUNDED)}) AND ${fundedAction}
    UNION
    SELECT o.period FROM pacts p JOIN action_outcomes o ON o.pact_id = p.id
    WHERE p.campaign_id = ${campaignId}
    ORDER BY 1`.execute(db);
  return rows.map((r) => r.period);
}
