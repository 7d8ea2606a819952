import type { z } from 'zod';
import type { RuleError } from './need-rules';

/** A problem found in a draft: which step it belongs to, which field, which message. */
export interface Problem extends RuleError {
  step: number;
}

/**
 * A zod issue as a message key and its parameters, so a service can report problems without
 * knowing the user's language (the route or the API translates them).
 */
export function issueKey(issue: z.core.$ZodIssue): Pick<RuleError, 'key' | 'params'> {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? { key: 'validation.required' }
          : { key: 'validation.tooShort', params: { min: issue.minimum } };
      if (issue.origin === 'array')
        return { key: 'validation.tooFew', params: { min: issue.minimum } };
      return { key: 'validation.tooSmall', params: { min: issue.minimum } };
    case 'too_big':
      if (issue.origin === 'string')
        return { key: 'validation.tooLong', params: { max: issue.maximum } };
      if (issue.origin === 'array')
        return { key: 'validation.tooMany', params: { max: issue.maximum } };
      return { key: 'validation.tooBig', params: { max: issue.maximum } };
    case 'invalid_format':
      return { key: 'validation.format' };
    case 'invalid_value':
      return { key: 'validation.choice' };
    case 'invalid_type':
      // zod 4 leaves `input` out of reported issues; its message still says what arrived.
      if (issue.input === undefined && /received undefined$/.test(issue.message))
        return { key: 'validation.required' };
      if (issue.expected === 'int' || issue.expected === 'number')
        return { key: 'survey.errors.wholeNumber' };
      return { key: 'validation.type' };
    case 'unrecognized_keys':
      return { key: 'validation.unknownFields', params: { keys: issue.keys.join(', ') } };
    case 'custom':
      return { key: issue.message };
    default:
      return { key: 'validation.invalid' };
  }
}

export function zodProblems(error: z.ZodError, step: number, prefix = ''): Problem[] {
  return error.issues.map((issue) => ({
    step,
    field:
      issue.code === 'unrecognized_keys' ? '_form' : prefix + (issue.path.join('.') || '_form'),
    ...issueKey(issue),
  }));
}

/** Problems as the field → message map the views show (first message per field). */
export function problemMessages(
  problems: RuleError[],
  t: (key: string, params?: Record<string, unknown>) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.field] ??= t(p.key, p.params);
  return out;
}
