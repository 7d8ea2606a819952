import type { z } from 'zod';
import { issueKey } from '../../http/validate';
import type { RuleError } from './need-rules';

/** A problem found in a draft: which step it belongs to, which field, which message. */
export interface Problem extends RuleError {
  step: number;
}

export function zodProblems(error: z.ZodError, step: number, prefix = ''): Problem[] {
  return error.issues.map((issue) => ({
    step,
    field:
      issue.code === 'unrecognized_keys' ? '_form' : prefix + (issue.path.join('.') || '_form'),
    ...surveyIssueKey(issue),
  }));
}

/** Every number the survey asks is a whole one: "abc" there is told so. */
export function surveyIssueKey(issue: z.core.$ZodIssue) {
  const k = issueKey(issue);
  return k.key === 'validation.number' ? { key: 'validation.wholeNumber' } : k;
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
