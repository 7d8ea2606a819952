import { BANDS, band, DMA_DIMENSIONS, I40_TECHNOLOGIES, SCORE_MAX } from './readiness';
import { MODALITIES, PRIORITIES } from './questionnaire.schemas';
import type { campaignQuestionCounts } from './campaign-charts.repository';

type T = (key: string, params?: Record<string, unknown>) => string;
type Counts = Awaited<ReturnType<typeof campaignQuestionCounts>>;

const BAR_HEIGHT = 18;
const GAP = 6;
const PLOT_WIDTH = 300;
// Room for a value after the longest bar ("1.000.000").
const VALUE_WIDTH = 70;
// A 12px label averages 5–6px a character: the label column fits the longest label, so a
// long one ("Soluzioni manifatturiere avanzate e robot collaborativi") is not cut at the left.
const CHAR_WIDTH = 6;
const MIN_LABEL_WIDTH = 80;

export interface BarChart {
  id: string;
  title: string;
  desc: string;
  unit: string;
  /** Drawn at its own size, 1:1 (12px text on every chart), narrower only on a narrow screen. */
  width: number;
  height: number;
  labelWidth: number;
  bars: {
    label: string;
    value: number;
    extra?: number;
    y: number;
    textY: number;
    width: number;
    valueX: number;
  }[];
}

/**
 * A horizontal bar chart as numbers for the SVG partial (views/partials/bar-chart.hbs), with a
 * title, a description that states every value (for screen readers) and the rows of its table.
 */
function barChart(
  id: string,
  title: string,
  unit: string,
  rows: { label: string; value: number; extra?: number }[],
  t: T,
): BarChart {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const labelWidth = Math.max(
    MIN_LABEL_WIDTH,
    ...rows.map((r) => Math.ceil(r.label.length * CHAR_WIDTH) + 12),
  );
  const bars = rows.map((r, i) => {
    const y = i * (BAR_HEIGHT + GAP);
    const width = Math.round((r.value / max) * PLOT_WIDTH);
    return { ...r, y, textY: y + BAR_HEIGHT - 4, width, valueX: labelWidth + width + 6 };
  });
  const desc = rows
    .map((r) => t('campaignCharts.bar', { label: r.label, value: r.value }))
    .join('; ');
  return {
    id,
    title,
    desc: desc ? `${unit} — ${desc}` : t('campaignCharts.empty'),
    unit,
    width: labelWidth + PLOT_WIDTH + VALUE_WIDTH,
    height: Math.max(1, rows.length) * (BAR_HEIGHT + GAP),
    labelWidth,
    bars,
  };
}

/** Every chart of the campaign page, labels in the reader's language. */
export function campaignCharts(
  counts: Counts,
  t: T,
  areaName: (code: string) => string,
): { readiness: BarChart[]; overall: BarChart; technologies: BarChart; needs: BarChart[] } {
  const firms = t('campaignCharts.firms');
  const score = (dim: string, s: number) =>
    counts.scores.find((r) => r.dim === dim && r.score === s)?.firms ?? 0;
  const readiness = DMA_DIMENSIONS.map((d) =>
    barChart(
      `chart-dim-${d}`,
      t(`survey.dimensions.${d}.label`),
      firms,
      Array.from({ length: SCORE_MAX + 1 }, (_, s) => ({
        label: t('campaignCharts.score', { score: s }),
        value: score(d, s),
      })),
      t,
    ),
  );
  const byBand = new Map<string, number>();
  for (const r of counts.scores.filter((x) => x.dim === 'overall'))
    byBand.set(band(r.score), (byBand.get(band(r.score)) ?? 0) + r.firms);
  const overall = barChart(
    'chart-bands',
    t('campaignCharts.bands'),
    firms,
    BANDS.map((b) => ({ label: t(`survey.bands.${b}.label`), value: byBand.get(b) ?? 0 })),
    t,
  );
  const technologies = barChart(
    'chart-tech',
    t('campaignCharts.technologies'),
    firms,
    I40_TECHNOLOGIES.map((x) => ({
      label: t(`survey.technologies.${x}`),
      value: counts.technologies.find((r) => r.tech === x)?.firms ?? 0,
    })),
    t,
  );
  const lines = t('campaignCharts.lines');
  const needRows = (
    key: 'area' | 'priority' | 'modality' | 'period',
    order?: readonly string[],
  ) => {
    const rows = counts.needs.filter((r) => r[key] !== null);
    const codes = order ?? rows.map((r) => r[key]!).sort();
    return codes.map((c) => {
      const r = rows.find((x) => x[key] === c);
      return { code: c, value: r?.lines ?? 0, extra: r?.workers ?? 0 };
    });
  };
  const needs = [
    barChart(
      'chart-area',
      t('campaignCharts.byArea'),
      lines,
      needRows('area').map((r) => ({ ...r, label: areaName(r.code) })),
      t,
    ),
    barChart(
      'chart-priority',
      t('campaignCharts.byPriority'),
      lines,
      needRows('priority', PRIORITIES).map((r) => ({
        ...r,
        label: t(`survey.priorities.${r.code}`),
      })),
      t,
    ),
    barChart(
      'chart-modality',
      t('campaignCharts.byModality'),
      lines,
      needRows('modality', MODALITIES).map((r) => ({
        ...r,
        label: t(`survey.modalities.${r.code}`),
      })),
      t,
    ),
    barChart(
      'chart-period',
      t('campaignCharts.byPeriod'),
      lines,
      needRows('period').map((r) => ({ ...r, label: r.code })),
      t,
    ),
  ];
  return { readiness, overall, technologies, needs };
}
