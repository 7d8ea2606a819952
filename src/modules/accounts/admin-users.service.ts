import type { Db, Executor } from '../../db';
import { createOnce, recordMadeBy, rememberForm } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { hashPassword } from '../../lib/password';
import { hashSecret, newSecret } from '../../lib/tokens';
import { tFor } from '../notifications/render';
import { notificationSettings } from '../notifications/settings';
import * as repo from './admin-users.repository';
import { isUniqueViolation } from './accounts.service';

/** How long a link lasts: one an admin hands over, and one mailed on request. */
export const RESET_HOURS = { issued: 24, requested: 1 } as const;
/** Links a user may ask for by e-mail in an hour (more are silently not sent). */
const REQUESTS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export const RESET_TOKEN = /^pwr_[A-Za-z0-9_-]{43}$/;

export type ResetState = 'open' | 'used' | 'expired' | 'disabled';

export class AccountAdminError extends DomainError {
  constructor(key: string, status = 409) {
    super(`adminUsers.errors.${key}`, { status });
  }
}

/**
 * Disables an account: it can no longer log in, its sessions end now and its API tokens stop
 * working (both check the account on every request). The reason is kept in account_events.
 */
export async function disableUser(
  db: Db,
  admin: SessionUser,
  id: string,
  reason: string,
  /** The form's one-time key: its second post (a double click) finds the account disabled. */
  formKey?: string,
) {
  if (id === admin.id) throw new AccountAdminError('self', 422);
  await db.transaction().execute(async (tx) => {
    const user = await repo.lockUser(tx, id);
    if (!user) throw new NotFoundError();
    await createOnce(tx, admin.id, formKey, async () => {
      if (user.disabled_at) throw new AccountAdminError('alreadyDisabled');
      await repo.setDisabled(tx, id, true);
      await repo.addEvent(tx, { userId: id, event: 'disabled', actorId: admin.id, reason });
      await repo.endSessions(tx, id);
      return id;
    });
  });
}

/** Enables a disabled account again (its password and tokens as they were). */
export async function enableUser(db: Db, admin: SessionUser, id: string, formKey?: string) {
  await db.transaction().execute(async (tx) => {
    const user = await repo.lockUser(tx, id);
    if (!user) throw new NotFoundError();
    // The button's one-time key: its second post (a double click) finds the account enabled.
    await createOnce(tx, admin.id, formKey, async () => {
      if (!user.disabled_at) throw new AccountAdminError('notDisabled');
      await repo.setDisabled(tx, id, false);
      await repo.addEvent(tx, { userId: id, event: 'enabled', actorId: admin.id });
      return id;
    });
  });
}

/**
 * Corrects an account's e-mail address (the person's address changed, or was mistyped at the
 * invitation): they sign in with the new one from now on; the change is kept in account_events.
 */
export async function changeEmail(
  db: Db,
  admin: SessionUser,
  id: string,
  email: string,
  /** The form's one-time key: its second post (a double click) finds the address changed. */
  formKey?: string,
) {
  try {
    await db.transaction().execute(async (tx) => {
      const user = await repo.lockUser(tx, id);
      if (!user) throw new NotFoundError();
      await createOnce(tx, admin.id, formKey, async () => {
        if (user.email === email)
          throw new DomainError('adminUsers.errors.sameEmail', { field: 'email', status: 422 });
        await repo.setEmail(tx, id, email);
        await repo.addEvent(tx, {
          userId: id,
          event: 'email_changed',
          actorId: admin.id,
          change: { from: user.email, to: email },
        });
        return id;
      });
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key'))
      throw new DomainError('adminUsers.errors.emailTaken', { field: 'email', status: 409 });
    throw err;
  }
}

const newReset = async (
  db: Executor,
  userId: string,
  createdBy: string | null,
  hours: number,
): Promise<{ token: string; expiresAt: Date }> => {
  const token = newSecret('pwr');
  const expiresAt = new Date(Date.now() + hours * HOUR_MS);
  await repo.insertReset(db, {
    user_id: userId,
    token_hash: hashSecret(token),
    created_by: createdBy,
    expires_at: expiresAt,
  });
  return { token, expiresAt };
};

/** A link to set a new password, for the admin to hand over (shown once, never stored). */
export async function issueReset(db: Db, admin: SessionUser, id: string) {
  return db.transaction().execute(async (tx) => {
    const user = await repo.lockUser(tx, id);
    if (!user) throw new NotFoundError();
    if (user.disabled_at) throw new AccountAdminError('resetDisabled');
    const link = await newReset(tx, id, admin.id, RESET_HOURS.issued);
    await repo.addEvent(tx, { userId: id, event: 'reset_issued', actorId: admin.id });
    return link;
  });
}

/**
 * The forgotten-password form: mails a link to the address when it belongs to an enabled
 * account, within the hourly allowance. Says nothing either way (the page answers the same), so
 * the form cannot tell who has an account. Without e-mail configured it does nothing.
 */
export async function requestReset(db: Db, email: string): Promise<void> {
  if (!notificationSettings().email) return;
  const user = await repo.findEnabledByEmail(db, email);
  if (!user) return;
  await db.transaction().execute(async (tx) => {
    if ((await repo.resetsInLastHour(tx, user.id)) >= REQUESTS_PER_HOUR) return;
    const { token } = await newReset(tx, user.id, null, RESET_HOURS.requested);
    await repo.addEvent(tx, { userId: user.id, event: 'reset_requested', actorId: null });
    const t = tFor(user.locale);
    const link = `${notificationSettings().publicUrl}/password/reset/${token}`;
    await tx
      .insertInto('email_outbox')
      .values({
        user_id: user.id,
        to_address: user.email,
        kind: 'password_reset',
        subject: t('passwordReset.email.subject'),
        body:
          `${t('notifications.email.greeting', { name: user.fullName })}\n\n` +
          `${t('passwordReset.email.body', { hours: RESET_HOURS.requested })}\n\n${link}\n\n` +
          `${t('passwordReset.email.notYou')}\n`,
      })
      .execute();
  });
}

export function resetState(r: { usedAt: Date | null; expiresAt: Date; disabledAt: Date | null }) {
  if (r.usedAt) return 'used';
  if (r.disabledAt) return 'disabled';
  if (r.expiresAt.getTime() <= Date.now()) return 'expired';
  return 'open';
}

/** The link's state (undefined: no such link), for the page that sets the password. */
export async function findReset(db: Db, token: string) {
  if (!RESET_TOKEN.test(token)) return undefined;
  const r = await repo.findReset(db, hashSecret(token));
  return r && { email: r.email, state: resetState(r) as ResetState };
}

/**
 * Sets the new password through a link: the link and every other open one of the account are
 * used up, and every session of the account ends (whoever was in it must log in again).
 */
export async function resetPassword(
  db: Db,
  token: string,
  password: string,
  /**
   * The form's one-time key: its second post (a double click) finds the link used by the first
   * and lands like it, instead of 'this link was already used'. It tells nothing about the
   * password, and only to whoever holds the link.
   */
  formKey?: string,
): Promise<string> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    const r = RESET_TOKEN.test(token) ? await repo.findReset(tx, hashSecret(token), true) : null;
    if (!r) throw new NotFoundError();
    // The link's row is locked above: a second post at the same moment finds it used.
    if (r.usedAt && formKey && (await recordMadeBy(tx, r.userId, formKey)) === r.userId)
      return r.userId;
    const state = resetState(r);
    if (state !== 'open') throw new DomainError(`passwordReset.errors.${state}`, { status: 410 });
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', r.userId)
      .execute();
    await repo.useResets(tx, r.userId);
    await repo.addEvent(tx, { userId: r.userId, event: 'reset_used', actorId: null });
    await repo.endSessions(tx, r.userId);
    if (formKey) await rememberForm(tx, r.userId, formKey, r.userId);
    return r.userId;
  });
}
