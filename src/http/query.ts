import type { Request, Response } from 'express';
import type { z } from 'zod';
import { apiWording, BadQueryError, isApi, type QueryProblem } from './errors';
import { issueMessage, safeParseQuery } from './validate';

type T = Request['t'];
type Issue = z.core.$ZodIssue;
type Query = Record<string, unknown>;

/** Parses a page's query; a refusal is a BadQueryError, which the error handler words. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = safeParseQuery(schema, req.query);
  if (parsed.success) return parsed.data;
  const { problems, kept } = refused(parsed.error, req);
  const retry = safeParseQuery(schema, kept).success ? hrefWith(req, kept) : null;
  throw new BadQueryError(problems, retry);
}

/**
 * For pages whose habit is to fall back (a list's filters): the query without the refused
 * parameters, and a notice on the page saying which were ignored and why.
 */
export function parseQueryOrDefaults<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
): z.output<S> {
  const parsed = safeParseQuery(schema, req.query);
  if (parsed.success) return parsed.data;
  const { problems, kept } = refused(parsed.error, req);
  const fallback = safeParseQuery(schema, kept);
  if (!fallback.success) throw new BadQueryError(problems, null);
  res.locals.queryNotice = { problems: problems.map((p) => p.text) };
  return fallback.data;
}

/**
 * A parameter well formed but naming nothing (a territory code no territory has): refused as a
 * malformed one is, the reason in the reader's words, with a link to the page without it.
 */
export function refuseParam(req: Request, param: string, reason: string): BadQueryError {
  const text = req.t('errors.query.invalid', { param, reason });
  if (isApi(req)) return new BadQueryError([{ param, text }], null, 422);
  const kept = Object.fromEntries(Object.entries(req.query as Query).filter(([k]) => k !== param));
  return new BadQueryError([{ param, text }], hrefWith(req, kept));
}

function refused(error: z.ZodError, req: Request): { problems: QueryProblem[]; kept: Query } {
  const query = req.query as Query;
  const problems = queryProblems(error.issues, query, req.t);
  const bad = new Set(problems.map((p) => p.param));
  const kept = Object.fromEntries(Object.entries(query).filter(([k]) => !bad.has(k)));
  return { problems, kept };
}

/**
 * Each refused parameter once, as a sentence naming it and what it accepts; `api`: said to a
 * program (a request's parameter, an id as the API gives it), not of a page's address.
 */
export function queryProblems(issues: Issue[], query: Query, t: T, api = false): QueryProblem[] {
  const said = api
    ? (((key: string, params?: Record<string, unknown>) => t(apiWording(key), params)) as T)
    : t;
  const byParam = new Map<string, QueryProblem>();
  for (const issue of issues) {
    const param = typeof issue.path[0] === 'string' ? issue.path[0] : '_form';
    if (byParam.has(param)) continue;
    byParam.set(param, { param, text: problemText(issue, param, query[param], said) });
  }
  return [...byParam.values()];
}

function problemText(issue: Issue, param: string, value: unknown, t: T): string {
  if (param === '_form') return t('errors.query.combination', { reason: issueMessage(issue, t) });
  if (value === undefined) return t('errors.query.missing', { param });
  return t('errors.query.invalid', { param, reason: reason(branch(issue), value, t) });
}

/** Of a union ("a value of the list, or empty"), the branch that says what is accepted. */
function branch(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const options = issue.errors.flat();
  const values = options.flatMap((i) => (i.code === 'invalid_value' ? i.values : []));
  const other = options.find((i) => i.code !== 'invalid_value');
  if (!other) return { ...options[0]!, code: 'invalid_value', values } as Issue;
  return branch(other);
}

function reason(issue: Issue, value: unknown, t: T): string {
  if (Array.isArray(value)) return t('errors.query.reasons.repeated');
  switch (issue.code) {
    case 'invalid_value': {
      const values = issue.values.filter((v) => v !== '').map(String);
      // A labelled choice (labelledChoice) is listed in the reader's words, its code beside each.
      const labels = issue.message?.startsWith('labels:') ? issue.message.slice(7) : null;
      const shown = labels ? values.map((v) => `${t(`${labels}.${v}`)} (${v})`) : values;
      return t('errors.query.reasons.allowed', { values: shown.join(', ') });
    }
    case 'invalid_format':
      if (issue.format === 'uuid') return t('errors.query.reasons.id');
      // A schema may name its format with a hint key (a quarter, a territory code).
      if (issue.message.startsWith('errors.query.reasons.')) return t(issue.message);
      return t('errors.query.reasons.format');
    case 'invalid_type':
      return issue.expected === 'int' || issue.expected === 'number'
        ? t('errors.query.reasons.number')
        : t('errors.query.reasons.invalid');
    case 'too_big':
      return issue.origin === 'string'
        ? t('errors.query.reasons.tooLong', { max: issue.maximum })
        : t('errors.query.reasons.max', { max: issue.maximum });
    case 'too_small':
      return issue.origin === 'string'
        ? t('errors.query.reasons.empty')
        : t('errors.query.reasons.min', { min: issue.minimum });
    default:
      return t('errors.query.reasons.invalid');
  }
}

function hrefWith(req: Request, query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  const search = params.toString();
  return `${req.baseUrl}${req.path}${search ? `?${search}` : ''}`;
}
