/**
 * The 4.0 readiness self-assessment, aligned with the six dimensions of the EU Digital Maturity
 * Assessment (DMA) used by the European Digital Innovation Hubs. Pure: no I/O.
 */
export const DMA_DIMENSIONS = [
  'strategy',
  'readiness',
  'human',
  'data',
  'automation',
  'green',
] as const;
export type DmaDimension = (typeof DMA_DIMENSIONS)[number];
export type DmaScores = Record<DmaDimension, number>;

/** The nine Industry 4.0 enabling technologies (Piano Nazionale Industria 4.0). */
export const I40_TECHNOLOGIES = [
  'advanced_manufacturing',
  'additive_manufacturing',
  'augmented_reality',
  'simulation',
  'integration',
  'iot',
  'cloud',
  'cyber_security',
  'big_data',
] as const;
export type I40Technology = (typeof I40_TECHNOLOGIES)[number];

export const SCORE_MIN = 0;
export const SCORE_MAX = 5;

/** Overall score 0–100: the mean of the six dimension scores (0–5) × 20, rounded. */
export function overallScore(scores: DmaScores): number {
  const values = DMA_DIMENSIONS.map((d) => scores[d]);
  for (const v of values)
    if (!Number.isInteger(v) || v < SCORE_MIN || v > SCORE_MAX)
      throw new RangeError(`a dimension score must be an integer 0–5, got ${v}`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.round(mean * 20);
}

export const BANDS = ['basic', 'average', 'moderately_advanced', 'advanced'] as const;
export type Band = (typeof BANDS)[number];

/** The DMA maturity bands: basic ≤ 25, average 26–50, moderately advanced 51–75, advanced > 75. */
export function band(score: number): Band {
  if (score <= 25) return 'basic';
  if (score <= 50) return 'average';
  if (score <= 75) return 'moderately_advanced';
  return 'advanced';
}
