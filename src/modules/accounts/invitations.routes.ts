import type { Language } from '../../http/i18n';
import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { PARTNER_TYPES } from '../../db/database';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { flash, flashRefusal } from '../../http/flash';
import { renderSecretLink } from '../../http/secret-link';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { INVITABLE_ROLES } from '../../lib/permissions';
import { findSessionUser } from './accounts.repository';
import { findCurrentTerritory, localName } from '../reference/territories.repository';
import { territoryGroups } from '../reference/territory-groups';
import { acceptInvitationSchema, invitationSchema } from './accounts.schemas';
import {
  acceptInvitation,
  createInvitation,
  findVisibleInvitation,
  findInvitationByToken,
  invitationState,
  listInvitations,
  revokeInvitation,
} from './invitations.service';

const TOKEN = /^inv_[A-Za-z0-9_-]{43}$/;

export function invitationRoutes({ db, config }: AppServices): Router {
  const router = Router();

  const formView = async (req: Request, res: Response, status: number, extra: object) => {
    res.status(status).render('invitations/new', {
      title: req.t('invitations.newTitle'),
      roles: INVITABLE_ROLES[req.user!.role],
      partnerTypes: PARTNER_TYPES,
      territoryGroups: await territoryGroups(db, req.user!, res.locals.lang as string, req.t),
      ...extra,
    });
  };

  router.get('/invitations', allow('invitation:manage'), async (req, res) => {
    res.render('invitations/list', {
      title: req.t('invitations.title'),
      invitations: await listInvitations(db, req.user!, res.locals.lang as string),
    });
  });

  router.get('/invitations/new', allow('invitation:manage'), (req, res) =>
    formView(req, res, 200, { values: {} }),
  );

  router.post('/invitations', allow('invitation:manage'), async (req, res) => {
    const form = parseForm(invitationSchema, req);
    if (!form.ok) return formView(req, res, 422, form);
    try {
      const { invitation, token } = await createInvitation(db, req.user!, {
        ...form.data,
        partnerType: form.data.partnerType || null,
      });
      renderSecretLink(req, res, config, {
        view: 'invitations/created',
        path: `/invite/${token}`,
        locals: { title: req.t('invitations.createdTitle'), invitation },
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return formView(req, res, err.status, {
        errors: formErrors(req, err),
        values: form.data,
      });
    }
  });

  // Revoking cannot be undone (the link stops working for good): asked first.
  router.get('/invitations/:id/revoke', allow('invitation:manage'), async (req, res) => {
    const invitation = await findVisibleInvitation(db, req.user!, uuidParam(req));
    if (!invitation) throw new NotFoundError();
    if (invitation.state !== 'open') return res.redirect('/invitations');
    renderConfirm(req, res, {
      title: req.t('invitations.revokeTitle'),
      lead: req.t('invitations.revokeWhich', {
        email: invitation.email,
        organisation: invitation.organisationName,
      }),
      paragraphs: [req.t('invitations.revokeFinal')],
      action: `/invitations/${invitation.id}/revoke`,
      button: req.t('invitations.revoke'),
      back: '/invitations',
      backLabel: req.t('invitations.revokeKeep'),
      cancelLabel: req.t('invitations.revokeKeep'),
      irreversible: false,
    });
  });

  router.post('/invitations/:id/revoke', allow('invitation:manage'), async (req, res) => {
    try {
      await revokeInvitation(db, req.user!, uuidParam(req));
      flash(req, 'invitations.revoked');
    } catch (err) {
      // Revoked twice (a double click, a stale tab): nothing to do, say so on the list.
      flashRefusal(req, err);
    }
    res.redirect('/invitations');
  });

  const acceptView = async (req: Request, res: Response, status: number, extra: object) => {
    const token = String(req.params.token);
    const inv = TOKEN.test(token) ? await findInvitationByToken(db, token) : undefined;
    if (!inv)
      return res.status(404).render('invitations/accept', {
        title: req.t('invitations.acceptTitle'),
        state: 'missing',
      });
    const state = invitationState(inv);
    // Who the person will be in Patto: the organisation's kind and territory, as their home says.
    const place = await findCurrentTerritory(db, inv.territoryCode);
    res.status(state === 'open' ? status : 410).render('invitations/accept', {
      title: req.t('invitations.acceptTitle'),
      invitation: inv,
      territory: place
        ? `${localName(place, res.locals.lang as string)} (${inv.territoryCode})`
        : inv.territoryCode,
      state,
      // The summary calls the password field as its label does ("Nuova password").
      fieldLabels: { password: req.t('fields.newPassword') },
      values: {},
      ...extra,
    });
  };

  router.get('/invite/:token', allow('public'), (req, res) => acceptView(req, res, 200, {}));

  router.post('/invite/:token', allow('public'), async (req, res, next) => {
    const form = parseForm(acceptInvitationSchema, req);
    if (!form.ok) return acceptView(req, res, 422, form);
    try {
      const userId = await acceptInvitation(db, String(req.params.token), {
        ...form.data,
        locale: req.language as Language,
      });
      const user = await findSessionUser(db, userId);
      req.logIn(user!, (e) => {
        if (e) return next(e);
        flash(req, 'invitations.welcome');
        res.redirect('/');
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return acceptView(req, res, err.status, {
        errors: { _form: req.t(err.messageKey) },
        values: { fullName: form.data.fullName },
      });
    }
  });

  return router;
}
