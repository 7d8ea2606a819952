import type { Request, Response } from 'express';
import type { Config } from '../config';

/**
 * The page that shows a single-use link once (an invitation, a password reset): 201, never
 * cached, the link absolute on PUBLIC_URL or else on the host the request came to.
 */
export function renderSecretLink(
  req: Request,
  res: Response,
  config: Pick<Config, 'PUBLIC_URL'>,
  page: { view: string; path: string; locals: Record<string, unknown> },
): void {
  const base = config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
  res.setHeader('Cache-Control', 'no-store');
  res.status(201).render(page.view, { ...page.locals, link: `${base}${page.path}` });
}
