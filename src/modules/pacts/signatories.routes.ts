import { Router } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { flash } from '../../http/flash';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import { loadPactFor } from './access';
import { isEditable } from './pact-workflow';
import * as repo from './pacts.repository';
import { inviteSchema, revisionOnlySchema } from './pacts.schemas';
import { pactFieldLabels } from './pacts.view';
import { inviteSignatory, removeSignatory } from './signatories.service';
import { StaleRevisionError } from './stale';

export function signatoryRoutes({ db }: AppServices): Router {
  const router = Router();

  const page = async (
    req: import('express').Request,
    res: import('express').Response,
    status: number,
    extra: object = {},
  ) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    const signatories = await repo.listSignatories(db, pact.id);
    const manage = party === 'promoter' && isEditable(pact.status);
    const invitable = manage ? await repo.invitableOrganisations(db, pact) : [];
    const lang = res.locals.lang as string;
    const territory = (o: {
      territory_code: string;
      territory_name: string;
      territory_names: Record<string, string>;
    }) =>
      `${localName({ name: o.territory_name, names: o.territory_names }, lang)} (${o.territory_code})`;
    res.status(status).render('pacts/signatories', {
      title: req.t('pacts.tabTitle', { tab: req.t('pacts.signatories.title'), pact: pact.title }),
      pact,
      tab: 'signatories',
      active: signatories
        .filter((s) => !s.removed_at)
        .map((s) => ({ ...s, territory: territory(s) })),
      removed: signatories.filter((s) => s.removed_at && s.declined_reason === null),
      declined: signatories.filter((s) => s.removed_at && s.declined_reason !== null),
      manage,
      canRemove: manage && pact.status !== 'agreed',
      opensNegotiation: pact.status === 'draft',
      fieldLabels: pactFieldLabels(req.t),
      invitable: invitable.map((o) => ({
        value: o.id,
        label: `${o.name} — ${req.t(o.partner_type ? `pacts.partnerType.${o.partner_type}` : `roles.${o.kind}`)} · ${territory(o)}`,
      })),
      values: { revision: pact.revision },
      ...extra,
    });
  };

  router.get('/pacts/:id/signatories', allow('pact:read'), (req, res) => page(req, res, 200));

  router.post('/pacts/:id/signatories', allow('pact:draft'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(inviteSchema, req);
    if (!form.ok) return page(req, res, 422, form);
    try {
      const { organisation } = await inviteSignatory(db, req.user!, id, form.data);
      flash(req, 'pacts.flash.invited', { name: organisation.name });
      res.redirect(`/pacts/${id}/signatories`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      // A double click: the first click invited it, so the second one's form is stale. What was
      // asked is done; the list says so, not "the pact changed meanwhile".
      if (err instanceof StaleRevisionError) {
        const invited = (await repo.listSignatories(db, id)).find(
          (s) => s.id === form.data.organisationId && !s.removed_at,
        );
        if (invited) {
          flash(req, 'pacts.flash.invited', { name: invited.name });
          return res.redirect(`/pacts/${id}/signatories`);
        }
      }
      const errors =
        err instanceof StaleRevisionError
          ? { _form: req.t('pacts.errors.staleList') }
          : formErrors(req, err);
      return page(req, res, err.status, { errors, values: req.body });
    }
  });

  // Removing starts a new revision (signatures to collect again): the button leads here first.
  router.get('/pacts/:id/signatories/:orgId/remove', allow('pact:draft'), async (req, res) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    const back = `/pacts/${pact.id}/signatories`;
    if (party !== 'promoter') return res.redirect(back);
    // An old link: the list's page says why the signatory stays, not a silent bounce.
    if (!isEditable(pact.status)) {
      flash(req, 'pacts.errors.closedForEdits', { status: pact.status }, 'warning');
      return res.redirect(back);
    }
    if (pact.status === 'agreed') {
      flash(req, 'pacts.errors.removeAgreed', undefined, 'warning');
      return res.redirect(back);
    }
    const orgId = uuidParam(req, 'orgId');
    const signatory = (await repo.listSignatories(db, pact.id)).find(
      (s) => s.id === orgId && !s.removed_at,
    );
    if (!signatory) throw new NotFoundError();
    renderConfirm(req, res, {
      title: req.t('pacts.signatories.removeTitle', { name: signatory.name }),
      paragraphs: [req.t('pacts.signatories.removeConfirm', { name: signatory.name })],
      action: `/pacts/${pact.id}/signatories/${orgId}/remove`,
      button: req.t('pacts.signatories.remove'),
      back,
      backLabel: req.t('pacts.back', { title: pact.title }),
      hidden: { revision: pact.revision, [FORM_KEY]: formKeyFor(undefined) },
      irreversible: false,
    });
  });

  router.post('/pacts/:id/signatories/:orgId/remove', allow('pact:draft'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(revisionOnlySchema, req);
    if (!form.ok) throw new DomainError('pacts.errors.badForm', { status: 422 });
    try {
      await removeSignatory(
        db,
        req.user!,
        id,
        uuidParam(req, 'orgId'),
        form.data.revision,
        postedFormKey(req.body),
      );
    } catch (err) {
      if (err instanceof StaleRevisionError)
        return page(req, res, 409, { errors: { _form: req.t('pacts.errors.staleList') } });
      throw err;
    }
    flash(req, 'pacts.flash.signatoryRemoved');
    res.redirect(`/pacts/${id}/signatories`);
  });

  return router;
}
