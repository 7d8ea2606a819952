import { sql } from 'kysely';
import type { Executor } from '../../db';
import { territoryAndBelow } from '../accounts/accounts.repository';

export interface ResponseFilter {
  status?: 'current' | 'withdrawn';
  territory?: string;
  page: number;
  pageSize: number;
}

/** Each firm's latest version in a campaign, filtered and paged, with the total count. */
export async function listLatestResponses(db: Executor, campaignId: string, f: ResponseFilter) {
  const { rows } = await sql<{
    id: string;
    firm_id: string;
    legal_name: string;
    territory_code: string;
    territory_name: string;
    territory_names: Record<string, string>;
    size_class: string;
    nace_division: string;
    version: number;
    status: 'current' | 'withdrawn' | 'superseded';
    submitted_at: Date;
    readiness_score: number | null;
    need_count: number;
    workers_total: number;
    total: number;
  }>`
    WITH latest AS (
      SELECT DISTINCT ON (firm_id) *
      FROM responses WHERE campaign_id = ${campaignId}
      ORDER BY firm_id, version DESC)
    SELECT l.id, l.firm_id, l.legal_name, l.territory_code, t.name AS territory_name,
      t.names AS territory_names, l.size_class,
      l.nace_division, l.version, l.status, l.submitted_at, l.readiness_score, l.need_count,
      l.workers_total, count(*) OVER ()::int AS total
    FROM latest l JOIN territories t ON t.code = l.territory_code
    WHERE true
      ${f.status ? sql`AND l.status = ${f.status}` : sql``}
      ${f.territory ? sql`AND l.territory_code IN ${territoryAndBelow(f.territory)}` : sql``}
    ORDER BY l.submitted_at DESC, l.id
    LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`.execute(db);
  // Past the last page the window count is gone with the rows: count on its own then.
  const total = rows[0]?.total ?? (f.page > 1 ? await countLatest(db, campaignId, f) : 0);
  return { rows, total };
}

async function countLatest(db: Executor, campaignId: string, f: ResponseFilter): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT DISTINCT ON (firm_id) status, territory_code
      FROM responses WHERE campaign_id = ${campaignId}
      ORDER BY firm_id, version DESC) l
    WHERE true
      ${f.status ? sql`AND l.status = ${f.status}` : sql``}
      ${f.territory ? sql`AND l.territory_code IN ${territoryAndBelow(f.territory)}` : sql``}`.execute(
    db,
  );
  return rows[0]!.n;
}
