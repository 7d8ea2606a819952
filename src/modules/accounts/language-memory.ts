import type { Express } from 'express';
import { sql } from 'kysely';
import type { Db } from '../../db';

/**
 * A signed-in user's choice of language (the header's link, `?lang=`) is kept on the account
 * too, not only in the browser's cookie: the e-mails they get (notifications, digests) are
 * written in it. One UPDATE, only on the request that makes the choice.
 */
export function setUpLanguageMemory(app: Express, db: Db): void {
  app.use(async (req, _res, next) => {
    if (req.user && req.query.lang !== undefined) {
      await db
        .updateTable('users')
        .set({ locale: req.language })
        .where('id', '=', req.user.id)
        .where(sql<boolean>`locale IS DISTINCT FROM ${req.language}`)
        .execute();
    }
    next();
  });
}
