import type { Express, Request } from 'express';
import { csrfSync } from 'csrf-sync';

const { csrfSynchronisedProtection, generateToken, invalidCsrfTokenError } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string') return header;
    // File uploads (multipart) are parsed after this check, so they carry the token in the URL.
    if (req.is('multipart/form-data') && typeof req.query._csrf === 'string')
      return req.query._csrf;
    return undefined;
  },
});

export { invalidCsrfTokenError };

/** A synchroniser token, kept in the session, on every state-changing request. */
export function setUpCsrf(app: Express): void {
  app.use(csrfSynchronisedProtection);
  app.use((req, res, next) => {
    res.locals.csrfToken = generateToken(req);
    next();
  });
}

export function isCsrfError(err: unknown): boolean {
  return err === invalidCsrfTokenError || (err as { code?: string })?.code === 'EBADCSRFTOKEN';
}
