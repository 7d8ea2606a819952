import { sql } from 'kysely';
import type { Db, Executor, Tx } from '../../db';
import { createOnce } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { UUID, loadPactFor } from './access';
import { assertPeriodInCampaign } from './actions.service';
import { applyAmendment } from './amendments.apply';
import { assertProposalBacked } from './amendments.needs';
import {
  actionFields,
  applicability,
  changedFields,
  pactFields,
  type Applicability,
} from './amendments.fields';
import { proposedFields, type ProposalInput } from './amendments.schemas';
import { appendAudit } from './audit';
import { assertOpen } from './comments.service';
import type { Amendment, AmendmentFields } from './negotiation.tables';
import { notifyNegotiation, partiesOf } from './negotiation.notify';
import type { DecisionInput } from './negotiation.schemas';
import * as repo from './pacts.repository';
import type { Pact } from './pacts.tables';

/** The form was read at an older revision: the proposal would be against a text now gone. */
export class StaleProposalError extends DomainError {
  constructor(readonly current: number) {
    super('negotiation.errors.staleProposal', {
      status: 409,
      apiField: 'revision',
      params: { current },
    });
  }
}

/** The target's fields as they are now: null when the action was removed meanwhile. */
export async function currentFields(
  db: Executor,
  pact: Pick<Pact, 'id' | 'title' | 'summary'>,
  am: Pick<Amendment, 'kind' | 'action_id'>,
): Promise<AmendmentFields | null> {
  if (am.kind === 'change_pact') return pactFields(pact);
  if (!am.action_id) return {};
  const a = await db
    .selectFrom('pact_actions')
    .selectAll()
    .where('id', '=', am.action_id)
    .where('pact_id', '=', pact.id)
    .executeTakeFirst();
  return a ? actionFields(a) : null;
}

/**
 * A signatory proposes a change; the promoter decides it. Refused on a stale form. `formKey` (an
 * API Idempotency-Key's, see http/form-key): a retry of a request whose amendment committed but
 * whose answer was lost gets that amendment, even once it was decided or the pact moved on.
 */
export async function proposeAmendment(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: ProposalInput,
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await loadPactFor(tx, pactId, user);
    // The promoter changes its own pact directly; amendments are the signatories' voice.
    if (party !== 'signatory')
      throw new DomainError('negotiation.errors.amendSignatoryOnly', { status: 403 });
    const id = await createOnce(tx, user.id, formKey, () => insertAmendment(tx, user, pact, input));
    const made = await tx
      .selectFrom('pact_amendments')
      .select('base_revision')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id, revision: made.base_revision };
  });
}

async function insertAmendment(tx: Tx, user: SessionUser, pact: Pact, input: ProposalInput) {
  const pactId = pact.id;
  assertOpen(pact.status);
  if (input.revision !== pact.revision) throw new StaleProposalError(pact.revision);
  const actionId = 'actionId' in input ? input.actionId : null;
  const base = await currentFields(tx, pact, { kind: input.kind, action_id: actionId });
  if (!base)
    throw new DomainError('negotiation.errors.unknownAction', { field: 'actionId', status: 422 });
  const proposal = proposedFields(input);
  if (input.kind !== 'remove_action' && input.kind !== 'add_action')
    if (changedFields(input.kind, base, proposal).length === 0)
      throw new DomainError('negotiation.errors.noChange', { status: 422 });
  if ('skills' in input) {
    const found = await repo.skillNames(tx, proposal.skills as string[]);
    if (found.length !== (proposal.skills as string[]).length)
      throw new DomainError('pacts.errors.unknownSkill', { field: 'skills', status: 422 });
  }
  if ('period' in input && (input.kind === 'add_action' || proposal.period !== base.period))
    await assertPeriodInCampaign(tx, pact.campaign_id, String(proposal.period));
  await assertProposalBacked(tx, pact, { kind: input.kind, actionId, fields: proposal }, user);
  // A double click (or a resent form) proposes the same thing twice: it is one proposal. Under
  // a lock per author and pact, so two at the same moment make one.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`pact-amendment:${pactId}:${user.id}`}))`.execute(
    tx,
  );
  const same = await tx
    .selectFrom('pact_amendments')
    .select('id')
    .where('pact_id', '=', pactId)
    .where('proposed_by', '=', user.id)
    .where('status', '=', 'open')
    .where('kind', '=', input.kind)
    .where('action_id', 'is not distinct from', actionId)
    .where('base_revision', '=', pact.revision)
    .where('rationale', '=', input.rationale)
    .where('proposal', '=', sql<never>`${JSON.stringify(proposal)}::jsonb`)
    .executeTakeFirst();
  if (same) return same.id;
  const { id } = await tx
    .insertInto('pact_amendments')
    .values({
      pact_id: pactId,
      kind: input.kind,
      action_id: actionId,
      base_revision: pact.revision,
      base: JSON.stringify(base),
      proposal: JSON.stringify(proposal),
      rationale: input.rationale,
      proposed_by: user.id,
      organisation_id: user.organisationId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendAudit(tx, {
    pactId,
    actor: user,
    event: 'amendment_proposed',
    revision: pact.revision,
    detail: { amendment: id, kind: input.kind },
  });
  await notifyNegotiation(tx, {
    pact,
    kind: 'amendment_proposed',
    organisationIds: await partiesOf(tx, pactId),
    actor: user,
    link: `/pacts/${pactId}/amendments/${id}`,
  });
  return id;
}

export type Decision =
  | { status: 'accepted'; revision: number; repeated?: true }
  | { status: 'declined'; repeated?: true }
  | { status: 'outdated'; why: Exclude<Applicability, { ok: true }> };

async function lockedAmendment(tx: Tx, pactId: string, amendmentId: string) {
  if (!UUID.test(amendmentId)) throw new NotFoundError();
  const am = await tx
    .selectFrom('pact_amendments')
    .selectAll()
    .where('id', '=', amendmentId)
    .where('pact_id', '=', pactId)
    .forUpdate()
    .executeTakeFirst();
  if (!am) throw new NotFoundError();
  return am;
}

/**
 * The promoter accepts (applied as revision n+1, in this transaction) or declines (a reason is
 * required) one amendment. A proposal on an older revision is still accepted when the fields it
 * changes did not move since; otherwise it is marked outdated, and that is recorded.
 */
export async function decideAmendment(
  db: Db,
  user: SessionUser,
  pactId: string,
  amendmentId: string,
  input: DecisionInput,
): Promise<Decision> {
  return db.transaction().execute(async (tx) => {
    const { pact, party } = await loadPactFor(tx, pactId, user, { forUpdate: true });
    if (party !== 'promoter')
      throw new DomainError('negotiation.errors.promoterDecides', { status: 403 });
    const am = await lockedAmendment(tx, pactId, amendmentId);
    // This user made this very decision a moment ago (a double click, an API client retrying
    // after a timeout): answered as it stands, nothing applied, recorded or notified again.
    const asked = input.decision === 'accept' ? 'accepted' : 'declined';
    if (am.status === asked && am.decided_by === user.id) {
      if (am.status === 'accepted')
        return { status: am.status, revision: am.result_revision!, repeated: true };
      if ((am.decision_reason ?? '') === (input.reason ?? ''))
        return { status: 'declined', repeated: true };
    }
    if (am.status !== 'open')
      throw new DomainError('negotiation.errors.alreadyDecided', { params: { status: am.status } });
    assertOpen(pact.status);
    // The promoter decided on the diff shown at that revision; a newer text needs a new look.
    if (input.revision !== pact.revision)
      throw new DomainError('negotiation.errors.staleDecision', {
        apiField: 'revision',
        params: { current: pact.revision },
      });
    if (input.decision === 'decline' && !input.reason)
      throw new DomainError('negotiation.errors.reasonRequired', { field: 'reason', status: 422 });

    let decision: Decision;
    if (input.decision === 'decline') decision = { status: 'declined' };
    else {
      const current = await currentFields(tx, pact, am);
      const app = applicability(am.kind, am.base, am.proposal, current);
      if (app.ok) {
        const rev = await applyAmendment(tx, pact, am, app.fields, user);
        decision = { status: 'accepted', revision: rev.number };
      } else decision = { status: 'outdated', why: app };
    }
    await tx
      .updateTable('pact_amendments')
      .set({
        status: decision.status,
        decided_by: user.id,
        decided_at: new Date(),
        decision_reason: input.reason || null,
        result_revision: decision.status === 'accepted' ? decision.revision : null,
      })
      .where('id', '=', am.id)
      .execute();
    await appendAudit(tx, {
      pactId,
      actor: user,
      event: `amendment_${decision.status}`,
      revision: decision.status === 'accepted' ? decision.revision : pact.revision,
      detail: { amendment: am.id, reason: input.reason || undefined },
    });
    await notifyNegotiation(tx, {
      pact,
      kind: 'amendment_decided',
      organisationIds: [am.organisation_id],
      actor: user,
      link: `/pacts/${pactId}/amendments/${am.id}`,
      params: input.reason ? { reason: input.reason } : {},
    });
    return decision;
  });
}

export async function findAmendment(db: Executor, pactId: string, amendmentId: string) {
  if (!UUID.test(amendmentId)) throw new NotFoundError();
  const am = await db
    .selectFrom('pact_amendments as a')
    .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
    .innerJoin('users as u', 'u.id', 'a.proposed_by')
    .leftJoin('users as d', 'd.id', 'a.decided_by')
    .selectAll('a')
    .select(['o.name as organisation', 'u.full_name as author', 'd.full_name as decider'])
    .where('a.id', '=', amendmentId)
    .where('a.pact_id', '=', pactId)
    .executeTakeFirst();
  if (!am) throw new NotFoundError();
  return am;
}

export function listAmendments(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_amendments as a')
    .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
    .selectAll('a')
    .select('o.name as organisation')
    .where('a.pact_id', '=', pactId)
    .orderBy('a.created_at', 'desc')
    .limit(1000)
    .execute();
}
