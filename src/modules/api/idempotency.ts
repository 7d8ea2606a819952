import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db';
import { problem } from '../../http/errors';
import type { ApiOperation } from './operation';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on the API's creating POSTs: a
 * client that retries after a timeout sends the same key and gets the first request's answer
 * again (`Idempotent-Replayed: true`) instead of a second pact, comment or campaign.
 *
 * Why not form-key's advisory lock: that lock lives in the creating transaction, which the
 * service opens; held around the whole handler it would take a second connection per request
 * (and the embedded database serves one transaction at a time). So the key is claimed by a row
 * committed before the handler runs — a second request finds it and is told to wait (409) — and
 * where the service creates through form-key's createOnce (campaigns, calls, actions, comments,
 * amendments, signatures; a pact's formId) the handler passes it a form key derived from the
 * Idempotency-Key: a retry after a failure that came after the creation's commit then finds the
 * same record.
 */
export const IDEMPOTENCY_KEY = 'Idempotency-Key';
export const REPLAYED = 'Idempotent-Replayed';

/** How long a key is remembered: a retry comes within minutes, a day is plenty. */
const KEPT = sql`interval '24 hours'`;
/** A request "running" longer than this died with its process: its key may be claimed again. */
const STALE = sql`interval '10 minutes'`;

const keyFormat = /^[\x21-\x7e]{1,255}$/;

/** Which operations take the header: the authenticated POSTs that create (201). */
export function takesIdempotencyKey(op: ApiOperation): boolean {
  return op.method === 'post' && op.response.status === 201 && op.access !== 'public';
}

export const idempotencyKeyParam = z
  .string()
  .min(1)
  .max(255)
  .regex(keyFormat)
  .optional()
  .meta({
    param: {
      in: 'header',
      name: IDEMPOTENCY_KEY,
      id: 'IdempotencyKey',
      description:
        'A key of your choice (1–255 visible ASCII characters, e.g. a UUID), new for each request you mean to make once. A retry with the same key, the same path and the same body answers what the first request answered (its status and body) with `Idempotent-Replayed: true`, and creates nothing again; the same key with another body or operation is a 422; while the first request is still running, a 409. Keys are per user and kept 24 hours. Without the header, each request is a new one.',
    },
    examples: ['5b0f7c1e-8d5a-4e0b-9a55-3f1c2e7d9a10'],
  });

export const replayedHeaders = z.object({
  [REPLAYED]: z
    .literal('true')
    .optional()
    .meta({
      header: { id: 'IdempotentReplayed' },
      description:
        'Present on an answer replayed for a repeated `Idempotency-Key`: nothing was created this time',
    }),
});

/** The header as sent: absent, a valid key, or `false` (malformed: answered 400). */
export function idempotencyKeyOf(req: Request): string | undefined | false {
  const value = req.get(IDEMPOTENCY_KEY);
  if (value === undefined) return undefined;
  return keyFormat.test(value) ? value : false;
}

/** JSON with its object keys sorted: the same body sent with its fields in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same": the operation, its path (ids), query and body. */
function fingerprintOf(op: ApiOperation, req: Request): string {
  const request = { op: op.operationId, path: req.path, query: req.query, body: req.body ?? null };
  return crypto.createHash('sha256').update(canonical(request)).digest('hex');
}

/**
 * A form key (a UUID) for the service's createOnce: one per key, request and the key's life (its
 * first claim), so a retry after a failure finds what the failed one made, and a key used again
 * once forgotten makes a new record.
 */
function formKeyOf(key: string, fingerprint: string, since: Date): string {
  const h = crypto
    .createHash('sha256')
    .update(`${fingerprint}\n${key}\n${since.toISOString()}`)
    .digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type KeyedRequest =
  /** Claimed: run it, then `keep` its answer (or `release` the key on failure). */
  | {
      run: true;
      formKey: string;
      keep(status: number, body: unknown): Promise<void>;
      release(): Promise<void>;
    }
  | { run: false; replay: { status: number; body: unknown } }
  | { run: false; refuse: 'running' | 'reused'; operation: string };

/**
 * Claims `key` for this user and request, or says what the earlier request with it became. The
 * claim is committed at once (no transaction held around the handler): the second of two
 * requests at the same moment finds it and is answered 409, never run. A key a failed request
 * freed is claimed again; so is one whose request has "run" for 10 minutes (its process died:
 * no request runs that long).
 */
export async function claimIdempotencyKey(
  db: Db,
  userId: string,
  key: string,
  op: ApiOperation,
  req: Request,
): Promise<KeyedRequest> {
  const fingerprint = fingerprintOf(op, req);
  const request = { operation_id: op.operationId, fingerprint };
  const mine = { user_id: userId, idempotency_key: key };
  const row = db
    .updateTable('api_idempotency_keys')
    .where('user_id', '=', userId)
    .where('idempotency_key', '=', key);
  // Expired keys go as a new one comes, as form keys do.
  await db
    .deleteFrom('api_idempotency_keys')
    .where('user_id', '=', userId)
    .where('created_at', '<', sql<Date>`now() - ${KEPT}`)
    .execute();
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed =
      (await db
        .insertInto('api_idempotency_keys')
        .values({ ...mine, ...request })
        .onConflict((oc) => oc.doNothing())
        .returning('created_at')
        .executeTakeFirst()) ??
      (await row
        .set({ ...request, running: true, claimed_at: sql`now()` })
        .where((eb) =>
          eb.or([
            eb.and([eb('running', '=', false), eb('status', 'is', null)]),
            eb.and([eb('running', '=', true), eb('claimed_at', '<', sql<Date>`now() - ${STALE}`)]),
          ]),
        )
        .returning('created_at')
        .executeTakeFirst());
    if (claimed)
      return {
        run: true,
        formKey: formKeyOf(key, fingerprint, claimed.created_at),
        keep: async (status, body) => {
          await row.set({ status, body: JSON.stringify(body ?? null), running: false }).execute();
        },
        release: async () => {
          await row.set({ running: false }).execute();
        },
      };
    const earlier = await db
      .selectFrom('api_idempotency_keys')
      .select(['operation_id', 'fingerprint', 'status', 'body'])
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    // Expired and removed by another request between the statements: claim it afresh.
    if (!earlier) continue;
    if (earlier.fingerprint !== fingerprint)
      return { run: false, refuse: 'reused', operation: earlier.operation_id };
    if (earlier.status === null)
      return { run: false, refuse: 'running', operation: earlier.operation_id };
    return { run: false, replay: { status: earlier.status, body: earlier.body } };
  }
  return { run: false, refuse: 'running', operation: op.operationId };
}

/** A repeated key: the first request's answer again, or why not. */
export function answerRepeatedKey(
  req: Request,
  res: Response,
  once: KeyedRequest & { run: false },
): void {
  if ('replay' in once) {
    const { status, body } = once.replay;
    res.set(REPLAYED, 'true').status(status);
    return void (body === null ? res.end() : res.json(body));
  }
  if (once.refuse === 'running') res.set('Retry-After', '1');
  const [status, detail] =
    once.refuse === 'running'
      ? [409, req.t('errors.apiIdempotencyKeyRunning')]
      : [422, req.t('errors.apiIdempotencyKeyReused', { operation: once.operation })];
  const errors = [{ pointer: `header/${IDEMPOTENCY_KEY}`, detail }];
  res
    .status(status)
    .type('application/problem+json')
    .json(problem(status, detail, { errors }));
}
