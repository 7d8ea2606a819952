import type { Request } from 'express';
import { z } from 'zod';
import { DomainError } from '../lib/domain-error';
import { apiWording, HttpError } from './errors';
import { FORM_KEY } from './form-key';

export type FieldErrors = Record<string, string>;
type T = Request['t'];

/**
 * A zod issue as a message key and its parameters, keyed by what went wrong, not by field: a
 * service reports problems without knowing the user's language, a route says them in it.
 */
export function issueKey(issue: z.core.$ZodIssue): {
  key: string;
  params?: Record<string, unknown>;
} {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? { key: 'validation.required' }
          : { key: 'validation.tooShort', params: { min: issue.minimum } };
      if (issue.origin === 'array')
        return { key: 'validation.tooFew', params: { min: issue.minimum } };
      return { key: 'validation.tooSmall', params: { min: Number(issue.minimum) } };
    case 'too_big':
      if (issue.origin === 'string')
        return { key: 'validation.tooLong', params: { max: issue.maximum } };
      if (issue.origin === 'array')
        return { key: 'validation.tooMany', params: { max: issue.maximum } };
      return { key: 'validation.tooBig', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      if (issue.format === 'email') return { key: 'validation.email' };
      // An id only ever comes from a list the page offered (a select, a hidden field).
      if (issue.format === 'uuid') return { key: 'validation.id' };
      // A pattern the schema explains in words of its own (`.regex(re, 'validation.quarter')`).
      if (issue.message.startsWith('validation.')) return { key: issue.message };
      return { key: issue.format === 'date' ? 'validation.date' : 'validation.format' };
    case 'invalid_value':
      // The values, for a program (validation.apiChoice): a page offered them as a list.
      return { key: 'validation.choice', params: { values: issue.values.map(String).join(', ') } };
    case 'invalid_type':
      // zod 4 leaves `input` out of reported issues (so it read "required" for 2.5 or "abc");
      // its message still says what arrived.
      if (/received undefined$/.test(issue.message)) return { key: 'validation.required' };
      if (issue.expected === 'int') return { key: 'validation.wholeNumber' };
      if (issue.expected === 'number') return { key: 'validation.number' };
      // What was expected, for a program (validation.apiType): a form's field has one type.
      return { key: 'validation.type', params: { expected: issue.expected } };
    case 'invalid_union': {
      // "Empty, or a phone number": what was typed is not empty, so the reason is the other
      // option's ("at most 30 characters"), not a bare "invalid value".
      const reasons = issue.errors.find((branch) => branch.some((i) => i.code !== 'invalid_value'));
      return reasons?.[0] ? issueKey(reasons[0]) : { key: 'validation.invalid' };
    }
    case 'unrecognized_keys':
      return { key: 'validation.unknownFields', params: { keys: issue.keys.join(', ') } };
    case 'custom':
      return { key: issue.message };
    default:
      return { key: 'validation.invalid' };
  }
}

/**
 * A body refused after it was laid over a stored record (an API patch): a 422 naming each field,
 * as a refused body is, thrown from inside the transaction that read the record.
 */
export function invalidInput(error: z.ZodError): DomainError {
  const details = error.issues.map((issue) => ({
    field: issue.code === 'unrecognized_keys' ? '_form' : issue.path.join('.') || '_form',
    ...issueKey(issue),
  }));
  const first = details[0]!;
  return new DomainError(first.key, {
    field: first.field,
    params: first.params,
    status: 422,
    details,
  });
}

/** A zod issue as a sentence in the user's language. */
export function issueMessage(issue: z.core.$ZodIssue, t: T, api = false): string {
  // A program was offered no list to choose from: it is told the values, or what an id is
  // (each key's API twin: validation.apiChoice, validation.apiId…).
  const { key, params } = issueKey(issue);
  return t(api ? apiWording(key) : key, params);
}

/**
 * One message per field: its first issue, except that a tighter bound of the same kind wins.
 * Past 2^53 zod's `.int()` reports its safe-integer range before the schema's own `.max(2000)`;
 * the user needs to hear 2000, not 9007199254740991.
 */
export function fieldErrors(
  error: z.ZodError,
  t: T,
  // An API body has no hidden fields: its `revision` is a field the client fills like any other.
  { api = false }: { api?: boolean } = {},
): FieldErrors {
  const chosen = new Map<string, z.core.$ZodIssue>();
  let hidden = false;
  for (const issue of error.issues) {
    const field = issue.code === 'unrecognized_keys' ? '_form' : issue.path.join('.') || '_form';
    if (!api && HIDDEN_FIELDS.has(field)) {
      hidden = true;
      continue;
    }
    const prev = chosen.get(field);
    if (!prev || tighter(issue, prev)) chosen.set(field, issue);
  }
  const errors = Object.fromEntries(
    [...chosen].map(([field, issue]) => [field, issueMessage(issue, t, api)]),
  );
  // A form's hidden fields (the revision it was shown at, its hash) have no place on the page to link to:
  // said of the whole form, as what to do.
  return hidden && !errors._form ? { _form: t('validation.pageOutOfDate'), ...errors } : errors;
}

const HIDDEN_FIELDS = new Set(['revision', 'hash']);

function tighter(issue: z.core.$ZodIssue, than: z.core.$ZodIssue): boolean {
  if (issue.code === 'too_big' && than.code === 'too_big')
    return Number(issue.maximum) < Number(than.maximum);
  if (issue.code === 'too_small' && than.code === 'too_small')
    return Number(issue.minimum) > Number(than.minimum);
  return false;
}

/**
 * Parses a GET query. The known parameters are checked as the schema says; unknown ones are
 * dropped, not refused: a shared link picks up utm_source, fbclid, gclid… on its way, and a
 * read-only page or endpoint must still answer it. (Form bodies stay strict: see parseForm.)
 */
export function safeParseQuery<S extends z.ZodType>(schema: S, query: unknown) {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed;
  const unknown = new Set(
    parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [],
    ),
  );
  if (unknown.size === 0) return parsed;
  const known = Object.entries((query ?? {}) as Record<string, unknown>).filter(
    ([k]) => !unknown.has(k),
  );
  return schema.safeParse(Object.fromEntries(known));
}

export type FormResult<S extends z.ZodType> =
  | { ok: true; data: z.output<S> }
  | { ok: false; errors: FieldErrors; values: Record<string, unknown> };

/**
 * Parses a form body with a strict schema. `_csrf` and `_formKey` are the only extra fields let
 * through; on failure the caller re-renders with `errors` and the user's `values` (never the passwords).
 */
export function parseForm<S extends z.ZodType>(schema: S, req: Request): FormResult<S> {
  const { _csrf: _, ...posted } = (req.body ?? {}) as Record<string, unknown>;
  // A creation form's one-time key (http/form-key) is the route's, not the schema's; it is kept
  // in `values`, so the form rendered again carries the same key.
  const { [FORM_KEY]: __, ...body } = posted;
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, errors: fieldErrors(parsed.error, req.t), values: withoutSecrets(posted) };
}

export function withoutSecrets(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !/password/i.test(k)));
}

/** Route parameters that name a record are UUIDs; anything else is simply not found. */
export function uuidParam(req: Request, name = 'id'): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !z.uuid().safeParse(value).success) throw new HttpError(404);
  return value;
}

// Shared field shapes: every text field has a length limit.
export const email = z.string().trim().toLowerCase().min(1).max(254).pipe(z.email());
export const newPassword = z.string().min(10).max(200);
/**
 * A query's choice among codes the reader knows by their labels (`<labels>.<code>`): a refused
 * value is answered with the list in the reader's words, each with the code the address takes.
 */
export const labelledChoice = <const T extends readonly [string, ...string[]]>(
  values: T,
  labels: string,
) => z.enum(values, { error: `labels:${labels}` });
export const shortText = (max = 200) => z.string().trim().min(1).max(max);
// A choice left on "— Scegli —" arrives empty: min(1) says "required" before the format does.
export const territoryCode = z
  .string()
  .trim()
  .toUpperCase()
  .min(1)
  .regex(/^[A-Z0-9]{2,12}$/, 'errors.query.reasons.territory');

/** A day, YYYY-MM-DD, in 2000–2100: 1900 or 9999 is a typo, shown and sorted as if real. */
export const isoDay = z.iso
  .date()
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', { message: 'validation.dateOutOfRange' });

/**
 * A day from a form: as a date picker sends it (2027-03-31), or as typed where the browser shows
 * a plain text box instead (31/03/2027, 31.3.2027), read the Italian way, day first.
 */
export const formDay = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v.trim());
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v.trim();
}, isoDay);

/** A refused act's reason as a form's errors: under its field, else above the form. */
export function formErrors(req: Request, err: DomainError): Record<string, string> {
  return { [err.options.field ?? '_form']: req.t(err.messageKey, err.options.params) };
}
