import type { Db, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { createOnce, forgetForms } from '../../http/form-key';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { actionCostCents } from '../../lib/unit-costs';
import { quarterOf } from '../survey/calendar';
import { assertNeedsBacking } from './needs-backing';
import * as repo from './pacts.repository';
import type { ActionInput } from './pacts.schemas';
import { assertEditable } from './pacts.service';
import { commitRevision, type PactContent } from './revisions';
import { assertRevision } from './stale';

async function assertSkillsExist(tx: Tx, codes: string[]) {
  const found = await repo.skillNames(tx, codes);
  if (found.length !== new Set(codes).size)
    throw new DomainError('pacts.errors.unknownSkill', { field: 'skills', status: 422 });
}

/**
 * An action trains for needs the campaign surveyed: a quarter before the campaign opened (a
 * mistyped year, most often) cannot be one. Bound to the campaign rather than to today's date, so
 * an action planned for a quarter that has since passed stays editable as it was.
 */
export async function assertPeriodInCampaign(tx: Tx, campaignId: string, period: string) {
  const { opens_at } = await tx
    .selectFrom('campaigns')
    .select('opens_at')
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const first = quarterOf(opens_at);
  if (period < first)
    throw new DomainError('pacts.errors.periodBeforeCampaign', {
      field: 'period',
      status: 422,
      params: { first },
    });
}

async function costOf(tx: Tx, callId: string | null, input: ActionInput) {
  const call = callId ? await repo.findCall(tx, callId) : undefined;
  return call ? actionCostCents(input, call) : null;
}

function columns(input: ActionInput) {
  return {
    title: input.title,
    description: input.description,
    skill_codes: [...new Set(input.skills)],
    participants: input.participants,
    hours: input.hours,
    modality: input.modality,
    eqf_level: input.eqfLevel,
    period: input.period,
    provider: input.provider,
  };
}

/**
 * One action more, backed by declared needs: written, checked against the campaign's needs under
 * the campaign lock, and fixed as a new revision, all in one transaction (a refusal leaves nothing).
 * The new action form posted twice (`formKey`, see http/form-key) adds one action: the second
 * post, which would otherwise meet a revision moved on, gets the first one's.
 */
export async function addAction(
  db: Db,
  user: SessionUser,
  pactId: string,
  input: ActionInput,
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    let revision = pact.revision;
    const id = await createOnce(tx, user.id, formKey, async () => {
      const added = await insertAction(tx, user, pact, input);
      revision = added.revision;
      return added.id;
    });
    return { id, revision };
  });
}

async function insertAction(
  tx: Tx,
  user: SessionUser,
  pact: Awaited<ReturnType<typeof repo.promoterPact>>,
  input: ActionInput,
) {
  const pactId = pact.id;
  assertEditable(pact.status);
  assertRevision(pact, input.revision);
  await assertSkillsExist(tx, input.skills);
  await assertPeriodInCampaign(tx, pact.campaign_id, input.period);
  const last = await tx
    .selectFrom('pact_actions')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('pact_id', '=', pactId)
    .executeTakeFirst();
  const { id } = await tx
    .insertInto('pact_actions')
    .values({
      pact_id: pactId,
      position: (last?.p ?? 0) + 1,
      ...columns(input),
      cost_cents: await costOf(tx, pact.call_id, input),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await assertNeedsBacking(tx, pactId, { actor: user, skills: input.skills, actionId: id });
  const rev = await commitRevision(tx, pactId, user, `action added: ${input.title}`);
  return { id, revision: rev.number };
}

export async function updateAction(
  db: Db,
  user: SessionUser,
  pactId: string,
  actionId: string,
  input: ActionInput,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertEditable(pact.status);
    const old = await findAction(tx, pactId, actionId);
    assertRevision(pact, input.revision);
    await assertSkillsExist(tx, input.skills);
    if (input.period !== old.period)
      await assertPeriodInCampaign(tx, pact.campaign_id, input.period);
    await tx
      .updateTable('pact_actions')
      .set({
        ...columns(input),
        cost_cents: await costOf(tx, pact.call_id, input),
        updated_at: new Date(),
      })
      .where('id', '=', actionId)
      .execute();
    // Only a claim that grew is checked: lowering a plan must stay possible even where firms
    // have since lowered their declared needs.
    const grown =
      input.participants > old.participants
        ? input.skills
        : input.skills.filter((s) => !old.skill_codes.includes(s));
    if (grown.length)
      await assertNeedsBacking(tx, pactId, { actor: user, skills: grown, actionId });
    const rev = await commitRevision(tx, pactId, user, `action changed: ${input.title}`);
    return { id: actionId, revision: rev.number };
  });
}

export async function removeAction(
  db: Db,
  user: SessionUser,
  pactId: string,
  actionId: string,
  revision: number,
) {
  return db.transaction().execute(async (tx) => {
    const pact = await repo.promoterPact(tx, pactId, user);
    assertEditable(pact.status);
    const old = await findAction(tx, pactId, actionId);
    assertRevision(pact, revision);
    await tx.deleteFrom('pact_actions').where('id', '=', actionId).execute();
    // Its form resent (the back button) adds it again rather than leading to nothing.
    await forgetForms(tx, actionId);
    const rev = await commitRevision(tx, pactId, user, `action removed: ${old.title}`);
    return { revision: rev.number };
  });
}

/**
 * Whether `userId` removed the action from the revision `revision` a moment ago and nothing has
 * changed since: the next revision is theirs and the first without it, and the pact is still at
 * it. A second click on 'Rimuovi' then lands like the first instead of on a missing action.
 */
export async function justRemovedBy(
  db: Db,
  pactId: string,
  actionId: string,
  revision: number,
  userId: string,
): Promise<boolean> {
  const rows = await db
    .selectFrom('pact_revisions as r')
    .innerJoin('pacts as p', 'p.id', 'r.pact_id')
    .select(['r.number', 'r.created_by', 'r.content', 'p.revision'])
    .where('r.pact_id', '=', pactId)
    .where('r.number', 'in', [revision, revision + 1])
    .orderBy('r.number')
    .execute();
  const has = (content: unknown) => (content as PactContent).actions.some((a) => a.id === actionId);
  const [before, after] = rows;
  return (
    rows.length === 2 &&
    after!.revision === revision + 1 &&
    after!.created_by === userId &&
    has(before!.content) &&
    !has(after!.content)
  );
}

export async function findAction(db: Db | Tx, pactId: string, actionId: string) {
  const row = await db
    .selectFrom('pact_actions')
    .selectAll()
    .where('id', '=', actionId)
    .where('pact_id', '=', pactId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return row;
}
