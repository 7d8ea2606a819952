import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { uuidParam } from '../../http/validate';
import { loadPactFor } from '../pacts/access';
import { euros } from './money';
import type { DecidedAction } from './review.tables';

/**
 * The region's decisions on a pact as its parties see them (promoter, signatories, admin): the
 * remarks of a return, the reasons of a rejection, the amounts granted per action. The
 * eligibility report itself stays on the region's review page.
 */
export function decisionRoutes({ db }: AppServices): Router {
  const router = Router();
  router.get('/pacts/:id/decisions', allow('pact:read'), async (req, res) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    const rows = await db
      .selectFrom('pact_decisions as d')
      .innerJoin('users as u', 'u.id', 'd.decided_by')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select([
        'd.id',
        'd.kind',
        'd.revision',
        'd.remarks',
        'd.approved_cents',
        'd.actions',
        'd.decided_at',
        'o.name as organisation',
      ])
      .where('d.pact_id', '=', pact.id)
      .orderBy('d.decided_at', 'desc')
      .execute();
    res.render('funding/decisions', {
      title: req.t('funding.decisionsPage.title', { pact: pact.title }),
      pact,
      party,
      tab: 'decisions',
      decisions: rows.map((d) => ({
        ...d,
        approved: euros(d.approved_cents),
        actions: (d.actions as DecidedAction[]).map((a) => ({
          ...a,
          cost: euros(a.costCents),
          granted: euros(a.approvedCents),
        })),
      })),
    });
  });
  return router;
}
