import type { Express } from 'express';
import type { Db } from '../../db';
import { countUnread } from './notifications.repository';

/**
 * The header's unread badge: one indexed COUNT per page view of a signed-in user. Only GETs of
 * pages need it (a POST redirects), and API calls never pass here (mounted after /api/v1).
 */
export function setUpUnreadCount(app: Express, db: Db): void {
  app.use((req, res, next) => {
    if (req.method !== 'GET' || !req.user) return next();
    countUnread(db, req.user.id).then((n) => {
      res.locals.unreadCount = n;
      res.locals.unreadBadge = n >= 100 ? '99+' : String(n);
      next();
    }, next);
  });
}
