import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { can, type Permission } from '../lib/permissions';
import { HttpError } from './errors';

export type Access = 'public' | Permission;

/** A route's declared access, readable by tests that enumerate the router. */
export type AuthorizeHandler = RequestHandler & { access: Access };

/**
 * Every route declares who may call it, and this is the only place that decides. Anonymous
 * callers of a page are sent to log in; of the API, answered 401. A signed-in user without the
 * permission gets 403. Territory scope for the record at hand is checked by the service.
 */
export function allow(access: Access): AuthorizeHandler {
  const handler = (req: Request, res: Response, next: NextFunction) => {
    if (access === 'public') return next();
    if (!req.user) {
      if (req.baseUrl.startsWith('/api/') || req.method !== 'GET') return next(new HttpError(401));
      return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (!can(req.user.role, access)) return next(new HttpError(403));
    next();
  };
  return Object.assign(handler, { access });
}
