import { z } from 'zod';
import { email, shortText, territoryCode } from '../../http/validate';
import { parseVatNumber } from '../../lib/vat';

/**
 * A form's text or an API's number, as an integer in [min, max]. Text is read the Italian way:
 * a dot only groups thousands ("1.000", "1.000.000"); a comma or any other dot is refused with
 * its own message, never read as a decimal and cut ("1,000" or "1.0" are not 1).
 */
export const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v, ctx) => {
      if (typeof v !== 'string') return v;
      const s = v.trim();
      if (s === '') return undefined;
      if (/^[-+]?\d+$/.test(s)) return Number(s);
      if (/^[-+]?\d{1,3}(\.\d{3})+$/.test(s)) return Number(s.replace(/\./g, ''));
      if (/^[-+]?[\d.]*,[\d.,]*$/.test(s) && /\d/.test(s))
        ctx.addIssue({ code: 'custom', message: 'validation.wholeNumberComma', input: v });
      else if (/^[-+]?[\d.]+$/.test(s) && /\d/.test(s))
        ctx.addIssue({ code: 'custom', message: 'validation.wholeNumberDot', input: v });
      // Words, an exponent ("1e1"): the field wants a whole number, not just "a number".
      else ctx.addIssue({ code: 'custom', message: 'validation.wholeNumber', input: v });
      return s;
    },
    // The bounds before .int(): past 2^53 zod's own safe-integer limit would be quoted instead.
    z.number().min(min).max(max).int(),
  );

export const vatNumber = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .transform((v, ctx) => {
    const r = parseVatNumber(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: `firmProfile.errors.vat.${r.reason}` });
    return z.NEVER;
  });

export const phone = z
  .string()
  .trim()
  .max(30)
  .transform((v) => v.replace(/[.\-/()]/g, ' ').replace(/\s+/g, ' '))
  .refine((v) => /^\+?[0-9 ]{6,20}$/.test(v), { message: 'firmProfile.errors.phone' });

export const MAX_EMPLOYEES = 1_000_000;

/** The firm profile, from the profile page, the questionnaire's first step and the API. */
export const firmProfileSchema = z.strictObject({
  legalName: shortText(200),
  vatNumber,
  naceDivision: z
    .string()
    .trim()
    .min(1)
    .regex(/^\d{2}$/, 'validation.naceDivision'),
  employees: wholeNumber(1, MAX_EMPLOYEES),
  territoryCode,
  contactName: shortText(120),
  contactEmail: email,
  contactPhone: z.union([z.literal(''), phone]).optional(),
});
export type FirmProfileInput = z.output<typeof firmProfileSchema>;
