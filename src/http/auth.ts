import type { Express } from 'express';
import { Passport, type Authenticator } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Db } from '../db';
import { findSessionUser } from '../modules/accounts/accounts.repository';
import { AccountDisabledError, authenticate } from '../modules/accounts/accounts.service';

/** passport-local over the session; the user is reloaded per request so a disabled one is out. */
export function setUpAuthentication(app: Express, db: Db): void {
  // One authenticator per app, not passport's global one: two apps in a process (tests, tools)
  // must never load users from each other's database.
  const passport = new Passport();
  app.locals.authenticator = passport;
  passport.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password' },
      (email, password, done) => {
        authenticate(db, email, password).then(
          (id) =>
            id ? findSessionUser(db, id).then((u) => done(null, u ?? false)) : done(null, false),
          (err: unknown) =>
            err instanceof AccountDisabledError
              ? done(null, false, { message: err.messageKey })
              : done(err),
        );
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: string, done) => {
    findSessionUser(db, id).then((u) => done(null, u ?? false), done);
  });
  app.use(passport.initialize());
  app.use(passport.session());
  app.use((req, res, next) => {
    res.locals.user = req.user;
    next();
  });
}

/** The app's own authenticator, for the login route. */
export function authenticatorOf(app: Pick<Express, 'locals'>): Authenticator {
  return app.locals.authenticator as Authenticator;
}
