import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { DomainError } from '../../lib/domain-error';
import { problemMessages, zodProblems } from '../survey/problems';
import { resolveComune } from './comune-field';
import { profileFieldLabels, profileFormOptions, type Option } from './firms.options';
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

  const render = async (
    req: Request,
    res: Response,
    status: number,
    extra: { values?: Record<string, unknown>; errors?: object; choices?: Option[] },
  ) => {
    const firm = await getMyFirm(db, req.user!);
    const { choices, ...rest } = extra;
    const values = extra.values ?? profileFormValues(firm, req.user!);
    res.status(status).render('firms/profile', {
      title: req.t('firmProfile.title'),
      firm,
      ...(await profileFormOptions(db, res.locals.lang as string, values.territoryCode, choices)),
      values,
      fieldLabels: profileFieldLabels(req.t),
      ...rest,
    });
  };

  router.get('/firm/profile', allow('firm:profile'), (req, res) => render(req, res, 200, {}));

  router.post('/firm/profile', allow('firm:profile'), async (req, res) => {
    const { _csrf: _, ...posted } = (req.body ?? {}) as Record<string, unknown>;
    const comune = await resolveComune(db, posted, res.locals.lang as string);
    const body = comune.body;
    const form = firmProfileSchema.safeParse(body);
    if (!form.success || comune.problem)
      return render(req, res, 422, {
        // The comune's own problem first: it names what was typed and offers the choices.
        errors: problemMessages(
          [
            ...(comune.problem ? [comune.problem] : []),
            ...(form.success ? [] : zodProblems(form.error, 1)),
            ...(await profileReferenceProblems(db, body)),
          ],
          req.t,
        ),
        values: body,
        choices: comune.choices,
      });
    try {
      await updateMyFirm(db, req.user!, form.data);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return render(req, res, err.status, {
        errors: formErrors(req, err),
        values: body,
      });
    }
    flash(req, 'firmProfile.saved');
    res.redirect('/firm/profile');
  });

  return router;
}
