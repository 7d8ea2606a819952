import type { Express } from 'express';
import request from 'supertest';
import { verifyAuditChain } from '../../src/modules/pacts/audit';
import { loginAs, submitForm, type Agent } from '../helpers/app';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

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

const pactRow = (id: string) =>
  t.db.selectFrom('pacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const amendmentRow = (id: string) =>
  t.db.selectFrom('pact_amendments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const audit = (pactId: string) =>
  t.db.selectFrom('pact_audit').selectAll().where('pact_id', '=', pactId).orderBy('seq').execute();

async function negotiating() {
  return newPact(t.db, {
    promoter: s.authority,
    campaign: s.campaign.id,
    callId: s.callId,
    status: 'negotiation',
    actions: [{ title: 'Robotica di base', participants: 2, hours: 40 }],
    signatories: [s.employers.organisationId, s.union.organisationId],
  });
}

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

const sign = (agent: Agent, pact: { id: string; revision: number; revision_hash: string }) =>
  submitForm(
    agent,
    `/pacts/${pact.id}/sign`,
    { revision: String(pact.revision), hash: pact.revision_hash },
    `/pacts/${pact.id}/sign`,
  );

describe('open amendments when the pact leaves negotiation', () => {
  it('lapse on submission, each recorded in the audit chain after it, and read as lapsed', async () => {
    const pact = await negotiating();
    const first = await proposeTitle(employers, pact.id, 'Robotica per tutti');
    const second = await proposeTitle(union, pact.id, 'Robotica e sicurezza');
    // One decided before: it keeps its own status and decision.
    const path2 = `/pacts/${pact.id}/amendments/${second}`;
    expect((await submitForm(union, path2, {}, `${path2}/withdraw`)).status).toBe(302);
    const third = await proposeTitle(union, pact.id, 'Robotica collaborativa');
    // Agreed with the proposals undecided (signatures agree the text without them).
    expect((await sign(employers, pact)).status).toBe(302);
    expect((await sign(union, pact)).status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('agreed');
    const before = await amendmentRow(first);

    const at = `/pacts/${pact.id}`;
    expect((await submitForm(authority, at, { revision: '1' }, `${at}/submit`)).status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('submitted');

    for (const id of [first, third]) {
      const row = await amendmentRow(id);
      expect(row).toMatchObject({ status: 'lapsed', decided_by: null, decision_reason: null });
      expect(row.decided_at).not.toBeNull();
    }
    // Only the status moved: what was proposed, by whom and on which text stays as it was.
    const after = await amendmentRow(first);
    expect({ ...after, status: 'open', decided_at: null }).toEqual(before);
    expect((await amendmentRow(second)).status).toBe('withdrawn');

    const entries = await audit(pact.id);
    const submitAt = entries.findIndex((e) => e.event === 'submit');
    expect(entries.slice(submitAt + 1).map((e) => [e.event, e.detail, e.actor_id])).toEqual([
      ['amendment_lapsed', { amendment: first }, s.authority.id],
      ['amendment_lapsed', { amendment: third }, s.authority.id],
    ]);
    expect(await verifyAuditChain(t.db, pact.id)).toEqual({ ok: true, entries: entries.length });
    // Each proposer is told, in its inbox, with a link to its amendment.
    const told = await t.db
      .selectFrom('notifications')
      .select(['user_id', 'link'])
      .where('kind', '=', 'amendment_lapsed')
      .orderBy('link')
      .execute();
    expect(told).toEqual(
      [
        { user_id: s.employers.id, link: `/pacts/${pact.id}/amendments/${first}` },
        { user_id: s.union.id, link: `/pacts/${pact.id}/amendments/${third}` },
      ].sort((a, b) => (a.link < b.link ? -1 : 1)),
    );
    const inbox = await union.get('/inbox');
    expect(inbox.text).toContain(
      'è decaduto senza decisione: il patto è uscito dalla negoziazione',
    );

    // The board and the amendment's page say it lapsed and why, with nothing left to do.
    const board = await employers.get(`${at}/negotiation`);
    expect(board.text).toContain('Decaduto');
    expect(board.text).not.toContain('>Aperto<');
    const page = await employers.get(`${at}/amendments/${first}`);
    expect(page.text).toMatch(/id="amendment-status"><strong>Decaduto<\/strong>/);
    expect(page.text).toContain('Decaduto senza decisione: il patto è uscito dalla negoziazione');
    expect(page.text).not.toContain('resta aperta');
    expect(page.text).not.toContain(`${at}/amendments/${first}/withdraw`);
    const en = await employers.get(`${at}/amendments/${first}?lang=en`);
    expect(en.text).toContain('Lapsed without a decision');
    await employers.get(`${at}?lang=it`);
    const history = await authority.get(`${at}/audit`);
    expect(history.text).toContain('Emendamento decaduto');
    // The API reads the same status.
    const api = await request(app)
      .get(`/api/v1/pacts/${pact.id}/audit`)
      .set('Authorization', `Bearer ${await s.token(s.authority.id)}`);
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('amendment_lapsed');
  });

  it('says of one left open by an earlier version, on a pact that will not come back, that it can no longer be decided', async () => {
    const pact = await negotiating();
    const id = await proposeTitle(employers, pact.id, 'Robotica per tutti');
    // As a pact approved before amendments lapsed left it: open, on a closed pact.
    await t.db.updateTable('pacts').set({ status: 'approved' }).where('id', '=', pact.id).execute();
    const page = await employers.get(`/pacts/${pact.id}/amendments/${id}`);
    expect(page.text).toContain(
      'La negoziazione di questo patto è chiusa (stato: Approvato) e non riaprirà: la proposta non è stata decisa e non potrà più esserlo.',
    );
    expect(page.text).not.toContain('finché il patto non torna in negoziazione');
  });

  it('lapse when the promoter withdraws the pact in negotiation', async () => {
    const pact = await negotiating();
    const id = await proposeTitle(employers, pact.id, 'Robotica per tutti');
    const at = `/pacts/${pact.id}`;
    // Asked first, saying so.
    expect((await authority.get(`${at}/withdraw`)).text).toContain(
      'gli emendamenti ancora aperti decadono',
    );
    expect((await submitForm(authority, at, { revision: '1' }, `${at}/withdraw`)).status).toBe(302);
    expect((await pactRow(pact.id)).status).toBe('withdrawn');
    expect((await amendmentRow(id)).status).toBe('lapsed');
    const entries = await audit(pact.id);
    expect(entries.slice(-2).map((e) => e.event)).toEqual(['withdraw', 'amendment_lapsed']);
    // Deciding it afterwards is refused as for any amendment no longer open.
    const path = `${at}/amendments/${id}`;
    const late = await request(app)
      .post(`/api/v1/pacts/${pact.id}/amendments/${id}/decision`)
      .set('Authorization', `Bearer ${await s.token(s.authority.id)}`)
      .send({ revision: 1, decision: 'accept' });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toContain('Decaduto');
    expect((await employers.get(path)).text).toMatch(/<strong>Decaduto<\/strong>/);
  });

  it('leaves no amendment open once a pact is returned and reopened: a new proposal starts afresh', async () => {
    const pact = await negotiating();
    const id = await proposeTitle(employers, pact.id, 'Robotica per tutti');
    await sign(employers, pact);
    await sign(union, pact);
    const at = `/pacts/${pact.id}`;
    await submitForm(authority, at, { revision: '1' }, `${at}/submit`);
    const region = await loginAs(app, s.region.email, s.password);
    const back = await submitForm(
      region,
      `${at}/review`,
      { revision: '1', remarks: 'Rivedere' },
      `${at}/return`,
    );
    expect(back.status).toBe(302);
    expect((await submitForm(authority, at, { revision: '1' }, `${at}/reopen`)).status).toBe(302);
    expect((await amendmentRow(id)).status).toBe('lapsed');
    const board = await authority.get(`${at}/negotiation`);
    expect(board.text).not.toMatch(/\d+ emendament[io] apert[oi]/);
    expect(board.text).toContain('<td>Decaduto</td>');
  });
});
