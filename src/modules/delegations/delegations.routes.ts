import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { HttpError } from '../../http/errors';
import { formErrors, parseForm, safeParseQuery, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import { listFirmCampaigns } from '../survey/responses.service';
import { findActive, findDelegation } from './delegations.repository';
import { grantSchema, searchQuery } from './delegations.schemas';
import {
  actingFirm,
  delegatingFirms,
  firmDelegations,
  grantDelegation,
  revokeDelegation,
} from './delegations.service';

/** A firm grants and revokes delegations; an employer association sees who delegated it. */
export function delegationRoutes({ db }: AppServices): Router {
  const router = Router();

  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const query = safeParseQuery(searchQuery, req.query);
    const search = query.success ? query.data.q || undefined : undefined;
    const lang = res.locals.lang as string;
    const data = await firmDelegations(db, req.user!, search);
    res.status(status).render('delegations/index', {
      title: req.t('delegations.title'),
      ...data,
      search: search ?? '',
      searchError: query.success ? null : req.t('validation.tooLong', { max: 100 }),
      associations: data.associations.map((a) => ({
        value: a.id,
        label: `${a.name} — ${localName({ name: a.territory_name, names: a.territory_names }, lang)}`,
      })),
      active: data.delegations.filter((d) => !d.revoked_at),
      history: data.delegations.filter((d) => d.revoked_at),
      values: {},
      errors: {},
      fieldLabels: { associationId: req.t('delegations.association') },
      ...extra,
    });
  };

  router.get('/delegations', allow('delegation:grant'), (req, res) => page(req, res, 200));

  router.post('/delegations', allow('delegation:grant'), async (req, res) => {
    const form = parseForm(grantSchema, req);
    if (!form.ok) return page(req, res, 422, form);
    try {
      await grantDelegation(db, req.user!, form.data.associationId);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      // A double click (or a second tab): the association is delegated, as asked. Said as
      // done when this user granted it, as information when a colleague did.
      const active = await findActive(db, req.user!.organisationId, form.data.associationId);
      if (active) {
        if (active.granted_by === req.user!.id) flash(req, 'delegations.granted');
        else flash(req, 'delegations.errors.alreadyGranted', undefined, 'info');
        return res.redirect('/delegations');
      }
      return page(req, res, err.status, {
        values: form.data,
        errors: formErrors(req, err),
      });
    }
    flash(req, 'delegations.granted');
    res.redirect('/delegations');
  });

  router.post('/delegations/:id/revoke', allow('delegation:grant'), async (req, res) => {
    const id = uuidParam(req);
    try {
      await revokeDelegation(db, req.user!, id);
      flash(req, 'delegations.revoked');
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      // A double click: this user's first click revoked it. Done, as it said.
      const d = await findDelegation(db, id);
      if (d?.revoked_by === req.user!.id) flash(req, 'delegations.revoked');
      else flash(req, err.messageKey, undefined, 'warning');
    }
    res.redirect('/delegations');
  });

  router.get('/delegated-firms', allow('delegation:act'), async (req, res) => {
    res.render('delegations/firms', {
      title: req.t('delegations.firmsTitle'),
      ...(await delegatingFirms(db, req.user!)),
    });
  });

  router.get('/delegated-firms/:firmId', allow('delegation:act'), async (req, res) => {
    const firmId = uuidParam(req, 'firmId');
    const { firm, delegation } = await actingFirm(db, req.user!, firmId);
    if (!delegation) throw new HttpError(404);
    res.render('delegations/firm', {
      title: firm.legalName,
      firm,
      delegation,
      campaigns: await listFirmCampaigns(db, req.user!, firmId),
    });
  });

  return router;
}
