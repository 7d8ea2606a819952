import type { NeedLine, ReadinessInput } from './questionnaire.schemas';
import { overallScore } from './readiness';

/**
 * A version's answer columns, as a submission and a bulk import write them: the readiness
 * scores with their overall score and technologies (null when the campaign asks none), and the
 * totals of its need lines.
 */
export function answerColumns(readiness: ReadinessInput | null | undefined, needs: NeedLine[]) {
  const r = readiness ?? null;
  return {
    dma_strategy: r?.strategy ?? null,
    dma_readiness: r?.readiness ?? null,
    dma_human: r?.human ?? null,
    dma_data: r?.data ?? null,
    dma_automation: r?.automation ?? null,
    dma_green: r?.green ?? null,
    readiness_score: r ? overallScore(r) : null,
    technologies: r?.technologies ?? [],
    need_count: needs.length,
    workers_total: needs.reduce((sum, l) => sum + l.workers, 0),
  };
}

/** A version's need lines as rows of response_needs, numbered from 1; areaOf: skill → area. */
export function needLineRows(
  responseId: string,
  needs: NeedLine[],
  areaOf: ReadonlyMap<string, string>,
) {
  return needs.map((l, i) => ({
    response_id: responseId,
    line_no: i + 1,
    area_code: areaOf.get(l.skill)!,
    skill_code: l.skill,
    occupation_code: l.occupation,
    workers: l.workers,
    eqf_level: l.eqf,
    priority: l.priority,
    modality: l.modality,
    period: l.period,
    note: l.note || null,
  }));
}
