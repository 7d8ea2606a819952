import type { Express, Request } from 'express';
import { DomainError } from '../lib/domain-error';

/** A one-time message shown after a redirect (post-redirect-get). */
export function flash(
  req: Request,
  key: string,
  params?: Record<string, unknown>,
  kind: 'success' | 'info' | 'warning' = 'success',
): void {
  req.session.flash = { kind, key, params };
}

export function setUpFlash(app: Express): void {
  app.use((req, res, next) => {
    const f = req.session?.flash;
    if (f) {
      delete req.session.flash;
      res.locals.flash = { kind: f.kind, message: req.t(f.key, f.params) };
    }
    next();
  });
}

/**
 * After an act refused for a reason the user can read (a DomainError other than 404), that
 * reason as a warning on the page the route redirects to; anything else is thrown on.
 */
export function flashRefusal(req: Request, err: unknown): void {
  if (!(err instanceof DomainError) || err.status === 404) throw err;
  flash(req, err.messageKey, err.options.params, 'warning');
}
