import type { Express, Request } from 'express';

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
