import { z } from 'zod';
import { email, shortText, territoryCode } from '../../http/validate';
import { parseVatNumber } from '../../lib/vat';

/** A form's text or an API's number, as an integer in [min, max]. */
export const wholeNumber = (min: number, max: number) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim();
    if (s === '') return undefined;
    return /^[-+]?\d+([.,]\d+)?$/.test(s) ? Number(s.replace(',', '.')) : s;
  }, z.number().int().min(min).max(max));

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
    .regex(/^\d{2}$/),
  employees: wholeNumber(1, MAX_EMPLOYEES),
  territoryCode,
  contactName: shortText(120),
  contactEmail: email,
  contactPhone: z.union([z.literal(''), phone]).optional(),
});
export type FirmProfileInput = z.output<typeof firmProfileSchema>;
