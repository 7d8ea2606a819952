import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { parseForm, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { signSchema } from './negotiation.schemas';
import { isEditable } from './pact-workflow';
import * as repo from './pacts.repository';
import { euros } from './pacts.view';
import { agreementOf, signPact, StaleSignatureError } from './signatures.service';

/** The signing page: the revision's number and hash travel in the form and must be current. */
export function signatureRoutes({ db }: AppServices): Router {
  const router = Router();

  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    const [{ states, agreement }, actions] = await Promise.all([
      agreementOf(db, pact.id, pact.revision),
      repo.listActions(db, pact.id),
    ]);
    const own = states.find((s) => s.id === req.user!.organisationId);
    res.status(status).render('pacts/sign', {
      title: req.t('pacts.tabTitle', { tab: req.t('negotiation.sign.title'), pact: pact.title }),
      tab: 'negotiation',
      pact,
      party,
      signatories: states,
      agreement,
      own,
      actions: actions.map((a) => ({ ...a, cost: euros(a.cost_cents) })),
      requested: euros(pact.requested_cents),
      // Nothing to sign until the revision holds an action (signPact refuses it, saying so).
      nothingToSign: pact.status === 'negotiation' && actions.length === 0,
      canDecline: party === 'signatory' && isEditable(pact.status),
      canSign:
        party === 'signatory' &&
        pact.status === 'negotiation' &&
        !own?.signedCurrent &&
        actions.length > 0,
      ...extra,
    });
  };

  router.get('/pacts/:id/sign', allow('pact:read'), (req, res) => page(req, res, 200));

  router.post('/pacts/:id/sign', allow('pact:negotiate'), async (req, res) => {
    const id = uuidParam(req);
    const parsed = parseForm(signSchema, req);
    if (!parsed.ok) return page(req, res, 422, { errors: parsed.errors });
    try {
      const r = await signPact(db, req.user!, id, parsed.data);
      if (r.repeated) {
        flash(req, 'negotiation.errors.alreadySigned', { revision: String(r.revision) }, 'info');
        return res.redirect(`/pacts/${id}/negotiation`);
      }
      flash(
        req,
        r.agreement.agreed ? 'negotiation.flash.signedAgreed' : 'negotiation.flash.signed',
        { revision: String(r.revision) },
      );
      res.redirect(`/pacts/${id}/negotiation`);
    } catch (err) {
      if (err instanceof StaleSignatureError)
        return page(req, res, 409, {
          stale: { submitted: err.submitted, current: err.current, message: err.messageKey },
        });
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      // A double click (or a colleague first): the signature is there, which is what was asked.
      if (err.messageKey === 'negotiation.errors.alreadySigned') {
        flash(req, err.messageKey, err.options.params, 'info');
        return res.redirect(`/pacts/${id}/negotiation`);
      }
      return page(req, res, err.status, {
        errors: { _form: req.t(err.messageKey, err.options.params) },
      });
    }
  });

  return router;
}
