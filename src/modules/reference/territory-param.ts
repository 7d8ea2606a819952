import type { Request } from 'express';
import type { Executor } from '../../db';
import { refuseParam } from '../../http/query';
import { findTerritory } from './territories.repository';

/**
 * The territory a page's `territory` (or `parent`) parameter names, or a refusal saying no
 * territory has that code: a well-formed but made-up code must not read as a territory without
 * data.
 */
export async function territoryOfQuery(
  db: Executor,
  req: Request,
  code: string,
  param = 'territory',
) {
  const territory = await findTerritory(db, code);
  if (!territory)
    throw refuseParam(req, param, req.t('errors.query.reasons.unknownTerritory', { code }));
  return territory;
}
