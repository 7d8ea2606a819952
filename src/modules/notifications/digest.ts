import { sql } from 'kysely';
import type { Db } from '../../db';
import { digestEmail } from './email-content';

export const DIGEST_TIME_ZONE = 'Europe/Rome';

/** The calendar day and hour in Italy: a daily digest follows the users' day, not UTC's. */
export function localDayAndHour(at: Date, timeZone = DIGEST_TIME_ZONE) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/**
 * Queues today's digest for every 'digest' user who has not had one today (from `hour` on):
 * one e-mail with their unread notifications of the last 24 hours that no e-mail carried yet.
 * The preference row is locked (SKIP LOCKED) and stamped with the day in the same transaction
 * as the outbox insert, so two workers never queue the same user's digest twice.
 * Returns how many digests were queued.
 */
export async function queueDigests(db: Db, now: Date, hour: number, batch = 100): Promise<number> {
  const local = localDayAndHour(now);
  if (local.hour < hour) return 0;
  return db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('notification_preferences')
      .select('user_id')
      .where('email_mode', '=', 'digest')
      .where((eb) =>
        eb.or([eb('digest_sent_on', 'is', null), eb('digest_sent_on', '<', local.day)]),
      )
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    let queued = 0;
    for (const { user_id } of due) {
      await tx
        .updateTable('notification_preferences')
        .set({ digest_sent_on: local.day })
        .where('user_id', '=', user_id)
        .execute();
      const user = await tx
        .selectFrom('users')
        .select(['email', 'full_name', 'locale'])
        .where('id', '=', user_id)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!user) continue;
      const items = await tx
        .selectFrom('notifications')
        .select(['id', 'kind', 'params', 'link'])
        .where('user_id', '=', user_id)
        .where('read_at', 'is', null)
        .where('email_id', 'is', null)
        .where(
          'created_at',
          '>',
          sql<Date>`${now.toISOString()}::timestamptz - interval '24 hours'`,
        )
        .orderBy('created_at')
        .limit(200)
        .execute();
      if (items.length === 0) continue;
      const email = await tx
        .insertInto('email_outbox')
        .values({
          user_id,
          to_address: user.email,
          kind: 'digest',
          ...digestEmail(user.locale, user.full_name, items),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('notifications')
        .set({ email_id: email.id })
        .where(
          'id',
          'in',
          items.map((i) => i.id),
        )
        .execute();
      queued++;
    }
    return queued;
  });
}
