import { z } from 'zod';
import { wholeNumber } from '../firms/firms.schemas';
import { DMA_DIMENSIONS, I40_TECHNOLOGIES, SCORE_MAX, SCORE_MIN } from './readiness';

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export const MODALITIES = ['classroom', 'online', 'blended', 'on_the_job'] as const;
export const MAX_NEED_LINES = 50;
export const MAX_WORKERS = 100_000;
export const NEED_FIELDS = [
  'skill',
  'occupation',
  'workers',
  'eqf',
  'priority',
  'modality',
  'period',
  'note',
] as const;
/** The need fields in the order the form shows them: the error summary lists them so. */
export const NEED_FORM_ORDER = [
  'skill',
  'occupation',
  'eqf',
  'priority',
  'modality',
  'period',
  'workers',
  'note',
] as const;

const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * A form's repeated fields arrive as an array, or — past qs's array limit of 20 — as an object
 * keyed by index; either way, lines in index order.
 */
export function indexedList(v: unknown): unknown[] {
  if (v === undefined || v === '') return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && v !== null)
    return Object.entries(v)
      .filter(([k]) => /^\d{1,3}$/.test(k))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, line]) => line);
  return [v];
}

const score = wholeNumber(SCORE_MIN, SCORE_MAX);
export const readinessSchema = z.strictObject({
  ...(Object.fromEntries(DMA_DIMENSIONS.map((d) => [d, score])) as Record<
    (typeof DMA_DIMENSIONS)[number],
    typeof score
  >),
  technologies: z.preprocess(asArray, z.array(z.enum(I40_TECHNOLOGIES)).max(9)),
});
export type ReadinessInput = z.output<typeof readinessSchema>;

export const needLineSchema = z.strictObject({
  skill: z.string().trim().min(1).max(60),
  // Left on "— Scegli —" it is missing: min(1) says "required" before the format does.
  occupation: z
    .string()
    .trim()
    .min(1)
    .regex(/^\d{2}$/, 'validation.iscoGroup'),
  workers: wholeNumber(1, MAX_WORKERS),
  eqf: wholeNumber(1, 8),
  priority: z.enum(PRIORITIES),
  modality: z.enum(MODALITIES),
  period: z
    .string()
    .trim()
    .regex(/^\d{4}-Q[1-4]$/, 'validation.quarter'),
  note: z.string().trim().max(500).optional().default(''),
});
export type NeedLine = z.output<typeof needLineSchema>;

/** A line whose every field is empty is no line at all (the blank row the form offers). */
export function isBlankLine(line: unknown): boolean {
  if (typeof line !== 'object' || line === null) return false;
  return Object.values(line).every((v) => v === undefined || v === null || String(v).trim() === '');
}

export const needsSchema = z.strictObject({
  needs: z.preprocess(
    (v) => indexedList(v).filter((l) => !isBlankLine(l)),
    z.array(needLineSchema).max(MAX_NEED_LINES),
  ),
});

/** The hidden fields every questionnaire form carries. */
export const formControl = z.object({
  version: wholeNumber(1, 2_000_000_000),
  action: z
    .string()
    .regex(/^(next|back|save|add|remove:\d{1,2})$/)
    .optional()
    .default('next'),
});

/** The draft as stored: the raw values of each step, exactly as the user typed them. */
export interface DraftPayload {
  /** Step 1 saved for later before it was complete; the firm's own profile holds it once it is. */
  profile?: Record<string, unknown>;
  readiness?: Record<string, unknown>;
  needs?: Record<string, unknown>[];
}

export const draftApiSchema = z
  .strictObject({
    version: z.number().int().min(1).max(2_000_000_000),
    step: z.number().int().min(1).max(4).optional(),
    readiness: readinessSchema.optional(),
    needs: z.array(needLineSchema).max(MAX_NEED_LINES).optional(),
  })
  .meta({ id: 'ResponseDraftRequest' });

export const submitApiSchema = z
  .strictObject({
    version: z.number().int().min(1).max(2_000_000_000),
    // Answers sent with the submit replace the draft's, in the same transaction: an API client
    // answers in one call (the draft keeps what was submitted).
    readiness: readinessSchema.optional(),
    needs: z.array(needLineSchema).max(MAX_NEED_LINES).optional(),
  })
  .meta({ id: 'SubmitResponseRequest' });
