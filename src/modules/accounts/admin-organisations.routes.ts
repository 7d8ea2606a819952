import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { ROLES } from '../../db/database';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { flash, flashRefusal } from '../../http/flash';
import { pageLinks, pastLastPage } from '../../http/paging';
import { parseQueryOrDefaults } from '../../http/query';
import { renderSecretLink } from '../../http/secret-link';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import { territoryGroups } from '../reference/territory-groups';
import {
  adminOrganisationsQuery,
  colleagueSchema,
  organisationTerritorySchema,
  renameOrganisationSchema,
} from './accounts.schemas';
import * as repo from './admin-organisations.repository';
import { changeTerritory, renameOrganisation, territoryLock } from './admin-organisations.service';
import { findInOrganisation, listMembers, listOpenFor } from './invitations.repository';
import {
  INVITATION_DAYS,
  invitationState,
  inviteInto,
  revokeInvitationInto,
} from './invitations.service';

const PAGE_SIZE = 50;
const EVENTS_SHOWN = 50;
const LIST = '/admin/organisations';

/** A refusal to correct the territory, in words: what the organisation takes part in, listed. */
function lockText(req: Request, lock: { key: string; params?: Record<string, unknown> }) {
  const uses = Object.entries(lock.params ?? {})
    .filter(([, n]) => Number(n) > 0)
    .map(([what, n]) => req.t(`adminOrganisations.uses.${what}`, { count: Number(n) }));
  const listed =
    uses.length > 1
      ? `${uses.slice(0, -1).join(', ')}${req.t('adminOrganisations.uses.and')}${uses.at(-1)}`
      : (uses[0] ?? '');
  return req.t(`adminOrganisations.errors.${lock.key}`, { uses: listed });
}

type OrgRow = NonNullable<Awaited<ReturnType<typeof repo.findOrganisation>>>;

const shown = (o: OrgRow, lang: string) => ({
  ...o,
  activeUsers: Number(o.activeUsers ?? 0),
  territory: localName({ name: o.territoryName, names: o.territoryNames }, lang),
});

/**
 * The platform operator's organisations: every organisation with its people, a rename kept in
 * the organisation's history, and invitations into an organisation whose people cannot invite
 * (its only account disabled, or nobody yet).
 */
export function adminOrganisationRoutes({ db, config }: AppServices): Router {
  const router = Router();

  router.get(LIST, allow('user:manage'), async (req, res) => {
    const filter = parseQueryOrDefaults(adminOrganisationsQuery, req, res);
    const rows = await repo.listOrganisations(
      db,
      { q: filter.q || undefined, kind: filter.kind || undefined },
      PAGE_SIZE + 1,
      (filter.page - 1) * PAGE_SIZE,
    );
    const past = pastLastPage(LIST, filter, rows.length);
    if (past) return res.redirect(past);
    const lang = res.locals.lang as string;
    res.render('accounts/admin-organisations', {
      title: req.t('adminOrganisations.title'),
      organisations: rows.slice(0, PAGE_SIZE).map((o) => shown(o, lang)),
      filter,
      roles: ROLES,
      ...pageLinks(filter, rows.length > PAGE_SIZE),
    });
  });

  /** The organisation's page; `extra` carries a form's errors and values back. */
  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const org = await repo.findOrganisation(db, uuidParam(req));
    const invite = (extra as { invite?: { values?: Record<string, unknown> } }).invite ?? {
      values: {},
    };
    if (!org) throw new NotFoundError();
    res.status(status).render('accounts/admin-organisation', {
      title: org.name,
      organisation: shown(org, res.locals.lang as string),
      members: await listMembers(db, org.id),
      invitations: await listOpenFor(db, org.id),
      pacts: await repo.pactCounts(db, org.id),
      territoryLock: await territoryLock(db, org),
      events: await repo.eventsOf(db, org.id, EVENTS_SHOWN),
      days: INVITATION_DAYS,
      fieldLabels: {
        name: req.t('adminOrganisations.nameLabel'),
        reason: req.t('adminOrganisations.reasonLabel'),
      },
      rename: { values: { name: org.name } },
      ...extra,
      // The form sent twice shows the link of the invitation it made (inviteInto).
      invite: { ...invite, formKey: formKeyFor(invite.values) },
    });
  };

  router.get(`${LIST}/:id`, allow('user:manage'), (req, res) => page(req, res, 200));

  router.post(`${LIST}/:id/name`, allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(renameOrganisationSchema, req);
    if (!form.ok) return page(req, res, 422, { rename: form });
    try {
      await renameOrganisation(db, req.user!, id, form.data);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof NotFoundError) throw err;
      return page(req, res, err.status, {
        rename: {
          errors: formErrors(req, err),
          values: form.data,
        },
      });
    }
    flash(req, 'adminOrganisations.renamed');
    res.redirect(303, `${LIST}/${id}`);
  });

  router.post(`${LIST}/:id/invitations`, allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(colleagueSchema, req);
    if (!form.ok) return page(req, res, 422, { invite: form });
    try {
      const { invitation, token } = await inviteInto(
        db,
        {
          by: req.user!.id,
          organisationId: id,
          email: form.data.email,
          formKey: postedFormKey(req.body),
          linkKey: config.sessionSecret,
        },
        'adminOrganisations',
      );
      renderSecretLink(req, res, config, {
        view: 'invitations/created',
        path: `/invite/${token}`,
        locals: {
          title: req.t('invitations.createdTitle'),
          invitation,
          back: `${LIST}/${id}`,
          backLabel: req.t('adminOrganisations.back'),
        },
      });
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof NotFoundError) throw err;
      return page(req, res, err.status, {
        invite: {
          errors: formErrors(req, err),
          values: { ...form.data, [FORM_KEY]: postedFormKey(req.body) },
        },
      });
    }
  });

  router.get(
    `${LIST}/:id/invitations/:invitation/revoke`,
    allow('user:manage'),
    async (req, res) => {
      const id = uuidParam(req);
      const inv = await findInOrganisation(db, id, uuidParam(req, 'invitation'));
      if (!inv) throw new NotFoundError();
      if (invitationState(inv) !== 'open') return res.redirect(`${LIST}/${id}`);
      renderConfirm(req, res, {
        title: req.t('invitations.revokeTitle'),
        lead: req.t('adminOrganisations.revokeWhich', {
          email: inv.email,
          organisation: inv.organisationName,
        }),
        paragraphs: [req.t('invitations.revokeFinal')],
        action: `${LIST}/${id}/invitations/${inv.id}/revoke`,
        button: req.t('invitations.revoke'),
        back: `${LIST}/${id}`,
        backLabel: req.t('adminOrganisations.back'),
        cancelLabel: req.t('adminOrganisations.keep'),
        irreversible: false,
      });
    },
  );

  router.post(
    `${LIST}/:id/invitations/:invitation/revoke`,
    allow('user:manage'),
    async (req, res) => {
      const id = uuidParam(req);
      try {
        await revokeInvitationInto(db, id, uuidParam(req, 'invitation'));
        flash(req, 'invitations.revoked');
      } catch (err) {
        flashRefusal(req, err);
      }
      res.redirect(`${LIST}/${id}`);
    },
  );

  /** The form to correct the territory; an organisation that took part in something says why not. */
  const territoryView = async (req: Request, res: Response, status: number, extra: object) => {
    const org = await repo.findOrganisation(db, uuidParam(req));
    if (!org) throw new NotFoundError();
    const lang = res.locals.lang as string;
    const lock = await territoryLock(db, org);
    res.status(status).render('accounts/admin-organisation-territory', {
      title: req.t('adminOrganisations.territoryTitle'),
      organisation: shown(org, lang),
      lock: lock && lockText(req, lock),
      territoryGroups: await territoryGroups(db, req.user!, lang, req.t),
      fieldLabels: { reason: req.t('adminOrganisations.reasonLabel') },
      values: { territoryCode: org.territoryCode },
      ...extra,
    });
  };

  router.get(`${LIST}/:id/territory`, allow('user:manage'), (req, res) =>
    territoryView(req, res, 200, {}),
  );

  router.post(`${LIST}/:id/territory`, allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(organisationTerritorySchema, req);
    if (!form.ok) return territoryView(req, res, 422, form);
    try {
      await changeTerritory(db, req.user!, id, form.data);
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof NotFoundError) throw err;
      const key = err.messageKey.replace('adminOrganisations.errors.', '');
      return territoryView(req, res, err.status, {
        errors: {
          [err.options.field ?? '_form']: err.messageKey.startsWith('adminOrganisations.')
            ? lockText(req, { key, params: err.options.params })
            : req.t(err.messageKey, err.options.params),
        },
        values: form.data,
      });
    }
    flash(req, 'adminOrganisations.territoryChanged');
    res.redirect(303, `${LIST}/${id}`);
  });

  return router;
}
