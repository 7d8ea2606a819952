import { z } from 'zod';

/**
 * A quarter, stored as 2027-Q1. Typed by people, it also arrives as 2027Q1, 2027 Q1, Q1 2027 or
 * Q1/2027, and with T (trimestre) for Q as an Italian writes it, 2027-T1: those say the same
 * quarter and are read as such. Anything else is refused saying the expected form (a bare
 * "invalid format" left users guessing which one), or, for Q0 / Q5, that a year has four quarters.
 */
export const formQuarter = z.preprocess(
  (v) => (typeof v === 'string' ? normaliseQuarter(v) : v),
  z
    .string()
    .meta({
      description: 'A quarter, YYYY-Qn; 2027Q1, 2027 Q1 and Q1 2027 are read as 2027-Q1',
      examples: ['2027-Q1'],
    })
    .superRefine((v, ctx) => {
      if (/^20\d{2}-Q[1-4]$/.test(v)) return;
      const message = /^\d{4}-Q\d$/.test(v)
        ? /^20/.test(v)
          ? 'validation.quarterNumber'
          : 'validation.quarterYear'
        : 'validation.quarter';
      ctx.addIssue({ code: 'custom', message, input: v });
    }),
);

export function normaliseQuarter(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  if (s === '') return undefined;
  // Q (quarter) or T (trimestre, as an Italian writes it): 2027-T1 is 2027-Q1.
  const yearFirst = /^(\d{4})\s*[-/ ]?\s*[QT]\s*(\d)$/.exec(s);
  if (yearFirst) return `${yearFirst[1]}-Q${yearFirst[2]}`;
  const quarterFirst = /^[QT]\s*(\d)\s*[-/ ]?\s*(\d{4})$/.exec(s);
  if (quarterFirst) return `${quarterFirst[2]}-Q${quarterFirst[1]}`;
  return s;
}

/**
 * A filter's period: a quarter (typed as formQuarter reads it) or a whole year; blank is none.
 * Refused saying both forms it takes.
 */
export const quarterOrYear = z.preprocess(
  (v) => (typeof v === 'string' ? normaliseQuarter(v) : v),
  z
    .string()
    .refine((v) => /^20\d{2}(-Q[1-4])?$/.test(v), { message: 'validation.quarterOrYear' })
    .optional(),
);
