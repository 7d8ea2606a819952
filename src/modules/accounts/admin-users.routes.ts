import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { ROLES } from '../../db/database';
import { allow } from '../../http/authorize';
import { flash, flashRefusal } from '../../http/flash';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { renderSecretLink } from '../../http/secret-link';
import { pageLinks, pastLastPage } from '../../http/paging';
import { parseQueryOrDefaults } from '../../http/query';
import { forgotPasswordRateLimit } from '../../http/rate-limit';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { localName } from '../reference/territories.repository';
import * as repo from './admin-users.repository';
import {
  adminUsersQuery,
  changeEmailSchema,
  disableUserSchema,
  forgotPasswordSchema,
  resetPasswordSchema,
} from './accounts.schemas';
import {
  changeEmail,
  disableUser,
  enableUser,
  findReset,
  issueReset,
  requestReset,
  resetPassword,
} from './admin-users.service';
import { notificationSettings } from '../notifications/settings';

const PAGE_SIZE = 50;
const EVENTS_SHOWN = 50;

type UserRow = NonNullable<Awaited<ReturnType<typeof repo.findUser>>>;

const withTerritory = (u: UserRow, lang: string) => ({
  ...u,
  territory: localName({ name: u.territoryName, names: u.territoryNames }, lang),
});

/** The platform operator's accounts pages, and the pages that set a password through a link. */
export function adminUserRoutes({ db, config }: AppServices): Router {
  const router = Router();

  router.get('/admin/users', allow('user:manage'), async (req, res) => {
    const filter = parseQueryOrDefaults(adminUsersQuery, req, res);
    const rows = await repo.listUsers(
      db,
      {
        q: filter.q || undefined,
        role: filter.role || undefined,
        status: filter.status || undefined,
      },
      PAGE_SIZE + 1,
      (filter.page - 1) * PAGE_SIZE,
    );
    const past = pastLastPage('/admin/users', filter, rows.length);
    if (past) return res.redirect(past);
    const lang = res.locals.lang as string;
    res.render('accounts/admin-users', {
      title: req.t('adminUsers.title'),
      users: rows.slice(0, PAGE_SIZE).map((u) => withTerritory(u, lang)),
      filter,
      roles: ROLES,
      ...pageLinks(filter, rows.length > PAGE_SIZE),
    });
  });

  const userView = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const user = await repo.findUser(db, uuidParam(req));
    if (!user) throw new NotFoundError();
    res.status(status).render('accounts/admin-user', {
      title: user.fullName,
      account: withTerritory(user, res.locals.lang as string),
      self: user.id === req.user!.id,
      events: await repo.eventsOf(db, user.id, EVENTS_SHOWN),
      // Its own key: the e-mail form sent twice changes the address once.
      emailForm: { values: { email: user.email }, formKey: formKeyFor(undefined) },
      // The enable button: a double click enables once (http/form-key).
      formKey: formKeyFor(undefined),
      fieldLabels: { email: req.t('adminUsers.emailLabel') },
      ...extra,
    });
  };

  router.get('/admin/users/:id', allow('user:manage'), (req, res) => userView(req, res, 200));

  router.post('/admin/users/:id/email', allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(changeEmailSchema, req);
    const formKey = formKeyFor(req.body);
    if (!form.ok) return userView(req, res, 422, { emailForm: { ...form, formKey } });
    try {
      await changeEmail(db, req.user!, id, form.data.email, postedFormKey(req.body));
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof NotFoundError) throw err;
      return userView(req, res, err.status, {
        emailForm: { errors: formErrors(req, err), values: form.data, formKey },
      });
    }
    flash(req, 'adminUsers.emailChanged');
    res.redirect(303, `/admin/users/${id}`);
  });

  const disableView = async (req: Request, res: Response, status: number, extra: object) => {
    const user = await repo.findUser(db, uuidParam(req));
    if (!user) throw new NotFoundError();
    if (user.disabledAt || user.id === req.user!.id) return res.redirect(`/admin/users/${user.id}`);
    res.status(status).render('accounts/admin-user-disable', {
      title: req.t('adminUsers.disableTitle'),
      account: user,
      fieldLabels: { reason: req.t('adminUsers.reasonLabel') },
      values: {},
      ...extra,
      formKey: formKeyFor((extra as { values?: Record<string, unknown> }).values),
    });
  };

  router.get('/admin/users/:id/disable', allow('user:manage'), (req, res) =>
    disableView(req, res, 200, {}),
  );

  router.post('/admin/users/:id/disable', allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(disableUserSchema, req);
    if (!form.ok) return disableView(req, res, 422, form);
    try {
      await disableUser(db, req.user!, id, form.data.reason, postedFormKey(req.body));
      flash(req, 'adminUsers.disabled');
    } catch (err) {
      flashRefusal(req, err);
    }
    res.redirect(`/admin/users/${id}`);
  });

  router.post('/admin/users/:id/enable', allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    try {
      await enableUser(db, req.user!, id, postedFormKey(req.body));
      flash(req, 'adminUsers.enabled');
    } catch (err) {
      flashRefusal(req, err);
    }
    res.redirect(`/admin/users/${id}`);
  });

  router.post('/admin/users/:id/reset-link', allow('user:manage'), async (req, res) => {
    const id = uuidParam(req);
    try {
      const { token, expiresAt } = await issueReset(db, req.user!, id);
      renderSecretLink(req, res, config, {
        view: 'accounts/admin-reset-link',
        path: `/password/reset/${token}`,
        locals: {
          title: req.t('adminUsers.resetLinkTitle'),
          account: await repo.findUser(db, id),
          expiresAt,
        },
      });
    } catch (err) {
      flashRefusal(req, err);
      res.redirect(`/admin/users/${id}`);
    }
  });

  const forgotView = (req: Request, res: Response, status: number, extra: object) => {
    res.status(status).render('accounts/password-forgot', {
      title: req.t('passwordReset.forgotTitle'),
      byEmail: notificationSettings().email,
      values: {},
      ...extra,
    });
  };

  router.get('/password/forgot', allow('public'), (req, res) => forgotView(req, res, 200, {}));

  router.post(
    '/password/forgot',
    allow('public'),
    forgotPasswordRateLimit(db),
    async (req, res) => {
      if (!notificationSettings().email) return forgotView(req, res, 200, {});
      const form = parseForm(forgotPasswordSchema, req);
      if (!form.ok) return forgotView(req, res, 422, form);
      await requestReset(db, form.data.email);
      // The same answer whether the address has an account or not.
      forgotView(req, res, 200, { sent: form.data.email });
    },
  );

  const resetView = async (req: Request, res: Response, status: number, extra: object) => {
    const reset = await findReset(db, String(req.params.token));
    if (!reset)
      return res.status(404).render('accounts/password-reset', {
        title: req.t('passwordReset.title'),
        state: 'missing',
      });
    res.setHeader('Cache-Control', 'no-store');
    res.status(reset.state === 'open' ? status : 410).render('accounts/password-reset', {
      title: req.t('passwordReset.title'),
      email: reset.email,
      state: reset.state,
      values: {},
      // A refused form keeps its key (a double click of the right one lands like one click).
      formKey: formKeyFor(req.body),
      ...extra,
    });
  };

  router.get('/password/reset/:token', allow('public'), (req, res) => resetView(req, res, 200, {}));

  router.post('/password/reset/:token', allow('public'), async (req, res, next) => {
    const form = parseForm(resetPasswordSchema, req);
    if (!form.ok) return resetView(req, res, 422, form);
    try {
      await resetPassword(
        db,
        String(req.params.token),
        form.data.password,
        postedFormKey(req.body),
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return resetView(req, res, err.status, {});
    }
    // Whoever is signed in on this browser (maybe someone else) is signed out: the new
    // password is the account's only way in now.
    req.logout((e) => {
      if (e) return next(e);
      flash(req, 'passwordReset.done');
      res.redirect('/login');
    });
  });

  return router;
}
