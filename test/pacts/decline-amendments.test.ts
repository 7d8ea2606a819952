import type { Express } from 'express';
import request from 'supertest';
import { verifyAuditChain } from '../../src/modules/pacts/audit';
import { submitForm, type Agent } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

// A partner declining to sign left its own open amendments open: the promoter could still accept
// a proposal of an organisation no longer at the table, which could no longer see or withdraw it.

let t: TestDb;
let app: Express;
let s: PactScenario;
let authority: Agent;
let employers: Agent;
let union: Agent;

beforeAll(async () => {
  ({ t, app, s, authority, employers, union } = await signedInScenario());
});
afterAll(() => t.close());

const amendmentRow = (id: string) =>
  t.db.selectFrom('pact_amendments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audit = (pactId: string) =>
  t.db.selectFrom('pact_audit').selectAll().where('pact_id', '=', pactId).orderBy('seq').execute();

const negotiating = () =>
  newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    status: 'negotiation',
    actions: [{ title: 'Robotica di base', participants: 2, hours: 40 }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });

async function proposeTitle(agent: Agent, pactId: string, title: string, revision = 1) {
  const res = await submitForm(
    agent,
    `/pacts/${pactId}/amendments/new?kind=change_pact`,
    {
      kind: 'change_pact',
      revision: String(revision),
      title,
      summary: '',
      rationale: 'Più chiaro',
    },
    `/pacts/${pactId}/amendments`,
  );
  expect(res.status).toBe(302);
  return /amendments\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;
}

describe('declining to sign with amendments of one’s own still open', () => {
  it('withdraws them in the decline, says so first, records each, and leaves the others’ open', async () => {
    const pact = await negotiating();
    const first = await proposeTitle(employers, pact.id, 'Robotica per tutti');
    const second = await proposeTitle(employers, pact.id, 'Robotica e sicurezza');
    const theirs = await proposeTitle(union, pact.id, 'Robotica collaborativa');
    // One the promoter already declined keeps its decision.
    const decided = await proposeTitle(employers, pact.id, 'Robotica avanzata');
    const path = `/pacts/${pact.id}/amendments/${decided}`;
    const no = await submitForm(
      authority,
      path,
      { revision: '1', decision: 'decline', reason: 'Fuori tema' },
      `${path}/decide`,
    );
    expect(no.status).toBe(302);
    const before = await amendmentRow(first);

    // The partner is told before it declines.
    const ask = await employers.get(`/pacts/${pact.id}/decline`);
    expect(ask.text).toContain(
      'Le 2 proposte di emendamento della tua organizzazione ancora aperte su questo patto saranno ritirate',
    );
    expect((await union.get(`/pacts/${pact.id}/decline?lang=en`)).text).toContain(
      'Your organisation&#x27;s amendment still open on this pact will be withdrawn',
    );
    await union.get(`/pacts/${pact.id}?lang=it`);

    const res = await submitForm(
      employers,
      `/pacts/${pact.id}/decline`,
      { reason: 'Non ci riguarda' },
      `/pacts/${pact.id}/decline`,
    );
    expect([res.status, res.headers.location]).toEqual([302, '/pacts']);

    for (const id of [first, second]) {
      const row = await amendmentRow(id);
      expect(row).toMatchObject({
        status: 'withdrawn',
        decided_by: s.employers.id,
        decision_reason: null,
      });
      expect(row.decided_at).not.toBeNull();
    }
    // Only the status moved: what was proposed, on which text, stays as it was.
    const after = await amendmentRow(first);
    expect({ ...after, status: 'open', decided_by: null, decided_at: null }).toEqual(before);
    expect((await amendmentRow(theirs)).status).toBe('open');
    expect(await amendmentRow(decided)).toMatchObject({
      status: 'declined',
      decision_reason: 'Fuori tema',
    });

    // In the chain: the decline, each withdrawal, then the revision that takes it off the list.
    const entries = await audit(pact.id);
    const at = entries.findIndex((e) => e.event === 'signatory_declined');
    expect(entries.slice(at).map((e) => [e.event, e.detail, e.actor_id])).toEqual([
      [
        'signatory_declined',
        expect.objectContaining({ reason: 'Non ci riguarda' }),
        s.employers.id,
      ],
      ['amendment_withdrawn', { amendment: first, declined: true }, s.employers.id],
      ['amendment_withdrawn', { amendment: second, declined: true }, s.employers.id],
      ['revision', expect.anything(), s.employers.id],
    ]);
    expect(await verifyAuditChain(t.db, pact.id)).toEqual({ ok: true, entries: entries.length });

    // The promoter reads why on the amendment, and has nothing to decide there.
    const page = await authority.get(`/pacts/${pact.id}/amendments/${first}`);
    expect(page.text).toMatch(/id="amendment-status"><strong>Ritirato<\/strong>/);
    expect(page.text).toContain(
      `Ritirato perché ${s.employers.organisationName} ha rinunciato a firmare il patto`,
    );
    expect(page.text).not.toContain(`/amendments/${first}/decide`);
    // A withdrawal by its proposer says nothing of the kind.
    const own = await proposeTitle(union, pact.id, 'Robotica per le PMI', 2);
    const ownPath = `/pacts/${pact.id}/amendments/${own}`;
    expect((await submitForm(union, ownPath, {}, `${ownPath}/withdraw`)).status).toBe(302);
    expect((await authority.get(ownPath)).text).not.toContain('ha rinunciato a firmare');
    const history = await authority.get(`/pacts/${pact.id}/audit`);
    expect(history.text).toContain('con la rinuncia a firmare');
  });

  it('withdraws them on the API too, naming them in the answer', async () => {
    const pact = await negotiating();
    const mine = await proposeTitle(union, pact.id, 'Robotica sindacale');
    const other = await proposeTitle(employers, pact.id, 'Robotica datoriale');
    const res = await request(app)
      .post(`/api/v1/pacts/${pact.id}/decline`)
      .set('Authorization', `Bearer ${await s.token(s.union.id)}`)
      .send({ reason: 'Via API' });
    expect([res.status, res.body]).toEqual([
      200,
      { revision: 2, status: 'negotiation', withdrawnAmendments: [mine] },
    ]);
    expect((await amendmentRow(mine)).status).toBe('withdrawn');
    expect((await amendmentRow(other)).status).toBe('open');
  });
});
