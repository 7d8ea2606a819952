import type { Db, Executor, Tx } from '../../db';
import { isForeignKeyViolation } from '../../db/errors';
import { createOnce, forgetForms } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { assertInScope } from '../accounts/scope';
import { notify } from '../notifications/notify';
import { romeToday } from '../survey/calendar';
import * as repo from './calls.repository';
import { checkExtension } from '../../lib/extension';
import { callProblems, problemsError } from './calls.rules';
import type { NewCall } from './funding.schemas';
import type { CallStatus } from './funding.tables';

/** Every rule `input` breaks, as one 422 naming each field; nothing when it keeps them all. */
async function checkCall(db: Executor, user: SessionUser, input: NewCall) {
  const problems = await callProblems(db, user, input);
  if (problems.length) throw problemsError(problems);
}

/** The columns a call's form sets, for a new call and for an edited draft alike. */
const callColumns = (input: NewCall) => ({
  territory_code: input.territoryCode,
  campaign_id: input.campaignId ?? null,
  title: input.title,
  description: input.description || null,
  budget_cents: input.budget,
  course_hour_cents: input.courseHour,
  participant_hour_cents: input.participantHour,
  max_hours_per_action: input.maxHours ?? null,
  min_participants: input.minParticipants ?? null,
  max_participants: input.maxParticipants ?? null,
  max_cost_per_participant_cents: input.maxCostPerParticipant ?? null,
  cofinancing_percent: input.cofinancingPercent,
  deadline: input.deadline,
});

const allocationRows = (input: NewCall) =>
  input.allocations.map((r) => ({ territory: r.territory, cents: r.cents }));

/**
 * A draft call of the user's region, on its territory or below; every broken rule at once. A
 * form posted twice (`formKey`, see http/form-key) makes one call: the second gets its id.
 */
export async function createCall(
  db: Db,
  user: SessionUser,
  input: NewCall,
  formKey?: string,
): Promise<string> {
  await checkCall(db, user, input);
  return db.transaction().execute((tx) =>
    createOnce(tx, user.id, formKey, async () => {
      const { id } = await repo.insertCall(tx, {
        organisation_id: user.organisationId,
        ...callColumns(input),
        created_by: user.id,
      });
      await repo.insertAllocations(tx, id, allocationRows(input));
      await repo.insertAreas(tx, id, [...new Set(input.skillAreas)]);
      return id;
    }),
  );
}

/**
 * Rewrites a draft call (no authority has seen it, no pact can choose it, nothing is committed on
 * it): the same rules as a new call; its reserves and areas replaced. The row is locked, so an
 * edit and an opening take turns; once opened, 409. `input` may be made from the locked draft
 * (an API patch of some of its fields).
 */
export async function updateDraftCall(
  db: Db,
  user: SessionUser,
  id: string,
  change: NewCall | ((tx: Tx, call: CallRow) => Promise<NewCall>),
) {
  await db.transaction().execute(async (tx) => {
    const call = await repo.lockCall(tx, id);
    if (!call) throw new NotFoundError();
    await assertInScope(tx, user, call.territory_code);
    if (call.status !== 'draft') throw new DomainError('funding.errors.notDraft', { status: 409 });
    const input = typeof change === 'function' ? await change(tx, call) : change;
    await checkCall(tx, user, input);
    await repo.updateCall(tx, id, callColumns(input));
    await repo.replaceAllocations(tx, id, allocationRows(input));
    await repo.replaceAreas(tx, id, [...new Set(input.skillAreas)]);
  });
}

export type CallRow = NonNullable<Awaited<ReturnType<typeof repo.findCall>>>;

/** A call the region user manages (its territory in scope), else 404. */
export async function getManagedCall(db: Executor, user: SessionUser, id: string) {
  const call = await repo.findCall(db, id);
  if (!call) throw new NotFoundError();
  await assertInScope(db, user, call.territory_code);
  return call;
}

/**
 * A call as a reader sees it: the region (and admin) any call in scope; authorities and partners
 * an open or closed call covering their territory or lying within it. Drafts stay private.
 */
export async function getCallFor(db: Executor, user: SessionUser, id: string) {
  const call = await repo.findCall(db, id);
  if (!call) throw new NotFoundError();
  if (user.role === 'region' || user.role === 'admin') {
    await assertInScope(db, user, call.territory_code);
    return { call, manages: user.role === 'region' };
  }
  const covers =
    (await repo.within(db, user.territoryCode, call.territory_code)) ||
    (await repo.within(db, call.territory_code, user.territoryCode));
  if (call.status === 'draft' || !covers) throw new NotFoundError();
  return { call, manages: false };
}

export async function listCallsFor(db: Executor, user: SessionUser, status?: CallStatus) {
  const rows =
    user.role === 'region' || user.role === 'admin'
      ? await repo.listCallsWithin(db, user.role === 'admin' ? null : user.territoryCode)
      : await repo.listOpenCallsCovering(db, user.territoryCode);
  return status ? rows.filter((r) => r.status === status) : rows;
}

const NEXT = {
  open: { from: 'draft', to: 'open' },
  close: { from: 'open', to: 'closed' },
} as const;

/**
 * draft → open (the authorities of the territory are told), open → closed (no new pact may
 * choose it; approvals of pacts already submitted go on). The row is locked: two clicks, one step.
 */
export async function transitionCall(
  db: Db,
  user: SessionUser,
  id: string,
  action: 'open' | 'close',
  /** The button's one-time key (http/form-key): its second post finds the step taken. */
  formKey?: string,
) {
  return db.transaction().execute(async (tx) => {
    const call = await repo.lockCall(tx, id);
    if (!call) throw new NotFoundError();
    await assertInScope(tx, user, call.territory_code);
    await createOnce(tx, user.id, formKey, async () => {
      await takeStep(tx, user, call, action);
      return id;
    });
  });
}

async function takeStep(
  tx: Tx,
  user: SessionUser,
  call: NonNullable<Awaited<ReturnType<typeof repo.lockCall>>>,
  action: 'open' | 'close',
) {
  const id = call.id;
  if (call.status !== NEXT[action].from)
    throw new DomainError(`funding.errors.cannot.${action}`, { params: { status: call.status } });
  if (action === 'open' && call.deadline < romeToday())
    throw new DomainError('funding.errors.deadlinePast');
  const now = new Date();
  await tx
    .updateTable('funding_calls')
    .set({
      status: NEXT[action].to,
      ...(action === 'open' ? { opened_at: now } : { closed_at: now }),
    })
    .where('id', '=', id)
    .execute();
  if (action === 'open') {
    await notify(tx, {
      organisationIds: await repo.authoritiesWithin(tx, call.territory_code),
      kind: 'call_opened',
      params: { call: call.title, organisation: user.organisationName },
      link: `/calls/${id}`,
      exceptUserId: user.id,
    });
  }
}

/**
 * Extends an open call's deadline (a "proroga"), also once it has gone by: pacts submitted up
 * to the new day meet the deadline rule of the eligibility report. Only later, never earlier;
 * the deadline first published is kept; the authorities of its territory are told, as when it
 * opened. The same day asked again (a double click) is done already: `extended: false`.
 */
export async function extendCall(
  db: Db,
  user: SessionUser,
  id: string,
  deadline: string,
): Promise<{ call: CallRow; extended: boolean }> {
  return db.transaction().execute(async (tx) => {
    const call = await repo.lockCall(tx, id);
    if (!call) throw new NotFoundError();
    await assertInScope(tx, user, call.territory_code);
    const now = { status: call.status, day: call.deadline, firstDay: call.first_deadline };
    const refusal = {
      namespace: 'funding',
      field: 'deadline',
      past: 'funding.errors.deadlinePast',
    };
    if (!checkExtension(now, deadline, romeToday(), refusal)) return { call, extended: false };
    await tx
      .updateTable('funding_calls')
      .set({ deadline, first_deadline: call.first_deadline ?? call.deadline })
      .where('id', '=', id)
      .execute();
    await notify(tx, {
      organisationIds: await repo.authoritiesWithin(tx, call.territory_code),
      kind: 'call_extended',
      params: { call: call.title, organisation: user.organisationName, date: deadline },
      link: `/calls/${id}`,
      exceptUserId: user.id,
    });
    return { call: (await repo.findCall(tx, id))!, extended: true };
  });
}

/**
 * Deletes a draft call (one made twice, or by mistake): no authority has seen it, no pact can
 * name it. Refused once it is open.
 */
export async function deleteDraftCall(
  db: Db,
  user: SessionUser,
  id: string,
  /** The confirmation's one-time key: its second post (a double click) finds it deleted. */
  formKey?: string,
) {
  try {
    await db.transaction().execute((tx) =>
      createOnce(tx, user.id, formKey, async () => {
        const call = await repo.lockCall(tx, id);
        if (!call) throw new NotFoundError();
        await assertInScope(tx, user, call.territory_code);
        if (call.status !== 'draft')
          throw new DomainError('funding.errors.deleteNotDraft', { status: 409 });
        await tx.deleteFrom('funding_calls').where('id', '=', id).execute();
        // The forms that made it; this deletion's own key is kept after it (createOnce).
        await forgetForms(tx, id);
        return id;
      }),
    );
  } catch (err) {
    if (isForeignKeyViolation(err))
      throw new DomainError('funding.errors.deleteNamed', { status: 409 });
    throw err;
  }
}
