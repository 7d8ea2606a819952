import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { appendAudit } from './audit';
import { needsBackingReport } from './needs-backing';
import { allowedActions, isEditable, type PactParty, type PactStatus } from './pact-workflow';
import * as repo from './pacts.repository';
import type { PactEditInput, PactInput } from './pacts.schemas';
import { commitRevision, initialRevision } from './revisions';
import { assertRevision } from './stale';

/** A local authority drafts a pact for its territory (or below) under a campaign covering it. */
export async function createPact(db: Db, user: SessionUser, input: PactInput): Promise<string> {
  return db.transaction().execute(async (tx) => {
    if (input.formId) {
      const already = await repo.pactFromForm(tx, user.id, input.formId);
      if (already) return already;
    }
    if (!(await repo.isBelow(tx, input.territoryCode, user.territoryCode)))
      throw new DomainError('pacts.errors.territoryOutOfScope', {
        field: 'territoryCode',
        status: 422,
      });
    const campaign = (await repo.campaignsCovering(tx, input.territoryCode)).find(
      (c) => c.id === input.campaignId,
    );
    if (!campaign)
      throw new DomainError('pacts.errors.campaignNotCovering', {
        field: 'campaignId',
        status: 422,
      });
    if (input.callId) await repo.assertCallFits(tx, input.callId, input.territoryCode, campaign.id);
    const { id } = await tx
      .insertInto('pacts')
      .values({
        campaign_id: campaign.id,
        territory_code: input.territoryCode,
        promoter_org_id: user.organisationId,
        call_id: input.callId,
        title: input.title,
        summary: input.summary,
        // Replaced by revision 1's hash below, in this transaction.
        revision_hash: '0'.repeat(64),
        created_by: user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rev = await initialRevision(tx, id, user);
    await appendAudit(tx, {
      pactId: id,
      actor: user,
      event: 'created',
      toStatus: 'draft',
      revision: 1,
      detail: { hash: rev.hash, formId: input.formId },
    });
    return id;
  });
}

/** The pact's own fields; choosing another call recomputes every action's cost. */
export async function updatePact(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: PactEditInput,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertEditable(pact.status);
    assertRevision(pact, input.revision);
    if (input.callId && input.callId !== pact.call_id)
      await repo.assertCallFits(tx, input.callId, pact.territory_code, pact.campaign_id);
    await tx
      .updateTable('pacts')
      .set({ title: input.title, summary: input.summary, call_id: input.callId })
      .where('id', '=', pactId)
      .execute();
    if (input.callId !== pact.call_id) await repo.recomputeCosts(tx, pactId, input.callId);
    await commitRevision(tx, pactId, user, 'pact edited');
  });
}

export function assertEditable(status: PactStatus): void {
  if (!isEditable(status))
    throw new DomainError('pacts.errors.notEditable', { params: { status } });
}

/** Pacts a user deals with: its organisation's, those it is invited to sign, a region's scope. */
export interface PactFilters {
  status?: PactStatus;
  /** Pacts of this territory and below. */
  territory?: string;
  campaign?: string;
}

export async function listPactsFor(db: Executor, user: SessionUser, filters: PactFilters = {}) {
  const { status, territory, campaign } = filters;
  let q = db
    .selectFrom('pacts as p')
    .innerJoin('organisations as o', 'o.id', 'p.promoter_org_id')
    .innerJoin('territories as t', 't.code', 'p.territory_code')
    .select([
      'p.id',
      'p.title',
      'p.status',
      'p.revision',
      'p.territory_code',
      't.name as territory_name',
      't.names as territory_names',
      'o.name as promoter_name',
      'p.promoter_org_id',
      'p.requested_cents',
      'p.approved_cents',
      'p.updated_at',
      'p.submitted_at',
      'p.decided_at',
      // Whether the reader's organisation signed the revision in force (its to-do at a glance).
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('pact_signatures as g')
              .select('g.pact_id')
              .whereRef('g.pact_id', '=', 'p.id')
              .whereRef('g.revision', '=', 'p.revision')
              .where('g.organisation_id', '=', user.organisationId),
          )
          .as('signed_current'),
    ])
    .orderBy('p.updated_at', 'desc')
    .limit(500);
  if (status) q = q.where('p.status', '=', status);
  if (campaign) q = q.where('p.campaign_id', '=', campaign);
  if (territory)
    q = q.where('p.territory_code', 'in', (eb) =>
      eb.selectFrom('territory_ancestors').select('code').where('ancestor_code', '=', territory),
    );
  if (user.role === 'region') {
    // A region reviews what was submitted in its territory; drafts are the parties' business.
    q = q
      .where('p.status', 'not in', ['draft', 'negotiation', 'agreed'])
      .where('p.territory_code', 'in', (eb) =>
        eb
          .selectFrom('territory_ancestors')
          .select('code')
          .where('ancestor_code', '=', user.territoryCode),
      );
  } else if (user.role !== 'admin') {
    q = q.where((eb) =>
      eb.or([
        eb('p.promoter_org_id', '=', user.organisationId),
        eb(
          'p.id',
          'in',
          eb
            .selectFrom('pact_signatories')
            .select('pact_id')
            .where('organisation_id', '=', user.organisationId)
            .where('removed_at', 'is', null),
        ),
      ]),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, mine: r.promoter_org_id === user.organisationId }));
}

/** Everything the pact page shows, for one viewer. */
export async function pactView(db: Db, user: SessionUser, pactId: string) {
  const { pact, party } = await loadPactFor(db, pactId, user);
  const [actions, signatories, backing, campaign, territory, call] = await Promise.all([
    repo.listActions(db, pactId),
    repo.listSignatories(db, pactId),
    needsBackingReport(db, pactId, user),
    db
      .selectFrom('campaigns')
      .select(['id', 'title'])
      .where('id', '=', pact.campaign_id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('territories')
      .select(['code', 'name', 'names'])
      .where('code', '=', pact.territory_code)
      .executeTakeFirstOrThrow(),
    pact.call_id ? repo.findCall(db, pact.call_id) : Promise.resolve(undefined),
  ]);
  const workflowParty: PactParty | null =
    party === 'promoter'
      ? 'promoter'
      : party === 'region'
        ? 'region'
        : party === 'signatory'
          ? 'signatory'
          : null;
  return {
    pact,
    party,
    actions: actions.map((a) => ({ ...a, backing: backing.get(a.id) ?? [] })),
    signatories,
    campaign,
    territory,
    call,
    canEdit: party === 'promoter' && isEditable(pact.status),
    allowed: workflowParty ? allowedActions(pact.status, workflowParty) : [],
  };
}
