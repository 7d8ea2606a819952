import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { flash, flashRefusal } from '../../http/flash';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { parseForm, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { allowedActions } from './pact-workflow';
import { revisionOnlySchema } from './pacts.schemas';
import { promoterTransition, submitPact } from './workflow.service';

/** The promoter's buttons on the pact page; a refusal is said on the pact page (flash). */
export function workflowRoutes({ db }: AppServices): Router {
  const router = Router();
  const revisionOf = (req: import('express').Request) => {
    const form = parseForm(revisionOnlySchema, req);
    if (!form.ok) throw new DomainError('pacts.errors.badForm', { status: 422 });
    return form.data.revision;
  };

  /**
   * A step the pact's page offered but that is refused now (the pact changed in another tab, or
   * another pact took the last places of a need): back to the page, which says why and shows
   * the pact as it is, rather than an error page whose only link leads home.
   */
  const refused = (req: Request, res: Response, id: string, err: unknown) => {
    if (err instanceof DomainError && err.status === 403) throw err;
    flashRefusal(req, err);
    res.redirect(`/pacts/${id}`);
  };

  router.post('/pacts/:id/submit', allow('pact:draft'), async (req, res) => {
    const id = uuidParam(req);
    try {
      const { alreadySubmitted } = await submitPact(db, req.user!, id, revisionOf(req));
      flash(req, alreadySubmitted ? 'pacts.flash.alreadySubmitted' : 'pacts.flash.submitted');
    } catch (err) {
      return refused(req, res, id, err);
    }
    res.redirect(`/pacts/${id}`);
  });

  // Withdrawing cannot be undone: the button on the pact page leads here, to say so first.
  router.get('/pacts/:id/withdraw', allow('pact:draft'), async (req, res) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    if (party !== 'promoter') throw new DomainError('pacts.errors.promoterOnly', { status: 403 });
    if (!allowedActions(pact.status, 'promoter').includes('withdraw')) {
      // An old link or the back button: the pact's page says why, not a silent bounce.
      flash(req, 'pacts.withdraw.notNow', { status: pact.status }, 'warning');
      return res.redirect(`/pacts/${pact.id}`);
    }
    renderConfirm(req, res, {
      title: req.t('pacts.withdraw.title'),
      paragraphs: [req.t('pacts.withdraw.confirm', { title: pact.title })],
      action: `/pacts/${pact.id}/withdraw`,
      button: req.t('pacts.show.withdraw'),
      back: `/pacts/${pact.id}`,
      backLabel: req.t('pacts.back', { title: pact.title }),
      cancelLabel: req.t('pacts.cancel'),
      hidden: { revision: pact.revision, [FORM_KEY]: formKeyFor(undefined) },
      irreversible: false,
    });
  });

  const steps = [
    ['withdraw', 'withdraw'],
    ['open-negotiation', 'open_negotiation'],
    ['reopen', 'reopen'],
  ] as const;
  for (const [path, action] of steps) {
    router.post(`/pacts/:id/${path}`, allow('pact:draft'), async (req, res) => {
      const id = uuidParam(req);
      try {
        await promoterTransition(
          db,
          req.user!,
          id,
          action,
          revisionOf(req),
          postedFormKey(req.body),
        );
        flash(req, `pacts.flash.${action}`);
      } catch (err) {
        return refused(req, res, id, err);
      }
      res.redirect(`/pacts/${id}`);
    });
  }
  return router;
}
