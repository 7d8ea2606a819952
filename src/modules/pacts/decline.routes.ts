import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash, flashRefusal } from '../../http/flash';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { parseForm, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { openOwnAmendments } from './amendments.withdraw';
import { isEditable } from './pact-workflow';
import { declineSchema } from './pacts.schemas';
import { declineToSign } from './signatories.service';

/**
 * An invited organisation declines to sign and leaves the pact: the pact page's button leads to
 * a page that says what it does and asks why (the promoter reads it), then posts.
 */
export function declineRoutes({ db }: AppServices): Router {
  const router = Router();

  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    if (party !== 'signatory')
      throw new DomainError('pacts.decline.signatoryOnly', { status: 403 });
    // An old link or the back button after submission: the pact's page says why.
    if (!isEditable(pact.status)) {
      flash(req, 'pacts.decline.notNow', { status: pact.status }, 'warning');
      return res.redirect(`/pacts/${pact.id}`);
    }
    const values = (extra as { values?: Record<string, unknown> }).values ?? {};
    res.status(status).render('pacts/decline', {
      title: req.t('pacts.decline.title'),
      pact,
      openAmendments: await openOwnAmendments(db, pact.id, req.user!.organisationId),
      fieldLabels: { reason: req.t('pacts.decline.reasonField') },
      values: {},
      ...extra,
      formKey: formKeyFor(values),
    });
  };

  router.get('/pacts/:id/decline', allow('pact:negotiate'), (req, res) => page(req, res, 200));

  router.post('/pacts/:id/decline', allow('pact:negotiate'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(declineSchema, req);
    if (!form.ok) return page(req, res, 422, form);
    try {
      await declineToSign(db, req.user!, id, form.data.reason, postedFormKey(req.body));
    } catch (err) {
      if (err instanceof DomainError && err.status === 403) throw err;
      // Submitted meanwhile (another tab, the promoter): the pact's page says so.
      flashRefusal(req, err);
      return res.redirect(`/pacts/${id}`);
    }
    flash(req, 'pacts.decline.done', { organisation: req.user!.organisationName });
    res.redirect('/pacts');
  });

  return router;
}
