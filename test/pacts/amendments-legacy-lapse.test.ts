import { lapseLegacyAmendments } from '../../migrations/2026_12_09_0900_b_lapse_legacy_amendments';
import { appendAudit, verifyAuditChain } from '../../src/modules/pacts/audit';
import type { PactStatus } from '../../src/modules/pacts/pact-workflow';
import { transitionPact } from '../../src/modules/pacts/transitions';
import { submitForm, type Agent } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

// Before amendments lapsed with their pact (session 13), a pact that left negotiation kept its
// undecided amendments "open" for good. The data migration lapses them as the application now does.

let t: TestDb;
let s: PactScenario;
let employers: Agent;
let union: Agent;

beforeAll(async () => {
  ({ t, s, employers, union } = await signedInScenario());
});
afterAll(() => t.close());

const amendmentRow = (id: string) =>
  t.db.selectFrom('pact_amendments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audit = (pactId: string) =>
  t.db.selectFrom('pact_audit').selectAll().where('pact_id', '=', pactId).orderBy('seq').execute();

const negotiating = (status: PactStatus = 'negotiation') =>
  newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status,
    actions: [{ title: 'Robotica di base', participants: 2, hours: 40 }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });

async function proposeTitle(agent: Agent, pactId: string, title: string) {
  const res = await submitForm(
    agent,
    `/pacts/${pactId}/amendments/new?kind=change_pact`,
    { kind: 'change_pact', revision: '1', title, summary: '', rationale: 'Più chiaro' },
    `/pacts/${pactId}/amendments`,
  );
  expect(res.status).toBe(302);
  return /amendments\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;
}

/** A transition as the code before session 13 made it: the status and its entry, nothing lapsed. */
async function legacyTransition(pactId: string, action: string, from: PactStatus, to: PactStatus) {
  await t.db.transaction().execute(async (tx) => {
    await tx.updateTable('pacts').set({ status: to }).where('id', '=', pactId).execute();
    await appendAudit(tx, {
      pactId,
      actor: s.authority,
      event: action as 'withdraw',
      fromStatus: from,
      toStatus: to,
      revision: 1,
    });
  });
}

/** A pact's lapse entries, as compared between the application and the migration. */
const lapseEntries = async (pactId: string) =>
  (await audit(pactId))
    .filter((e) => e.event === 'amendment_lapsed')
    .map((e) => ({
      event: e.event,
      actor_id: e.actor_id,
      actor_org_id: e.actor_org_id,
      from_status: e.from_status,
      to_status: e.to_status,
      revision: e.revision,
      detail: e.detail,
    }));

describe('the migration lapsing legacy open amendments', () => {
  it('lapses those of pacts out of negotiation exactly as the application does, once', async () => {
    // The application's own lapse, for reference: a pact withdrawn now.
    const now = await negotiating();
    const nowFirst = await proposeTitle(employers, now.id, 'Robotica per tutti');
    const nowSecond = await proposeTitle(union, now.id, 'Robotica e sicurezza');
    await t.db
      .transaction()
      .execute((tx) => transitionPact(tx, now.id, 'withdraw', s.authority, { party: 'promoter' }));

    // Legacy: withdrawn, and another submitted then rejected, their proposals left open.
    const withdrawn = await negotiating();
    const first = await proposeTitle(employers, withdrawn.id, 'Robotica per tutti');
    const second = await proposeTitle(union, withdrawn.id, 'Robotica e sicurezza');
    await legacyTransition(withdrawn.id, 'withdraw', 'negotiation', 'withdrawn');
    const rejected = await negotiating('agreed');
    const third = await proposeTitle(union, rejected.id, 'Robotica collaborativa');
    await legacyTransition(rejected.id, 'submit', 'agreed', 'submitted');
    await legacyTransition(rejected.id, 'reject', 'submitted', 'rejected');
    // Still in negotiation: its proposal is open, as it should be.
    const open = await negotiating();
    const live = await proposeTitle(employers, open.id, 'Robotica in corso');
    const before = await amendmentRow(first);
    const openBefore = await audit(open.id);

    expect(await lapseLegacyAmendments(t.db)).toBe(3);

    // The rows as the application leaves them: lapsed, nobody's decision, the rest untouched.
    const reference = await amendmentRow(nowFirst);
    expect(reference).toMatchObject({ status: 'lapsed', decided_by: null, decision_reason: null });
    for (const id of [first, second, third]) {
      const row = await amendmentRow(id);
      expect(row).toMatchObject({ status: 'lapsed', decided_by: null, decision_reason: null });
      expect(row.decided_at).not.toBeNull();
    }
    expect({ ...(await amendmentRow(first)), status: 'open', decided_at: null }).toEqual(before);
    expect((await amendmentRow(live)).status).toBe('open');
    expect(await audit(open.id)).toEqual(openBefore);

    // The audit entries as the application writes them: after the transition, in the order
    // proposed, by whoever took the pact out of negotiation, on its revision; the chain holds.
    const expected = (ids: string[]) =>
      ids.map((amendment) => ({
        event: 'amendment_lapsed',
        actor_id: s.authority.id,
        actor_org_id: s.authority.organisationId,
        from_status: null,
        to_status: null,
        revision: 1,
        detail: { amendment },
      }));
    expect(await lapseEntries(now.id)).toEqual(expected([nowFirst, nowSecond]));
    expect(await lapseEntries(withdrawn.id)).toEqual(expected([first, second]));
    expect(await lapseEntries(rejected.id)).toEqual(expected([third]));
    for (const p of [withdrawn, rejected])
      expect(await verifyAuditChain(t.db, p.id)).toEqual({
        ok: true,
        entries: (await audit(p.id)).length,
      });

    // Run again: nothing left to lapse, nothing written.
    const entries = await audit(withdrawn.id);
    expect(await lapseLegacyAmendments(t.db)).toBe(0);
    expect(await audit(withdrawn.id)).toEqual(entries);
  });

  it('records the lapse as nobody’s when the chain has no transition out of negotiation', async () => {
    // Put in 'approved' straight, with no entry saying who did.
    const pact = await negotiating();
    const id = await proposeTitle(employers, pact.id, 'Robotica approvata');
    await t.db.updateTable('pacts').set({ status: 'approved' }).where('id', '=', pact.id).execute();
    expect(await lapseLegacyAmendments(t.db)).toBe(1);
    expect((await amendmentRow(id)).status).toBe('lapsed');
    expect(await lapseEntries(pact.id)).toEqual([
      {
        event: 'amendment_lapsed',
        actor_id: null,
        actor_org_id: null,
        from_status: null,
        to_status: null,
        revision: 1,
        detail: { amendment: id },
      },
    ]);
    expect((await verifyAuditChain(t.db, pact.id)).ok).toBe(true);
  });
});
