import type { Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { actionCostCents } from '../../lib/unit-costs';
import type { Amendment, AmendmentFields } from './negotiation.tables';
import { assertNeedsBacking } from './needs-backing';
import * as repo from './pacts.repository';
import type { Pact } from './pacts.tables';
import { commitRevision } from './revisions';
import type { Modality } from './pacts.tables';

/**
 * Writes an accepted amendment into the pact, in the decision's transaction, then fixes the
 * result as revision n+1 through the pact core's commitRevision. P1's addAction/updateAction
 * open their own transactions (and insist on the promoter's optimistic lock), so the same
 * column writes are done here; needs backing is checked exactly as they check it.
 */
export async function applyAmendment(
  tx: Tx,
  pact: Pact,
  am: Amendment,
  fields: AmendmentFields,
  actor: SessionUser,
): Promise<{ number: number; hash: string }> {
  switch (am.kind) {
    case 'change_pact':
      await tx
        .updateTable('pacts')
        .set({ title: String(fields.title), summary: String(fields.summary ?? '') })
        .where('id', '=', pact.id)
        .execute();
      break;
    case 'remove_action':
      await tx.deleteFrom('pact_actions').where('id', '=', am.action_id!).execute();
      break;
    case 'add_action':
    case 'change_action':
      await writeAction(tx, pact, am, fields, actor);
      break;
  }
  return commitRevision(tx, pact.id, actor, `amendment accepted (${am.kind})`);
}

/**
 * Writes the action an add_action / change_action amendment proposes, then checks needs backing
 * exactly as the promoter's own edit is checked: a new action on all its skills, a changed one
 * only on the claims that grew (more participants, or a skill added).
 */
export async function writeAction(
  tx: Tx,
  pact: Pact,
  am: Pick<Amendment, 'kind' | 'action_id'>,
  fields: AmendmentFields,
  actor: SessionUser,
): Promise<void> {
  const cols = await columns(tx, pact, fields);
  if (am.kind === 'add_action') {
    const last = await tx
      .selectFrom('pact_actions')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('pact_id', '=', pact.id)
      .executeTakeFirst();
    const { id } = await tx
      .insertInto('pact_actions')
      .values({ pact_id: pact.id, position: (last?.p ?? 0) + 1, ...cols })
      .returning('id')
      .executeTakeFirstOrThrow();
    await assertNeedsBacking(tx, pact.id, { actor, skills: cols.skill_codes, actionId: id });
    return;
  }
  const old = await tx
    .selectFrom('pact_actions')
    .select(['participants', 'skill_codes'])
    .where('id', '=', am.action_id!)
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('pact_actions')
    .set({ ...cols, updated_at: new Date() })
    .where('id', '=', am.action_id!)
    .execute();
  const grown =
    cols.participants > old.participants
      ? cols.skill_codes
      : cols.skill_codes.filter((s) => !old.skill_codes.includes(s));
  if (grown.length)
    await assertNeedsBacking(tx, pact.id, { actor, skills: grown, actionId: am.action_id! });
}

async function columns(tx: Tx, pact: Pact, f: AmendmentFields) {
  const skills = [...new Set((f.skills as string[]) ?? [])];
  const found = await repo.skillNames(tx, skills);
  if (skills.length === 0 || found.length !== skills.length)
    throw new DomainError('pacts.errors.unknownSkill', { field: 'skills', status: 422 });
  const participants = Number(f.participants);
  const hours = Number(f.hours);
  const call = pact.call_id ? await repo.findCall(tx, pact.call_id) : undefined;
  return {
    title: String(f.title),
    description: String(f.description ?? ''),
    skill_codes: skills,
    participants,
    hours,
    modality: String(f.modality) as Modality,
    eqf_level: Number(f.eqfLevel),
    period: String(f.period),
    provider: f.provider ? String(f.provider) : null,
    cost_cents: call ? actionCostCents({ participants, hours }, call) : null,
  };
}
