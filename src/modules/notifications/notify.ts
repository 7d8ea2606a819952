import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database as DB } from '../../db/database';
import { immediateEmail } from './email-content';
import {
  boundParams,
  isInternalLink,
  NOTIFICATION_KINDS,
  type NotificationKind,
  type NotificationParams,
} from './kinds';
import { notificationSettings } from './settings';

export { NOTIFICATION_KINDS, type NotificationKind } from './kinds';

export interface NotifyInput {
  userIds?: string[];
  /** Every enabled user of these organisations. */
  organisationIds?: string[];
  kind: NotificationKind;
  /** The values its sentence names: see PARAM_NAMES in kinds.ts. */
  params: Record<string, string | number>;
  /** A path inside the platform, e.g. `/pacts/<id>`. */
  link: string;
  /** The actor: never told of their own act. */
  exceptUserId?: string;
}

/**
 * The moment of this call, not of the transaction (now()): one act often tells several things in
 * turn (a signature, then the agreement it completed), and the inbox, newest first, must read
 * them in that order rather than in the random order of their ids.
 */
const happenedAt = sql<Date>`clock_timestamp()`;

/**
 * Tells people something, inside the caller's transaction: one inbox row per recipient and, for
 * those who want it, one queued e-mail (sent later by the mail worker, so a slow or absent SMTP
 * server never holds the transaction, and a rolled-back change notifies nobody).
 * The inbox keeps kind and params, not text: it is rendered when read, in the reader's language.
 * Returns how many users were notified.
 */
export async function notify(
  db: Kysely<DB> | Transaction<DB>,
  input: NotifyInput,
): Promise<number> {
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(input.kind))
    throw new Error(`unknown notification kind ${input.kind}`);
  if (!isInternalLink(input.link)) throw new Error(`notification link must be a local path`);
  const params = boundParams(input.params);
  const userIds = [...new Set(input.userIds ?? [])];
  const organisationIds = [...new Set(input.organisationIds ?? [])];
  if (userIds.length === 0 && organisationIds.length === 0) return 0;

  let query = db
    .selectFrom('users')
    .leftJoin('notification_preferences as np', 'np.user_id', 'users.id')
    .select(['users.id', 'users.email', 'users.full_name', 'users.locale', 'np.email_mode'])
    .where('users.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(userIds.length ? [eb('users.id', 'in', userIds)] : []),
        ...(organisationIds.length ? [eb('users.organisation_id', 'in', organisationIds)] : []),
      ]),
    );
  if (input.exceptUserId) query = query.where('users.id', '<>', input.exceptUserId);
  const recipients = await query.orderBy('users.id').execute();
  if (recipients.length === 0) return 0;

  const emailOf = new Map<string, string>();
  if (notificationSettings().email) {
    const mails = recipients
      .filter((r) => (r.email_mode ?? 'immediate') === 'immediate')
      .map((r) => {
        const id = crypto.randomUUID();
        emailOf.set(r.id, id);
        const content = immediateEmail(r.locale, r.full_name, { ...input, params });
        return {
          id,
          user_id: r.id,
          to_address: r.email,
          kind: input.kind,
          created_at: happenedAt,
          ...content,
        };
      });
    if (mails.length) await db.insertInto('email_outbox').values(mails).execute();
  }
  const json = JSON.stringify(params as NotificationParams);
  await db
    .insertInto('notifications')
    .values(
      recipients.map((r) => ({
        user_id: r.id,
        kind: input.kind,
        params: json,
        link: input.link,
        email_id: emailOf.get(r.id) ?? null,
        created_at: happenedAt,
      })),
    )
    .execute();
  return recipients.length;
}
