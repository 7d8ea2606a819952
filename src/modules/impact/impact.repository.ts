import { sql } from 'kysely';
import type { Executor } from '../../db';
import { hasCoveredLine } from './coverage.repository';

export interface ReadinessCampaign {
  id: string;
  title: string;
  territory_code: string;
  opens_at: string;
  disclosure_k: number;
}

/**
 * Published campaigns with the readiness assessment that overlap the territory `code` (covering
 * it or lying below it), newest first.
 */
export async function readinessCampaigns(db: Executor, code: string) {
  const { rows } = await sql<ReadinessCampaign>`
    SELECT c.id, c.title, c.territory_code, c.opens_at, c.disclosure_k
    FROM campaigns c
    WHERE c.status <> 'draft' AND c.readiness
      AND EXISTS (SELECT 1 FROM territory_ancestors ta
                  WHERE (ta.code = ${code} AND ta.ancestor_code = c.territory_code)
                     OR (ta.code = c.territory_code AND ta.ancestor_code = ${code}))
    ORDER BY c.opens_at DESC, c.created_at DESC`.execute(db);
  return rows;
}

export interface ReadinessPair {
  firm_id: string;
  before: number;
  after: number;
  covered: boolean;
}

/**
 * Firms of `scope` and below (by the territory of their earlier answer) that assessed their
 * readiness in both campaigns and declared at least one need in the earlier one: both scores,
 * and whether a funded action covered one of those needs.
 */
export async function readinessPairs(
  db: Executor,
  q: { before: string; after: string; scope: string },
): Promise<ReadinessPair[]> {
  const { rows } = await sql<ReadinessPair>`
    SELECT r.firm_id, r.readiness_score AS before, b.readiness_score AS after,
           ${hasCoveredLine} AS covered
    FROM responses r
    JOIN responses b ON b.firm_id = r.firm_id AND b.campaign_id = ${q.after}
      AND b.status = 'current' AND b.readiness_score IS NOT NULL
    JOIN territory_ancestors sc ON sc.code = r.territory_code AND sc.ancestor_code = ${q.scope}
    WHERE r.campaign_id = ${q.before} AND r.status = 'current'
      AND r.readiness_score IS NOT NULL
      AND EXISTS (SELECT 1 FROM response_needs x WHERE x.response_id = r.id)`.execute(db);
  return rows;
}
