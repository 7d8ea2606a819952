import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { HttpError } from '../../http/errors';
import { flash } from '../../http/flash';
import { pastLastPage } from '../../http/paging';
import { parseQueryOrDefaults } from '../../http/query';
import { parseForm, uuidParam } from '../../http/validate';
import { goneMessage } from './link-access';
import { EMAIL_MODES } from './notifications.tables';
import {
  findEmailMode,
  listInbox,
  markAllRead,
  markRead,
  saveEmailMode,
} from './notifications.repository';
import { INBOX_PAGE_SIZE, pageQuery, preferencesSchema } from './notifications.schemas';
import { notificationText } from './render';
import { notificationSettings } from './settings';

export function notificationRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/inbox', allow('inbox:use'), async (req, res) => {
    const { page } = parseQueryOrDefaults(pageQuery, req, res);
    // One row more than the page tells whether an older page exists, without a COUNT.
    const rows = await listInbox(
      db,
      req.user!.id,
      INBOX_PAGE_SIZE + 1,
      (page - 1) * INBOX_PAGE_SIZE,
    );
    const past = pastLastPage('/inbox', { page }, rows.length);
    if (past) return res.redirect(past);
    const items = rows.slice(0, INBOX_PAGE_SIZE).map((n) => ({
      id: n.id,
      // Rendered now, in the reader's language: the row keeps only kind and params.
      text: notificationText(req.t, n.kind, n.params),
      createdAt: n.created_at,
      unread: n.read_at === null,
    }));
    res.render('notifications/inbox', {
      title: req.t('notifications.inbox.title'),
      // A firm hears of its answers, never of pacts or calls.
      intro: req.t(
        req.user!.role === 'firm' ? 'notifications.inbox.introFirm' : 'notifications.inbox.intro',
      ),
      items,
      page,
      newerPage: page > 1 ? page - 1 : null,
      olderPage: rows.length > INBOX_PAGE_SIZE ? page + 1 : null,
      anyUnread: items.some((i) => i.unread) || (res.locals.unreadCount as number) > 0,
    });
  });

  router.post('/inbox/read-all', allow('inbox:use'), async (req, res) => {
    await markAllRead(db, req.user!.id);
    flash(req, 'notifications.inbox.allRead');
    res.redirect('/inbox');
  });

  // POST, not a GET link: opening changes state (read_at), and a GET could be prefetched.
  router.post('/inbox/:id/open', allow('inbox:use'), async (req, res) => {
    // Scoped to the signed-in user in the query: another user's id is simply not found.
    const row = await markRead(db, req.user!.id, uuidParam(req));
    if (!row) throw new HttpError(404);
    // An older notification may point at what the user's organisation can no longer see: say
    // why, back in the inbox, instead of a bare 'page not found'. Nothing about the page is told.
    const gone = await goneMessage(db, req.user!, row.link);
    if (!gone) return res.redirect(303, row.link);
    flash(req, gone, undefined, 'info');
    // Back to the page of the inbox the notification was opened from.
    const from = pageQuery.safeParse(req.body);
    const page = from.success ? from.data.page : 1;
    res.redirect(303, page > 1 ? `/inbox?page=${page}` : '/inbox');
  });

  const preferencesView = (
    req: Request,
    res: Response,
    status: number,
    emailMode: unknown,
    errors = {},
  ) =>
    res.status(status).render('notifications/preferences', {
      title: req.t('notifications.preferences.title'),
      emailEnabled: notificationSettings().email,
      options: EMAIL_MODES.map((mode) => ({
        value: mode,
        label: req.t(`notifications.preferences.${mode}`),
        checked: mode === emailMode,
      })),
      errors,
      values: { emailMode },
    });

  router.get('/account/notifications', allow('inbox:use'), async (req, res) =>
    preferencesView(req, res, 200, await findEmailMode(db, req.user!.id)),
  );

  router.post('/account/notifications', allow('inbox:use'), async (req, res) => {
    const form = parseForm(preferencesSchema, req);
    if (!form.ok) return preferencesView(req, res, 422, form.values.emailMode, form.errors);
    await saveEmailMode(db, req.user!.id, form.data.emailMode);
    flash(req, 'notifications.preferences.saved');
    res.redirect('/account/notifications');
  });

  return router;
}
