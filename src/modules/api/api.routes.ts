import { Router, type RequestHandler } from 'express';
import type { AppServices } from '../../app';
import { errorHandler, HttpError } from '../../http/errors';
import { DomainError } from '../../lib/domain-error';
import { accountOperations } from '../accounts/accounts.api';
import { referenceOperations } from '../reference/reference.api';
import { needsOperations } from '../needs/needs.api';
import { firmOperations } from '../firms/firms.api';
import { surveyOperations } from '../survey/survey.api';
import { delegationOperations } from '../delegations/delegations.api';
import { pactOperations } from '../pacts/pacts.api';
import { negotiationOperations } from '../pacts/negotiation.api';
import { budgetRaiseOperations } from '../funding/budget-raise.api';
import { fundingOperations } from '../funding/funding.api';
import { dashboardOperations } from '../dashboard/dashboard.api';
import { executionOperations } from '../pacts/execution.api';
import { openDataOperations } from '../opendata/opendata.api';
import { authenticateToken } from '../accounts/tokens.service';
import { buildOpenApiDocument } from './openapi';
import { mountOperation, type ApiOperation } from './operation';
import { allow } from '../../http/authorize';

/** Every API operation of every module; a module adds its list here. */
export function apiOperations(services: AppServices): ApiOperation[] {
  return [
    ...accountOperations(services),
    ...referenceOperations(services),
    ...needsOperations(services),
    ...firmOperations(services),
    ...surveyOperations(services),
    ...delegationOperations(services),
    ...pactOperations(services),
    ...negotiationOperations(services),
    ...fundingOperations(services),
    ...budgetRaiseOperations(services),
    ...dashboardOperations(services),
    ...executionOperations(services),
    ...openDataOperations(services),
  ];
}

/**
 * `Authorization: Bearer <token>` → req.user; a wrong or revoked token is a 401, never a guess;
 * an expired one a 401 that says so (its owner knows it, and what to do: make a new one).
 */
function bearerAuth(services: AppServices): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer ([A-Za-z0-9_-]{10,100})$/.exec(header);
    const user = match ? await authenticateToken(services.db, match[1]!) : null;
    if (!user) {
      // RFC 6750 §3.1: invalid_token covers revoked and malformed tokens too, so a client tells
      // "get a new token" from "send one" (no error) without reading the detail.
      res.set(
        'WWW-Authenticate',
        'Bearer realm="patto", error="invalid_token", error_description="The access token is not valid"',
      );
      return next(new DomainError('errors.badToken', { status: 401 }));
    }
    if ('expiredAt' in user) {
      // RFC 6750: a program can tell "expired" from the header too, whatever the language.
      res.set(
        'WWW-Authenticate',
        'Bearer realm="patto", error="invalid_token", error_description="The access token expired"',
      );
      return next(
        new DomainError('errors.expiredToken', { status: 401, params: { date: user.expiredAt } }),
      );
    }
    req.user = user;
    next();
  };
}

/**
 * A path the API has, asked with a method it does not answer there: 405 naming the methods it
 * does (Allow), not a 404 that says the path does not exist; OPTIONS answers the same list.
 * A middleware, not routes: every route of the app declares its one allow().
 */
function otherMethods(operations: ApiOperation[]): RequestHandler {
  const paths = new Map<string, { pattern: RegExp; methods: string[] }>();
  for (const op of operations) {
    const entry = paths.get(op.path) ?? {
      pattern: new RegExp(`^${op.path.replace(/:\w+/g, '[^/]+')}/?$`),
      methods: [],
    };
    entry.methods.push(op.method.toUpperCase(), ...(op.method === 'get' ? ['HEAD'] : []));
    paths.set(op.path, entry);
  }
  return (req, res, next) => {
    const methods = [...paths.values()]
      .filter((p) => p.pattern.test(req.path))
      .flatMap((p) => p.methods);
    if (!methods.length) return next();
    const allowed = [...new Set(methods), 'OPTIONS'].join(', ');
    res.set('Allow', allowed);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new HttpError(405, req.t('errors.apiHttp405', { method: req.method, allowed })));
  };
}

export function apiRoutes(services: AppServices): Router {
  const router = Router();
  const operations = apiOperations(services);
  const document = buildOpenApiDocument(operations, '1.0.0');
  router.get('/openapi.json', allow('public'), (_req, res) => {
    res.json(document);
  });
  router.use(bearerAuth(services));
  for (const op of operations) mountOperation(router, op, services.db);
  router.use(otherMethods(operations));
  // Said as an API's, not a page's "the page you are looking for".
  router.use((req, _res, next) => next(new HttpError(404, req.t('errors.apiHttp404'))));
  router.use(errorHandler());
  return router;
}
