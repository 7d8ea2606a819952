import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { notifyNegotiation, partiesOf } from './negotiation.notify';
import type { CommentInput } from './negotiation.schemas';
import { isEditable } from './pact-workflow';
import type { Pact } from './pacts.tables';

/** Only the parties talk in the negotiation: the promoter and the invited signatories. */
export function assertParty(party: string): asserts party is 'promoter' | 'signatory' {
  if (party !== 'promoter' && party !== 'signatory')
    throw new DomainError('negotiation.errors.partiesOnly', { status: 403 });
}

/** While the text may still change; afterwards the record is closed. */
export function assertOpen(status: Parameters<typeof isEditable>[0]) {
  if (!isEditable(status))
    throw new DomainError('negotiation.errors.closed', { status: 409, params: { status } });
}

/**
 * A comment on the pact or on one of its actions, bound to the revision it was written on.
 * `formKey` (an API Idempotency-Key's, see http/form-key): a retry of a request whose comment
 * committed but whose answer was lost gets that comment, even once the pact moved on.
 */
export async function addComment(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: CommentInput,
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await loadPactFor(tx, pactId, user);
    assertParty(party);
    const id = await createOnce(tx, user.id, formKey, () => insertComment(tx, user, pact, input));
    const made = await tx
      .selectFrom('pact_comments')
      .select('revision')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id, revision: made.revision };
  });
}

async function insertComment(tx: Tx, user: SessionUser, pact: Pact, input: CommentInput) {
  const pactId = pact.id;
  assertOpen(pact.status);
  let actionTitle: string | null = null;
  if (input.actionId) {
    const action = await tx
      .selectFrom('pact_actions')
      .select('title')
      .where('id', '=', input.actionId)
      .where('pact_id', '=', pactId)
      .executeTakeFirst();
    if (!action)
      throw new DomainError('negotiation.errors.unknownAction', {
        field: 'actionId',
        status: 422,
      });
    actionTitle = action.title;
  }
  // A double click (or a resent form) posts the same words twice: the author's comment is
  // there once. Under a lock per author and pact, so two at the same moment make one.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`pact-comment:${pactId}:${user.id}`}))`.execute(
    tx,
  );
  const last = await tx
    .selectFrom('pact_comments')
    .select(['id', 'action_id', 'body', 'revision'])
    .where('pact_id', '=', pactId)
    .where('author_id', '=', user.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (
    last &&
    last.body === input.body &&
    last.action_id === (input.actionId ?? null) &&
    last.revision === pact.revision
  )
    return last.id;
  const { id } = await tx
    .insertInto('pact_comments')
    .values({
      pact_id: pactId,
      action_id: input.actionId,
      action_title: actionTitle,
      revision: pact.revision,
      author_id: user.id,
      organisation_id: user.organisationId,
      body: input.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await notifyNegotiation(tx, {
    pact,
    kind: 'pact_comment',
    organisationIds: await partiesOf(tx, pactId),
    actor: user,
    link: `/pacts/${pactId}/negotiation#comment-${id}`,
  });
  return id;
}

export function listComments(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select([
      'c.id',
      'c.action_id',
      'c.action_title',
      'c.revision',
      'c.body',
      'c.created_at',
      'u.full_name as author',
      'o.name as organisation',
    ])
    .where('c.pact_id', '=', pactId)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(2000)
    .execute();
}
