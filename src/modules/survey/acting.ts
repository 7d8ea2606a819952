import type { Request, Response } from 'express';
import { z } from 'zod';
import { HttpError } from '../../http/errors';
import type { Delegation } from '../delegations/delegations.service';

const firmParam = z.uuid();

/**
 * `?firm=<id>`: the firm an association user acts for on the survey pages (absent for a firm's
 * own user). A malformed id is not found, like a firm without a delegation. The query suffix is
 * left in `res.locals.forFirm` so every link and form of the page keeps acting for the same firm.
 */
export function forFirm(req: Request, res: Response): string | undefined {
  const raw = req.query.firm;
  res.locals.forFirm = '';
  if (raw === undefined) return undefined;
  const parsed = firmParam.safeParse(raw);
  if (!parsed.success) throw new HttpError(404);
  res.locals.forFirm = `?firm=${parsed.data}`;
  return parsed.data;
}

/** The query suffix for links made in code (redirects), for the same acting firm. */
export function actingSuffix(acting: { delegation: Delegation | null; firmId: string }): string {
  return acting.delegation ? `?firm=${acting.firmId}` : '';
}

/** Where "save and continue later" leads: the firm's home, or the association's firm list. */
export function homeOf(delegation: Delegation | null): string {
  return delegation ? '/delegated-firms' : '/';
}
