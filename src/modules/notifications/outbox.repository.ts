import { sql } from 'kysely';
import type { Executor } from '../../db';

const MAX_ERROR = 2000;
const clip = (s: string) => (s.length > MAX_ERROR ? s.slice(0, MAX_ERROR) : s);

/**
 * Claims up to `limit` due pending e-mails in one statement (its own short transaction):
 * SKIP LOCKED lets several workers claim side by side, each row going to exactly one of them,
 * and the 'sending' mark is committed before any SMTP traffic starts.
 */
export function claimDue(db: Executor, limit: number) {
  return db
    .updateTable('email_outbox')
    .set({ status: 'sending', claimed_at: sql<Date>`now()` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('email_outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .where('status', '=', 'pending')
    .returning(['id', 'to_address', 'subject', 'body', 'attempts'])
    .execute();
}

export async function markSent(db: Executor, id: string, messageId: string): Promise<void> {
  // 'uncertain' too: a send slower than the stale limit was flagged, and now we know it left.
  await db
    .updateTable('email_outbox')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, message_id: messageId, last_error: null })
    .where('id', '=', id)
    .where('status', 'in', ['sending', 'uncertain'])
    .execute();
}

/** Back to the queue after an error that proves nothing was delivered; 'failed' when out of tries. */
export async function markRetry(
  db: Executor,
  id: string,
  attempts: number,
  maxAttempts: number,
  delayMs: number,
  error: string,
): Promise<'pending' | 'failed'> {
  const status = attempts >= maxAttempts ? 'failed' : 'pending';
  await db
    .updateTable('email_outbox')
    .set({
      status,
      attempts,
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`,
      last_error: clip(error),
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
  return status;
}

export async function markFinal(
  db: Executor,
  id: string,
  status: 'failed' | 'uncertain',
  attempts: number,
  error: string,
): Promise<void> {
  await db
    .updateTable('email_outbox')
    .set({ status, attempts, last_error: clip(error) })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Rows left in 'sending' by a worker that died between claim and mark: the message may or may
 * not have left, so they become 'uncertain' and are never resent. Only claims older than
 * `staleMs` (longer than any send can take) — a live worker on another instance may be sending
 * a fresh one right now.
 */
export function flagAbandoned(db: Executor, staleMs: number) {
  return db
    .updateTable('email_outbox')
    .set({
      status: 'uncertain',
      last_error: 'the worker stopped between claiming and confirming this e-mail',
    })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${staleMs / 1000})`)
    .returning(['id', 'to_address', 'subject', 'claimed_at'])
    .execute();
}
