import { sql } from 'kysely';
import type { Executor, Tx } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError } from '../../lib/domain-error';
import { actionCostCents } from '../../lib/unit-costs';
import { loadPactFor } from './access';

/** Whether `code` is `ancestor` or lies below it (the closure kept by needs/). */
export async function isBelow(db: Executor, code: string, ancestor: string): Promise<boolean> {
  const row = await db
    .selectFrom('territory_ancestors')
    .select('depth')
    .where('code', '=', code)
    .where('ancestor_code', '=', ancestor)
    .executeTakeFirst();
  return row !== undefined;
}

/** The pact, locked, when the user acts for its promoter; 404 when unseen, 403 for other parties. */
export async function promoterPact(tx: Tx, pactId: string, user: SessionUser) {
  const { pact, party } = await loadPactFor(tx, pactId, user, { forUpdate: true });
  if (party !== 'promoter') throw new DomainError('pacts.errors.promoterOnly', { status: 403 });
  return pact;
}

/**
 * The pact this user already created from the form `formId` (a double click), if any. The
 * caller holds the form's advisory lock, so a concurrent twin waits and then finds it here.
 */
export async function pactFromForm(tx: Tx, userId: string, formId: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`pact-form:${formId}`}))`.execute(tx);
  const row = await tx
    .selectFrom('pact_audit as a')
    .innerJoin('pacts as p', 'p.id', 'a.pact_id')
    .select('p.id')
    .where('p.created_by', '=', userId)
    .where('a.event', '=', 'created')
    .where(sql<string>`a.detail->>'formId'`, '=', formId)
    .executeTakeFirst();
  return row?.id;
}

/** Published campaigns (open or closed) whose scope contains `territory`. */
export function campaignsCovering(db: Executor, territory: string) {
  return db
    .selectFrom('campaigns as c')
    .innerJoin('territory_ancestors as ta', 'ta.ancestor_code', 'c.territory_code')
    .select(['c.id', 'c.title', 'c.territory_code', 'c.status'])
    .where('ta.code', '=', territory)
    .where('c.status', 'in', ['open', 'closed'])
    .orderBy('c.opens_at', 'desc')
    .execute();
}

/** Campaigns a user could draft on: covering its territory or lying below it. */
export async function campaignsForDrafting(db: Executor, territory: string) {
  const { rows } = await sql<{ id: string; title: string; territory_code: string; status: string }>`
    SELECT c.id, c.title, c.territory_code, c.status FROM campaigns c
    WHERE c.status IN ('open', 'closed') AND EXISTS (SELECT 1 FROM territory_ancestors ta
      WHERE (ta.code = ${territory} AND ta.ancestor_code = c.territory_code)
         OR (ta.code = c.territory_code AND ta.ancestor_code = ${territory}))
    ORDER BY c.opens_at DESC, c.created_at DESC`.execute(db);
  return rows;
}

/** Open funding calls covering the territory, for this campaign or for any. */
export function callsCovering(db: Executor, territory: string, campaignId: string) {
  return db
    .selectFrom('funding_calls as f')
    .innerJoin('territory_ancestors as ta', 'ta.ancestor_code', 'f.territory_code')
    .select(['f.id', 'f.title', 'f.course_hour_cents', 'f.participant_hour_cents', 'f.deadline'])
    .where('ta.code', '=', territory)
    .where('f.status', '=', 'open')
    .where((eb) => eb.or([eb('f.campaign_id', 'is', null), eb('f.campaign_id', '=', campaignId)]))
    .orderBy('f.deadline')
    .execute();
}

export function findCall(db: Executor, id: string) {
  return db.selectFrom('funding_calls').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The call must be open, cover the pact's territory and serve its campaign (or any). */
export async function assertCallFits(
  db: Executor,
  callId: string,
  territory: string,
  campaignId: string,
) {
  const ok = (await callsCovering(db, territory, campaignId)).some((c) => c.id === callId);
  if (!ok) throw new DomainError('pacts.errors.callNotAvailable', { field: 'callId', status: 422 });
}

/** Every action's cost from the pact's call (or none without a call), in the caller's transaction. */
export async function recomputeCosts(tx: Tx, pactId: string, callId: string | null) {
  const call = callId ? await findCall(tx, callId) : undefined;
  const actions = await tx
    .selectFrom('pact_actions')
    .select(['id', 'participants', 'hours'])
    .where('pact_id', '=', pactId)
    .execute();
  for (const a of actions) {
    await tx
      .updateTable('pact_actions')
      .set({ cost_cents: call ? actionCostCents(a, call) : null })
      .where('id', '=', a.id)
      .execute();
  }
}

export function listActions(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_actions')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
}

export async function actionCount(db: Executor, pactId: string): Promise<number> {
  const row = await db
    .selectFrom('pact_actions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pact_id', '=', pactId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listSignatories(db: Executor, pactId: string) {
  return db
    .selectFrom('pact_signatories as s')
    .innerJoin('organisations as o', 'o.id', 's.organisation_id')
    .innerJoin('territories as t', 't.code', 'o.territory_code')
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.partner_type',
      'o.territory_code',
      't.name as territory_name',
      't.names as territory_names',
      's.invited_at',
      's.removed_at',
      // Why it left, when it declined to sign since its (last) invitation; null when removed.
      sql<string | null>`(SELECT a.detail->>'reason' FROM pact_audit a
        WHERE a.pact_id = s.pact_id AND a.event = 'signatory_declined'
          AND a.detail->>'organisation' = s.organisation_id::text AND a.at >= s.invited_at
        ORDER BY a.seq DESC LIMIT 1)`.as('declined_reason'),
    ])
    .where('s.pact_id', '=', pactId)
    .orderBy('s.invited_at')
    .execute();
}

/**
 * Who may be invited: social partners and other local authorities whose territory overlaps the
 * pact's (an ancestor or a descendant), not the promoter, not already invited.
 */
export async function invitableOrganisations(
  db: Executor,
  pact: { id: string; territory_code: string; promoter_org_id: string },
) {
  const { rows } = await sql<{
    id: string;
    name: string;
    kind: string;
    partner_type: string | null;
    territory_code: string;
    territory_name: string;
    territory_names: Record<string, string>;
  }>`
    SELECT o.id, o.name, o.kind, o.partner_type, o.territory_code,
      t.name AS territory_name, t.names AS territory_names
    FROM organisations o JOIN territories t ON t.code = o.territory_code
    WHERE o.kind IN ('social_partner', 'local_authority') AND o.id <> ${pact.promoter_org_id}
      AND EXISTS (SELECT 1 FROM territory_ancestors ta
        WHERE (ta.code = ${pact.territory_code} AND ta.ancestor_code = o.territory_code)
           OR (ta.code = o.territory_code AND ta.ancestor_code = ${pact.territory_code}))
      AND NOT EXISTS (SELECT 1 FROM pact_signatories s
        WHERE s.pact_id = ${pact.id} AND s.organisation_id = o.id AND s.removed_at IS NULL)
    ORDER BY o.kind, o.name
    LIMIT 500`.execute(db);
  return rows;
}

export function skillNames(db: Executor, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('skills')
    .select(['code', 'name', 'names'])
    .where('code', 'in', codes)
    .execute();
}
