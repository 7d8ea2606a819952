import { sql } from 'kysely';
import type { Executor } from '../../db';
import type { EmailMode } from './notifications.tables';

export function listInbox(db: Executor, userId: string, limit: number, offset: number) {
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'params', 'link', 'created_at', 'read_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Unread notifications, counted up to `cap`: the header shows "99+" past it, so a user with a
 * huge backlog never costs more than `cap` index entries per page view.
 */
export async function countUnread(db: Executor, userId: string, cap = 100): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('notifications')
        .select(sql`1`.as('one'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .limit(cap)
        .as('unread'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of the user's own notifications read; undefined when it is not theirs. */
export function markRead(db: Executor, userId: string, id: string) {
  return db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning(['link'])
    .executeTakeFirst();
}

export async function markAllRead(db: Executor, userId: string): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function findEmailMode(db: Executor, userId: string): Promise<EmailMode> {
  const row = await db
    .selectFrom('notification_preferences')
    .select('email_mode')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.email_mode ?? 'immediate';
}

export async function saveEmailMode(db: Executor, userId: string, mode: EmailMode): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values({ user_id: userId, email_mode: mode })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ email_mode: mode, updated_at: sql<Date>`now()` }),
    )
    .execute();
}
