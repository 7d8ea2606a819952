import { sql } from 'kysely';
import type { Executor, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { appendAudit } from './audit';
import { canonicalJson, sha256 } from './canonical';
import { diffRevisions } from './revision-diff';
import { isEditable } from './pact-workflow';
import { notifyPact } from './pacts.notify';
import { transitionPact } from './transitions';

export interface ActionContent {
  id: string;
  position: number;
  title: string;
  description: string;
  skill_codes: string[];
  participants: number;
  hours: number;
  modality: string;
  eqf_level: number;
  period: string;
  provider: string | null;
  cost_cents: number | null;
}

/** What a revision fixes, and what a signature is bound to (through its hash). */
export interface PactContent {
  title: string;
  summary: string;
  territory_code: string;
  campaign_id: string;
  call_id: string | null;
  actions: ActionContent[];
  signatories: { id: string; name: string }[];
}

export async function pactContent(db: Executor, pactId: string): Promise<PactContent> {
  const pact = await db
    .selectFrom('pacts')
    .select(['title', 'summary', 'territory_code', 'campaign_id', 'call_id'])
    .where('id', '=', pactId)
    .executeTakeFirstOrThrow();
  const actions = await db
    .selectFrom('pact_actions')
    .select([
      'id',
      'position',
      'title',
      'description',
      'skill_codes',
      'participants',
      'hours',
      'modality',
      'eqf_level',
      'period',
      'provider',
      'cost_cents',
    ])
    .where('pact_id', '=', pactId)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
  const signatories = await db
    .selectFrom('pact_signatories as s')
    .innerJoin('organisations as o', 'o.id', 's.organisation_id')
    .select(['o.id', 'o.name'])
    .where('s.pact_id', '=', pactId)
    .where('s.removed_at', 'is', null)
    .orderBy('o.id')
    .execute();
  return { ...pact, actions, signatories };
}

export const contentHash = (c: PactContent) => sha256(canonicalJson(c));

/**
 * Revision 1 of a new pact, written in the transaction that inserted it. The pact row was
 * inserted with a placeholder hash, replaced here.
 */
export async function initialRevision(tx: Tx, pactId: string, actor: SessionUser) {
  const content = await pactContent(tx, pactId);
  const hash = contentHash(content);
  await insertRevision(tx, pactId, 1, hash, content, 'created', actor);
  await tx
    .updateTable('pacts')
    .set({ revision: 1, revision_hash: hash })
    .where('id', '=', pactId)
    .execute();
  return { number: 1, hash };
}

/**
 * Fixes the pact's current content as revision n+1, in the caller's transaction (the one that
 * changed it). Nothing changed → the current revision stands and signatures keep counting,
 * unless `newRound`: a pact reopened after the region returned it starts a new negotiation
 * round, so the same content becomes a new revision and the old signatures are superseded
 * (else the pact would sit in negotiation with every signature already given: nobody could
 * sign again, and it could not become agreed).
 * An agreed or returned pact goes back to negotiation: the signatures on the old revision no
 * longer count, and the signatories are told so.
 */
export async function commitRevision(
  tx: Tx,
  pactId: string,
  actor: SessionUser,
  reason: string,
  opts: { newRound?: boolean } = {},
): Promise<{ number: number; hash: string }> {
  const pact = await tx
    .selectFrom('pacts')
    .selectAll()
    .where('id', '=', pactId)
    .forUpdate()
    .executeTakeFirst();
  if (!pact) throw new NotFoundError();
  if (!isEditable(pact.status)) {
    throw new DomainError('pacts.errors.notEditable', { params: { status: pact.status } });
  }
  const content = await pactContent(tx, pactId);
  const hash = contentHash(content);
  if (hash === pact.revision_hash && !opts.newRound) return { number: pact.revision, hash };

  const number = pact.revision + 1;
  await insertRevision(tx, pactId, number, hash, content, reason, actor);
  const requested = content.actions.reduce((s, a) => s + (a.cost_cents ?? 0), 0);
  await tx
    .updateTable('pacts')
    .set({
      revision: number,
      revision_hash: hash,
      requested_cents: requested,
      updated_at: new Date(),
    })
    .where('id', '=', pactId)
    .execute();
  await appendAudit(tx, {
    pactId,
    actor,
    event: 'revision',
    revision: number,
    detail: { reason, hash, previous: pact.revision },
  });
  if (pact.status === 'agreed' || pact.status === 'returned') {
    await transitionPact(tx, pactId, 'reopen', actor, {
      party: 'system',
      detail: { reason: 'revision', revision: number },
    });
  }
  if (pact.status !== 'draft') {
    await notifyPact(tx, {
      pact: { id: pactId, title: content.title },
      kind: 'pact_revision',
      organisationIds: content.signatories.map((s) => s.id),
      actor,
      params: { revision: number },
    });
  }
  return { number, hash };
}

async function insertRevision(
  tx: Tx,
  pactId: string,
  number: number,
  hash: string,
  content: PactContent,
  reason: string,
  actor: SessionUser,
) {
  await tx
    .insertInto('pact_revisions')
    .values({
      pact_id: pactId,
      number,
      hash,
      content: JSON.stringify(content),
      reason: reason.slice(0, 500),
      created_by: actor.id,
    })
    .execute();
}

export function listRevisions(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_revisions as r')
    .innerJoin('users as u', 'u.id', 'r.created_by')
    .select(['r.number', 'r.hash', 'r.reason', 'r.created_at', 'u.full_name as author'])
    .where('r.pact_id', '=', pactId)
    .orderBy('r.number', 'desc')
    .execute();
}

export async function getRevision(db: Executor, pactId: string, number: number) {
  const row = await db
    .selectFrom('pact_revisions as r')
    .innerJoin('users as u', 'u.id', 'r.created_by')
    .select([
      'r.number',
      'r.hash',
      'r.reason',
      'r.created_at',
      'r.content',
      'u.full_name as author',
    ])
    .where('r.pact_id', '=', pactId)
    .where('r.number', '=', number)
    .executeTakeFirst();
  return row ? { ...row, content: row.content as PactContent } : undefined;
}

/**
 * The names of the signatories each "signatory removed" revision dropped, by revision number,
 * from its content and its predecessor's (the reason was stored without the name, and the
 * audit chain covers it as written).
 */
export async function removedSignatories(
  db: Executor,
  pactId: string,
): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('pact_revisions as r')
    .innerJoin('pact_revisions as p', (j) =>
      j.onRef('p.pact_id', '=', 'r.pact_id').on('p.number', '=', sql<number>`r.number - 1`),
    )
    .select(['r.number', 'r.content', 'p.content as previous'])
    .where('r.pact_id', '=', pactId)
    .where('r.reason', '=', 'signatory removed')
    .execute();
  return new Map(
    rows.map((r) => [
      r.number,
      diffRevisions(r.previous as PactContent, r.content as PactContent).signatories.removed.map(
        (x) => x.name,
      ),
    ]),
  );
}

export { diffRevisions, type RevisionDiff } from './revision-diff';
