import type { z } from 'zod';
import { issueKey } from '../../http/validate';
import type { RuleError } from './need-rules';
import { DMA_DIMENSIONS, SCORE_MAX, SCORE_MIN } from './readiness';

/** A problem found in a draft: which step it belongs to, which field, which message. */
export interface Problem extends RuleError {
  step: number;
}

export function zodProblems(error: z.ZodError, step: number, prefix = ''): Problem[] {
  return error.issues.map((issue) => ({
    step,
    field: issue.code === 'unrecognized_keys' ? '_form' : prefix + (fieldOf(issue.path) || '_form'),
    ...surveyIssueKey(issue),
  }));
}

/**
 * The form field an issue belongs to: a choice of a list of checkboxes (`technologies.1`) is the
 * list's; too many need lines is the whole form's, not one field's.
 */
function fieldOf(path: PropertyKey[]): string {
  if (path.length === 1 && path[0] === 'needs') return '';
  if (path.length === 2 && typeof path[1] === 'number' && path[0] !== 'needs')
    return String(path[0]);
  return path.join('.');
}

/** Every number the survey asks is a whole one: "abc" there is told so. */
export function surveyIssueKey(issue: z.core.$ZodIssue) {
  const k = issueKey(issue);
  // A readiness question left without a choice: its six buttons are the scale, say so.
  if (
    k.key === 'validation.required' &&
    issue.path.length === 1 &&
    (DMA_DIMENSIONS as readonly PropertyKey[]).includes(issue.path[0]!)
  )
    return { key: 'survey.errors.chooseScore', params: { min: SCORE_MIN, max: SCORE_MAX } };
  if (k.key === 'validation.tooMany' && issue.path[0] === 'needs')
    return { key: 'survey.errors.tooManyLines', params: k.params };
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
