import type { Executor, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { canonicalJson, sha256 } from './canonical';
import { PACT_ACTIONS, type PactStatus } from './pact-workflow';

/**
 * Every event the audit trail may record: the workflow's actions and the acts around them. The
 * history page names each in the reader's language (test/pacts/history-view.test.ts checks that
 * every one has its words in it and en).
 */
export const AUDIT_EVENTS = [
  ...PACT_ACTIONS,
  'created',
  'seeded',
  'revision',
  'signed',
  'signatory_declined',
  'amendment_proposed',
  'amendment_accepted',
  'amendment_declined',
  'amendment_outdated',
  'amendment_withdrawn',
  'amendment_lapsed',
  'outcome_reported',
  'reduced',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditEntry {
  pactId: string;
  actor: SessionUser | null;
  event: AuditEvent;
  fromStatus?: PactStatus;
  toStatus?: PactStatus;
  revision: number;
  detail?: Record<string, unknown>;
}

/** What an entry's hash covers: everything in the row but its id and its own hash. */
function entryHash(
  prevHash: string | null,
  e: {
    pact_id: string;
    seq: number;
    at: Date;
    actor_id: string | null;
    actor_org_id: string | null;
    event: string;
    from_status: string | null;
    to_status: string | null;
    revision: number;
    detail: Record<string, unknown>;
  },
): string {
  return sha256((prevHash ?? '') + canonicalJson({ ...e, at: e.at.toISOString() }));
}

/**
 * Appends one entry to the pact's hash chain, inside the caller's transaction. The pact row is
 * locked first, so two writers of one pact take turns and seq stays gap-free.
 */
export async function appendAudit(tx: Tx, e: AuditEntry): Promise<{ seq: number; hash: string }> {
  await tx.selectFrom('pacts').select('id').where('id', '=', e.pactId).forUpdate().execute();
  const last = await tx
    .selectFrom('pact_audit')
    .select(['seq', 'hash'])
    .where('pact_id', '=', e.pactId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // Millisecond precision, so the timestamp read back from timestamptz is the one hashed.
  const row = {
    pact_id: e.pactId,
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actor_id: e.actor?.id ?? null,
    actor_org_id: e.actor?.organisationId ?? null,
    event: e.event,
    from_status: e.fromStatus ?? null,
    to_status: e.toStatus ?? null,
    revision: e.revision,
    detail: e.detail ?? {},
  };
  const prevHash = last?.hash ?? null;
  const hash = entryHash(prevHash, row);
  await tx
    .insertInto('pact_audit')
    .values({ ...row, detail: JSON.stringify(row.detail), prev_hash: prevHash, hash })
    .execute();
  return { seq: row.seq, hash };
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; seq: number };

/**
 * Recomputes the chain: the first entry whose hash, link or place does not match is reported
 * (an edited row, a removed one, or one inserted out of order).
 */
export async function verifyAuditChain(db: Executor, pactId: string): Promise<ChainCheck> {
  const rows = await listAudit(db, pactId);
  let prev: string | null = null;
  for (const [i, r] of rows.entries()) {
    const expected = entryHash(prev, {
      pact_id: r.pact_id,
      seq: r.seq,
      at: r.at,
      actor_id: r.actor_id,
      actor_org_id: r.actor_org_id,
      event: r.event,
      from_status: r.from_status,
      to_status: r.to_status,
      revision: r.revision,
      detail: r.detail,
    });
    if (r.seq !== i + 1 || r.prev_hash !== prev || r.hash !== expected) {
      return { ok: false, seq: Math.min(r.seq, i + 1) };
    }
    prev = r.hash;
  }
  return { ok: true, entries: rows.length };
}

export function listAudit(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_audit')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('seq')
    .execute();
}

/** The entries with the actor's and organisation's names, for the audit page and the API. */
export function listAuditWithNames(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_audit as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .leftJoin('organisations as o', 'o.id', 'a.actor_org_id')
    .select([
      'a.seq',
      'a.at',
      'a.event',
      'a.from_status',
      'a.to_status',
      'a.revision',
      'a.detail',
      'a.hash',
      'a.prev_hash',
      'a.actor_org_id',
      'u.full_name as actor_name',
      'o.name as actor_org_name',
    ])
    .where('a.pact_id', '=', pactId)
    .orderBy('a.seq')
    .execute();
}
