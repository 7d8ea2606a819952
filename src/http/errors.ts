import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { TFunction } from 'i18next';
import { DomainError } from '../lib/domain-error';
import { isCsrfError } from './csrf';
import { getI18n } from './i18n';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail?: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/** A query parameter a page refused, said in the reader's language (see http/query). */
export interface QueryProblem {
  /** The parameter's name; '_form' when the schema refused their combination. */
  param: string;
  text: string;
}

/**
 * A GET page's query its schema refuses (a link edited by hand, or copied short): the error page
 * names each parameter and what it accepts, and links to the page without them when the page
 * accepts that.
 */
export class BadQueryError extends HttpError {
  constructor(
    readonly problems: QueryProblem[],
    readonly retryHref: string | null,
    // The API answers a refused query parameter 422, as its schema checks do.
    status: 400 | 422 = 400,
  ) {
    super(status);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function isApi(req: Request): boolean {
  return req.originalUrl.startsWith('/api/');
}

/**
 * A message said to a program, not to a page's reader: a key with an API twin (`x.errors.apiStale`
 * beside `x.errors.stale`, as `errors.apiHttp404` beside `errors.http404`) is said with the twin,
 * which names the API's fields and operations instead of "reload the page" or "the list below".
 */
export function apiWording(key: string): string {
  const i = key.lastIndexOf('.');
  const twin = `${key.slice(0, i + 1)}api${key.charAt(i + 1).toUpperCase()}${key.slice(i + 2)}`;
  return getI18n().exists(twin) ? twin : key;
}

export function problem(status: number, detail?: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError(404));

/** A JSON body body-parser could not read: said as such, not as a bare 400. */
const isBadJson = (err: unknown, req: Request) =>
  (err as { type?: string } | null)?.type === 'entity.parse.failed' && !!req.is('application/json');

function statusOf(err: unknown): number {
  if (err instanceof HttpError || err instanceof DomainError) return err.status;
  if (isCsrfError(err)) return 403;
  const e = err as { status?: number; type?: string };
  // body-parser: entity.too.large → 413, entity.parse.failed → 400, and so on.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return e.status;
  return 500;
}

/** The fields or query parameters a problem+json names, each with what is wrong. */
function problemErrors(
  err: unknown,
  t: TFunction,
  detail: string,
): { pointer: string; detail: string }[] {
  if (err instanceof BadQueryError)
    return err.problems.map((p) => ({ pointer: `query/${p.param}`, detail: p.text }));
  if (!(err instanceof DomainError)) return [];
  const pointer = (f: string) => (f === '_form' ? 'body' : `body/${f}`);
  const { details } = err.options;
  // A page's hidden field (the revision a form was drawn at) is the API body's own field.
  const field = err.options.apiField ?? err.options.field;
  if (details?.length)
    return details.map((d) => ({
      pointer: pointer(d.field),
      detail: t(apiWording(d.key), { defaultValue: t('errors.http500'), ...d.params }),
    }));
  return field && detail ? [{ pointer: pointer(field), detail }] : [];
}

/** One error handler: a page or problem+json; never a stack trace or SQL in the response. */
export function errorHandler(): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = statusOf(err);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    if (res.headersSent) return res.end();
    // An error raised before the i18n middleware ran: the page still renders, in Italian.
    const t = req.t ?? (res.locals.t = getI18n().getFixedT('it'));
    res.locals.lang ??= 'it';
    res.locals.otherLang ??= 'en';
    res.locals.otherLangHref ??= '?lang=en';
    const detailKey =
      err instanceof DomainError
        ? isApi(req)
          ? apiWording(err.messageKey)
          : err.messageKey
        : isCsrfError(err)
          ? 'errors.csrf'
          : isBadJson(err, req)
            ? 'errors.badJson'
            : status === 401 && isApi(req)
              ? 'errors.apiHttp401'
              : status === 404
                ? // One sentence for an unknown address and a record not found or out of sight.
                  'errors.notFound'
                : `errors.http${status}`;
    const params = err instanceof DomainError ? err.options.params : undefined;
    const detail =
      err instanceof BadQueryError
        ? // A program has no address bar: its query is a request's fields, said as the API's 422s.
          t(isApi(req) ? 'errors.validation' : 'errors.query.lead')
        : err instanceof HttpError && err.detail
          ? err.detail
          : t(detailKey, { defaultValue: t('errors.http500'), ...params });
    if (isApi(req)) {
      const errors = problemErrors(err, t, detail);
      const extra = errors.length ? { errors } : {};
      // Several fields refused: the summary says so; each field's own reason is in `errors`.
      const summary =
        err instanceof DomainError && (err.options.details?.length ?? 0) > 1
          ? t('errors.validation')
          : detail;
      // RFC 6750: a 401 names the scheme the caller should authenticate with.
      // Kept when the authentication already said why (an expired token).
      if (status === 401 && !res.get('WWW-Authenticate'))
        res.set('WWW-Authenticate', 'Bearer realm="patto"');
      res
        .status(status)
        .type('application/problem+json')
        .json(problem(status, summary, extra));
      return;
    }
    res.status(status).render('errors/error', {
      title: t(`errors.title${status}`, { defaultValue: TITLES[status] ?? 'Error' }),
      status,
      detail,
      problems: err instanceof BadQueryError ? err.problems.map((p) => p.text) : undefined,
      retryHref: err instanceof BadQueryError ? err.retryHref : undefined,
      requestId: req.id,
    });
  };
}
