import type { Request } from 'express';
import { z } from 'zod';
import type { FieldErrors } from '../../http/validate';
import { fieldErrors } from '../../http/validate';
import { parseEuros } from './money';

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const AMOUNT = new RegExp(`^amount_${UUID}$`);
const PARTICIPANTS = new RegExp(`^participants_${UUID}$`);
const head = z.strictObject({
  revision: z.coerce.number().int().min(1).max(1_000_000),
  remarks: z.string().trim().max(4000).optional().default(''),
});

/**
 * A participants field: empty is left out (the service works out the pro-rata figure), else a
 * whole number 0 or more; the service checks it against the action's planned participants.
 */
function parseParticipants(value: unknown): { ok: true; n?: number } | { ok: false; key: string } {
  if (typeof value !== 'string' || value.length > 10) return { ok: false, key: 'format' };
  const text = value.trim();
  if (text === '') return { ok: true };
  if (/^[-\u2212\u2013]\s*\d/.test(text)) return { ok: false, key: 'negative' };
  if (!/^\d+$/.test(text)) return { ok: false, key: 'format' };
  return { ok: true, n: Number(text) };
}

/**
 * The approve / reduce form: `revision`, `remarks`, and per action one euro field
 * `amount_<actionId>` and one field `participants_<actionId>` (the participants the amount
 * funds). The ids come from the page, so the schema cannot list them; any other field is refused.
 */
export function parseAmountsForm(req: Request):
  | {
      ok: true;
      data: {
        revision: number;
        remarks: string;
        amounts: Map<string, number>;
        participants: Map<string, number>;
      };
    }
  | { ok: false; errors: FieldErrors; values: Record<string, unknown> } {
  const { _csrf: _, ...body } = (req.body ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const amounts = new Map<string, number>();
  const rest: Record<string, unknown> = {};
  const participants = new Map<string, number>();
  for (const [key, value] of Object.entries(body)) {
    const p = PARTICIPANTS.exec(key);
    if (p) {
      const parsed = parseParticipants(value);
      if (!parsed.ok) errors[key] = req.t(`funding.errors.participants.${parsed.key}`);
      else if (parsed.n !== undefined) participants.set(p[1]!.toLowerCase(), parsed.n);
      continue;
    }
    const m = AMOUNT.exec(key);
    if (!m) {
      rest[key] = value;
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '' || value.length > 30) {
      errors[key] = req.t(
        typeof value === 'string' && value.trim() === ''
          ? 'validation.required'
          : 'funding.errors.euro.format',
      );
      continue;
    }
    // A minus sign is said as such, not as an amount written the wrong way.
    if (/^\s*[-\u2212\u2013]/.test(value)) {
      errors[key] = req.t('funding.errors.euro.negative');
      continue;
    }
    const parsed = parseEuros(value);
    if (!parsed.ok && parsed.error !== 'tooBig')
      errors[key] = req.t(`funding.errors.euro.${parsed.error}`);
    else if (!parsed.ok || parsed.cents > 100_000_000_000_000)
      errors[key] = req.t('funding.errors.range.allocation');
    else amounts.set(m[1]!.toLowerCase(), parsed.cents);
  }
  const parsed = head.safeParse(rest);
  if (!parsed.success) Object.assign(errors, fieldErrors(parsed.error, req.t));
  if (Object.keys(errors).length || !parsed.success) return { ok: false, errors, values: body };
  return { ok: true, data: { ...parsed.data, amounts, participants } };
}
