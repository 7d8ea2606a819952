import { Router, type Request, type Response, type NextFunction } from 'express';
import type { AppServices } from '../../app';
import { authenticatorOf } from '../../http/auth';
import { allow } from '../../http/authorize';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { LANGUAGES, languageChosen, rememberLanguage, type Language } from '../../http/i18n';
import { renderConfirm } from '../../http/confirm';
import { flash } from '../../http/flash';
import { formErrors, parseForm, uuidParam, withoutSecrets } from '../../http/validate';
import { loginRateLimit } from '../../http/rate-limit';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { comuneField, resolveComune } from '../firms/comune-field';
import type { Option } from '../firms/firms.options';
import { problemMessages } from '../survey/problems';
import { findProfile, findSessionUser, saveProfile } from './accounts.repository';
import { endSessions } from './admin-users.repository';
import {
  changePasswordSchema,
  loginSchema,
  profileSchema,
  registerFirmSchema,
  safeNext,
  tokenSchema,
} from './accounts.schemas';
import { changePassword, registerFirm } from './accounts.service';
import {
  createApiTokenOnce,
  DEFAULT_TOKEN_LIFETIME,
  listApiTokens,
  revokeApiToken,
  TOKEN_LIFETIMES,
} from './tokens.service';
import { myData } from './my-data';

export function accountRoutes({ db, config }: AppServices): Router {
  const router = Router();

  router.get('/login', allow('public'), (req, res) => {
    if (req.user) return res.redirect('/');
    res.render('accounts/login', { title: req.t('login.title'), values: { next: req.query.next } });
  });

  router.post(
    '/login',
    allow('public'),
    loginRateLimit(db, config.LOGIN_RATE_LIMIT),
    (req, res, next) => {
      const form = parseForm(loginSchema, req);
      if (!form.ok)
        return res.status(422).render('accounts/login', { title: req.t('login.title'), ...form });
      const done = (err: unknown, user: Express.User | false, info?: { message?: string }) => {
        if (err) return next(err);
        if (!user) {
          // One message for a wrong e-mail or a wrong password: never say which. A disabled
          // account is named only to whoever typed its right password.
          const disabled = info?.message === 'login.disabled';
          return res.status(disabled ? 403 : 401).render('accounts/login', {
            title: req.t('login.title'),
            errors: { _form: req.t(disabled ? 'login.disabled' : 'login.failed') },
            values: withoutSecrets(req.body as Record<string, unknown>),
          });
        }
        // passport regenerates the session id here (fixation defence).
        req.logIn(user, (e) => {
          if (e) return next(e);
          // A browser that chose no language yet shows the one the user keeps on their profile.
          if (languageChosen(req)) return res.redirect(safeNext(form.data.next));
          findProfile(db, user.id)
            .then((profile) => {
              const locale = LANGUAGES.find((l) => l === profile?.locale);
              if (locale && locale !== req.language) rememberLanguage(req, res, locale);
              res.redirect(safeNext(form.data.next));
            })
            .catch(next);
        });
      };
      authenticatorOf(req.app).authenticate('local', done)(req, res, next);
    },
  );

  router.post('/logout', allow('public'), (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.redirect('/')));
  });

  const registerView = async (
    req: Request,
    res: Response,
    status: number,
    extra: { values: Record<string, unknown>; errors?: object; choices?: Option[] },
  ) => {
    res.status(status).render('accounts/register', {
      title: req.t('register.title'),
      comune: await comuneField(
        db,
        res.locals.lang as string,
        extra.values.territoryCode,
        extra.choices,
      ),
      // Its second post (a double click) signs in to the account the first made: registerFirm.
      formKey: formKeyFor(extra.values),
      // The summary names each field as this form labels it, not by the generic fields.* name.
      fieldLabels: {
        organisationName: req.t('fields.firmName'),
        territoryCode: req.t('fields.firmTerritory'),
        fullName: req.t('fields.fullName'),
        email: req.t('fields.email'),
        password: req.t('fields.newPassword'),
        passwordConfirm: req.t('fields.passwordConfirm'),
      },
      ...extra,
    });
  };

  router.get('/register', allow('public'), (req, res) => {
    if (req.user) return res.redirect('/');
    return registerView(req, res, 200, { values: {} });
  });

  router.post('/register', allow('public'), async (req, res, next: NextFunction) => {
    // The comune as typed or picked becomes its code before the form's checks.
    const comune = await resolveComune(db, req.body ?? {}, res.locals.lang as string);
    req.body = comune.body;
    const form = parseForm(registerFirmSchema, req);
    if (!form.ok || comune.problem)
      return registerView(req, res, 422, {
        values: form.ok ? withoutSecrets(req.body) : form.values,
        errors: {
          ...(form.ok ? {} : form.errors),
          ...problemMessages(comune.problem ? [comune.problem] : [], req.t),
        },
        choices: comune.choices,
      });
    try {
      const userId = await registerFirm(
        db,
        { ...form.data, locale: req.language as Language },
        postedFormKey(req.body),
      );
      const user = await findSessionUser(db, userId);
      req.logIn(user!, (e) => {
        if (e) return next(e);
        flash(req, 'register.welcome');
        res.redirect('/');
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return registerView(req, res, err.status === 409 ? 409 : 422, {
        errors: formErrors(req, err),
        values: withoutSecrets(req.body),
      });
    }
  });

  const profileView = async (req: Request, res: Response, status: number, extra: object) => {
    const row = await findProfile(db, req.user!.id);
    res.status(status).render('accounts/profile', {
      title: req.t('profile.title'),
      values: { fullName: row?.fullName, locale: row?.locale ?? req.language },
      locales: LANGUAGES.map((value) => ({ value, label: req.t(`layout.switchTo.${value}`) })),
      fieldLabels: { fullName: req.t('fields.fullName'), locale: req.t('profile.locale') },
      ...extra,
    });
  };

  router.get('/account/profile', allow('account:use'), (req, res) =>
    profileView(req, res, 200, {}),
  );

  router.post('/account/profile', allow('account:use'), async (req, res) => {
    const form = parseForm(profileSchema, req);
    if (!form.ok) return profileView(req, res, 422, form);
    await saveProfile(db, req.user!.id, form.data);
    flash(req, 'profile.saved');
    // ?lang= also leaves the browser's cookie, so the pages follow the choice at once.
    res.redirect(`/account/profile?lang=${form.data.locale}`);
  });

  // Everything kept about the person, as a file (GDPR articles 15 and 20): my-data.ts.
  router.get('/account/data.json', allow('account:use'), async (req, res) => {
    const data = await myData(db, req.user!);
    res.attachment(`patto-my-data-${data.exported_at.slice(0, 10)}.json`);
    res.set('Cache-Control', 'no-store');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });

  router.get('/account/password', allow('account:use'), (req, res) => {
    res.render('accounts/password', {
      title: req.t('password.title'),
      values: {},
      formKey: formKeyFor(undefined),
    });
  });

  router.post('/account/password', allow('account:use'), async (req, res) => {
    const form = parseForm(changePasswordSchema, req);
    const render = (status: number, errors: Record<string, string>) =>
      res.status(status).render('accounts/password', {
        title: req.t('password.title'),
        errors,
        values: {},
        formKey: formKeyFor(req.body),
        // The summary names each field as this form labels it ("Nuova password", not "Password").
        fieldLabels: {
          currentPassword: req.t('fields.currentPassword'),
          password: req.t('fields.newPassword'),
          passwordConfirm: req.t('fields.passwordConfirm'),
        },
      });
    if (!form.ok) return render(422, form.errors);
    try {
      const { repeated } = await changePassword(
        db,
        req.user!.id,
        form.data.currentPassword,
        form.data.password,
        postedFormKey(req.body),
      );
      // Whoever else is signed in with the old password is signed out; this browser stays.
      if (!repeated) await endSessions(db, req.user!.id, req.sessionID);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return render(422, formErrors(req, err));
    }
    flash(req, 'password.changed');
    res.redirect('/');
  });

  const tokensView = async (req: Request, res: Response, status: number, extra: object) => {
    const tokens = await listApiTokens(db, req.user!.id);
    res.status(status).render('accounts/tokens', {
      title: req.t('tokens.title'),
      tokens,
      lifetimes: TOKEN_LIFETIMES.map((days) => ({
        value: String(days),
        label: req.t('tokens.lifetimeDays', { count: days }),
      })),
      values: { lifetime: String(DEFAULT_TOKEN_LIFETIME) },
      fieldLabels: { name: req.t('tokens.name'), lifetime: req.t('tokens.lifetime') },
      // A form refused keeps its key; once a token is made, the next one is another form's.
      formKey: formKeyFor(status === 422 ? req.body : undefined),
      ...extra,
    });
  };

  router.get('/account/tokens', allow('token:manage'), (req, res) => tokensView(req, res, 200, {}));

  router.post('/account/tokens', allow('token:manage'), async (req, res) => {
    const form = parseForm(tokenSchema, req);
    if (!form.ok) return tokensView(req, res, 422, form);
    const made = await createApiTokenOnce(
      db,
      req.user!.id,
      form.data.name,
      form.data.lifetime,
      postedFormKey(req.body),
    );
    // A double click: the first post made the token; its secret cannot be shown again.
    if ('repeated' in made) return tokensView(req, res, 200, { repeatedToken: made.repeated });
    // Shown once, on this response only: the database keeps just its hash.
    res.setHeader('Cache-Control', 'no-store');
    return tokensView(req, res, 201, { newToken: made.token, newTokenExpires: made.expiresAt });
  });

  // Revoking cannot be undone (programs using the token lose access): asked first.
  router.get('/account/tokens/:id/revoke', allow('token:manage'), async (req, res) => {
    const id = uuidParam(req);
    const token = (await listApiTokens(db, req.user!.id)).find((tk) => tk.id === id);
    if (!token) throw new NotFoundError();
    if (token.revoked_at) return res.redirect('/account/tokens');
    renderConfirm(req, res, {
      title: req.t('tokens.revokeTitle'),
      lead: req.t('tokens.revokeWhich', { name: token.name }),
      paragraphs: [req.t('tokens.revokeFinal')],
      action: `/account/tokens/${token.id}/revoke`,
      button: req.t('tokens.revoke'),
      back: '/account/tokens',
      backLabel: req.t('tokens.revokeKeep'),
      cancelLabel: req.t('tokens.revokeKeep'),
      irreversible: false,
    });
  });

  router.post('/account/tokens/:id/revoke', allow('token:manage'), async (req, res) => {
    await revokeApiToken(db, req.user!.id, uuidParam(req));
    flash(req, 'tokens.revoked');
    res.redirect('/account/tokens');
  });

  return router;
}
