import crypto from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../db';

/**
 * A creation form carries a one-time key (views/partials/form-key.hbs): its second post — a
 * double click, a refresh of the answer, the same form sent from two tabs — leads to the record
 * the first one made instead of making another. Works without JavaScript; a refused form is
 * rendered again with the same key, so its later successful post is still one record.
 */
export const FORM_KEY = '_formKey';

const key = z.uuid();

/** The key a form is rendered with: the one it was posted with, else a new one. */
export function formKeyFor(values: Record<string, unknown> | undefined): string {
  return key.safeParse(values?.[FORM_KEY]).data ?? crypto.randomUUID();
}

/** The key a posted form carries, if a valid one (an API client or an old page has none). */
export function postedFormKey(body: unknown): string | undefined {
  return key.safeParse((body as Record<string, unknown> | undefined)?.[FORM_KEY]).data;
}

/** Keys older than this are forgotten: nobody resends a form a month later. */
const KEPT_DAYS = 30;

/**
 * Runs `create` (inside the caller's transaction `tx`) once per form key and user: a second post
 * gets the id the first one made. Two posts at the same moment take turns on a lock held to the
 * end of the transaction, so the second finds what the first committed. Without a key, `create`.
 */
export async function createOnce(
  tx: Tx,
  userId: string,
  formKey: string | undefined,
  create: () => Promise<string>,
): Promise<string> {
  if (!formKey) return create();
  await holdFormKey(tx, `${userId}:${formKey}`);
  const made = await recordMadeBy(tx, userId, formKey);
  if (made) return made;
  const id = await create();
  await rememberForm(tx, userId, formKey, id);
  return id;
}

/**
 * Takes turns on `name` (a form key, with what scopes it) to the end of the transaction: the
 * second of two posts at the same moment waits, then finds what the first committed.
 */
export async function holdFormKey(tx: Tx, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`form:${name}`}))`.execute(tx);
}

/** The record `userId`'s post of the form with this key made, if it made one. */
export async function recordMadeBy(
  tx: Tx,
  userId: string,
  formKey: string,
): Promise<string | undefined> {
  const made = await tx
    .selectFrom('form_submissions')
    .select('record_id')
    .where('user_id', '=', userId)
    .where('form_key', '=', formKey)
    .executeTakeFirst();
  return made?.record_id;
}

/** Keeps that `userId`'s post of the form with this key made `recordId` (for a month). */
export async function rememberForm(
  tx: Tx,
  userId: string,
  formKey: string,
  recordId: string,
): Promise<void> {
  await tx
    .deleteFrom('form_submissions')
    .where('user_id', '=', userId)
    .where('created_at', '<', new Date(Date.now() - KEPT_DAYS * 86_400_000))
    .execute();
  await tx
    .insertInto('form_submissions')
    .values({ user_id: userId, form_key: formKey, record_id: recordId })
    .execute();
}

/** A record deleted (a draft): a resent form that made it makes a new one, not a dead link. */
export async function forgetForms(tx: Tx, recordId: string): Promise<void> {
  await tx.deleteFrom('form_submissions').where('record_id', '=', recordId).execute();
}
