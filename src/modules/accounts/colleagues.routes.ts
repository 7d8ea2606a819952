import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { flash, flashRefusal } from '../../http/flash';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { renderSecretLink } from '../../http/secret-link';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { findCurrentTerritory, localName } from '../reference/territories.repository';
import { colleagueSchema } from './accounts.schemas';
import { findInOrganisation, listMembers, listOpenFor } from './invitations.repository';
import {
  INVITATION_DAYS,
  invitationState,
  inviteColleague,
  revokeInvitationInto,
} from './invitations.service';

const PAGE = '/account/organisation';

/** A user's own organisation: who else is in it, and links for colleagues to join it. */
export function colleagueRoutes({ db, config }: AppServices): Router {
  const router = Router();

  const page = async (req: Request, res: Response, status: number, extra: object) => {
    const user = req.user!;
    const territory = await findCurrentTerritory(db, user.territoryCode);
    res.status(status).render('accounts/organisation', {
      title: req.t('colleagues.title'),
      territory: territory
        ? `${localName(territory, res.locals.lang as string)} (${user.territoryCode})`
        : user.territoryCode,
      members: await listMembers(db, user.organisationId),
      invitations: await listOpenFor(db, user.organisationId),
      days: INVITATION_DAYS,
      values: {},
      ...extra,
      // The form sent twice shows the link of the invitation it made (inviteInto).
      formKey: formKeyFor((extra as { values?: Record<string, unknown> }).values),
    });
  };

  router.get(PAGE, allow('organisation:members'), (req, res) => page(req, res, 200, {}));

  router.post(`${PAGE}/invitations`, allow('organisation:members'), async (req, res) => {
    const form = parseForm(colleagueSchema, req);
    if (!form.ok) return page(req, res, 422, form);
    try {
      const { invitation, token } = await inviteColleague(db, req.user!, form.data.email, {
        formKey: postedFormKey(req.body),
        linkKey: config.sessionSecret,
      });
      renderSecretLink(req, res, config, {
        view: 'invitations/created',
        path: `/invite/${token}`,
        locals: {
          title: req.t('invitations.createdTitle'),
          invitation,
          back: PAGE,
          backLabel: req.t('colleagues.back'),
        },
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return page(req, res, err.status, {
        errors: formErrors(req, err),
        values: { ...form.data, [FORM_KEY]: postedFormKey(req.body) },
      });
    }
  });

  router.get(`${PAGE}/invitations/:id/revoke`, allow('organisation:members'), async (req, res) => {
    const inv = await findInOrganisation(db, req.user!.organisationId, uuidParam(req));
    if (!inv) throw new NotFoundError();
    if (invitationState(inv) !== 'open') return res.redirect(PAGE);
    renderConfirm(req, res, {
      title: req.t('invitations.revokeTitle'),
      lead: req.t('colleagues.revokeWhich', { email: inv.email }),
      paragraphs: [req.t('invitations.revokeFinal')],
      action: `${PAGE}/invitations/${inv.id}/revoke`,
      button: req.t('invitations.revoke'),
      back: PAGE,
      backLabel: req.t('colleagues.back'),
      cancelLabel: req.t('colleagues.keep'),
      irreversible: false,
    });
  });

  router.post(`${PAGE}/invitations/:id/revoke`, allow('organisation:members'), async (req, res) => {
    try {
      await revokeInvitationInto(db, req.user!.organisationId, uuidParam(req));
      flash(req, 'invitations.revoked');
    } catch (err) {
      flashRefusal(req, err);
    }
    res.redirect(PAGE);
  });

  return router;
}
