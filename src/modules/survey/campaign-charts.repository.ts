import { sql } from 'kysely';
import type { Executor } from '../../db';

/**
 * The per-question counts of a campaign's current answers, by aggregate queries only: no row
 * names a firm. Three statements whatever the number of responses.
 */
export async function campaignQuestionCounts(db: Executor, campaignId: string) {
  const [scores, technologies, needs] = await Promise.all([
    sql<{ dim: string; score: number; firms: number }>`
      SELECT v.dim, v.score, count(*)::int AS firms
      FROM responses r
      CROSS JOIN LATERAL (VALUES ('strategy', r.dma_strategy), ('readiness', r.dma_readiness),
        ('human', r.dma_human), ('data', r.dma_data), ('automation', r.dma_automation),
        ('green', r.dma_green), ('overall', r.readiness_score)) v(dim, score)
      WHERE r.campaign_id = ${campaignId} AND r.status = 'current' AND v.score IS NOT NULL
      GROUP BY 1, 2`.execute(db),
    sql<{ tech: string; firms: number }>`
      SELECT t AS tech, count(*)::int AS firms
      FROM responses r CROSS JOIN LATERAL unnest(r.technologies) t
      WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
      GROUP BY 1`.execute(db),
    sql<{
      area: string | null;
      priority: string | null;
      modality: string | null;
      period: string | null;
      lines: number;
      workers: number;
    }>`
      SELECT n.area_code AS area, n.priority, n.modality, n.period,
        count(*)::int AS lines, sum(n.workers)::int AS workers
      FROM responses r JOIN response_needs n ON n.response_id = r.id
      WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
      GROUP BY GROUPING SETS ((n.area_code), (n.priority), (n.modality), (n.period))`.execute(db),
  ]);
  return { scores: scores.rows, technologies: technologies.rows, needs: needs.rows };
}
