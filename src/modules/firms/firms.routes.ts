import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { DomainError } from '../../lib/domain-error';
import { problemMessages, zodProblems } from '../survey/problems';
import { profileFieldLabels, profileFormOptions } from './firms.options';
import { firmProfileSchema } from './firms.schemas';
import {
  getMyFirm,
  profileFormValues,
  profileReferenceProblems,
  updateMyFirm,
} from './firms.service';
import { formErrors } from '../../http/validate';

export function firmRoutes({ db }: AppServices): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status: number, extra: object) => {
    const firm = await getMyFirm(db, req.user!);
    res.status(status).render('firms/profile', {
      title: req.t('firmProfile.title'),
      firm,
      ...(await profileFormOptions(db, res.locals.lang as string)),
      values: profileFormValues(firm, req.user!),
      fieldLabels: profileFieldLabels(req.t),
      ...extra,
    });
  };

  router.get('/firm/profile', allow('firm:profile'), (req, res) => render(req, res, 200, {}));

  router.post('/firm/profile', allow('firm:profile'), async (req, res) => {
    const { _csrf: _, ...body } = (req.body ?? {}) as Record<string, unknown>;
    const form = firmProfileSchema.safeParse(body);
    if (!form.success)
      return render(req, res, 422, {
        errors: problemMessages(
          [...zodProblems(form.error, 1), ...(await profileReferenceProblems(db, body))],
          req.t,
        ),
        values: body,
      });
    try {
      await updateMyFirm(db, req.user!, form.data);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return render(req, res, err.status, {
        errors: formErrors(req, err),
        values: req.body,
      });
    }
    flash(req, 'firmProfile.saved');
    res.redirect('/firm/profile');
  });

  return router;
}
