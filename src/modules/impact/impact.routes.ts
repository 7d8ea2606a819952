import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { fieldErrors, formErrors, safeParseQuery } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { localName, territoryPath } from '../reference/territories.repository';
import { myCoverage } from './coverage.service';
import { impactQuery } from './impact.schemas';
import { impactComparison } from './impact.service';

/** The firm's coverage page and the impact comparison of the strategic dashboard. */
export function impactRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/my-needs', allow('firm:profile'), async (req, res) => {
    const campaigns = await myCoverage(db, req.user!, res.locals.lang as string);
    res.render('impact/my-needs', { title: req.t('impact.myNeeds.title'), campaigns });
  });

  router.get('/dashboard/impact', allow('needs:read'), async (req, res) => {
    const parsed = safeParseQuery(impactQuery, req.query);
    const lang = res.locals.lang as string;
    const path = await territoryPath(db, req.user!.territoryCode);
    const territoryName = localName(
      path.at(-1) ?? { name: req.user!.territoryCode, names: {} },
      lang,
    );
    const options = (campaigns: { id: string; title: string }[]) =>
      campaigns.map((c) => ({ value: c.id, label: c.title }));
    const refused = async (errors: Record<string, string>) => {
      const impact = await impactComparison(db, req.user!, {});
      return res.status(422).render('impact/dashboard', {
        title: req.t('impact.title'),
        impact: { ...impact, covered: undefined, notCovered: undefined },
        territoryName,
        options: options(impact.campaigns),
        errors,
        fieldLabels: { before: req.t('impact.before'), after: req.t('impact.after') },
        values: req.query,
      });
    };
    if (!parsed.success) return refused(fieldErrors(parsed.error, req.t));
    let impact;
    try {
      impact = await impactComparison(db, req.user!, parsed.data);
    } catch (err) {
      if (err instanceof DomainError && err.status === 422) return refused(formErrors(req, err));
      throw err;
    }
    res.render('impact/dashboard', {
      title: req.t('impact.title'),
      impact,
      territoryName,
      options: options(impact.campaigns),
      values: { before: impact.before?.id, after: impact.after?.id },
    });
  });

  return router;
}
