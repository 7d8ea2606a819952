import request from 'supertest';
import type { Express } from 'express';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { pactScenario, type PactScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: PactScenario;
let token: string;

// Each test gets a campaign of its own (pactScenario), so the needs claimed never mix.
beforeEach(async () => {
  s = await pactScenario(t.db);
  token = await s.token(s.authority.id);
});
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

const action = (revision: number, participants: number, skills = ['F40.a']) => ({
  revision,
  title: `Corso ${participants}`,
  skills,
  participants,
  hours: 20,
  modality: 'online',
  eqfLevel: 4,
  period: '2027-Q2',
});
const addAction = (pactId: string, body: object) =>
  request(app)
    .post(`/api/v1/pacts/${pactId}/actions`)
    .set('Authorization', `Bearer ${token}`)
    .send(body);
const draft = (territory = 'ITI14') =>
  newPact(t.db, { promoter: s.authority, campaign: s.campaign.id, territory, actions: [] });
const plannedIn = async (campaignId: string) => {
  const rows = await t.db
    .selectFrom('pact_actions as a')
    .innerJoin('pacts as p', 'p.id', 'a.pact_id')
    .select('a.participants')
    .where('p.campaign_id', '=', campaignId)
    .execute();
  return rows.reduce((n, r) => n + r.participants, 0);
};

describe('needs backing', () => {
  it('shows per action the need drawn on and what remains', async () => {
    const pact = await draft();
    expect((await addAction(pact.id, action(1, 5))).status).toBe(201);
    const res = await request(app)
      .get(`/api/v1/pacts/${pact.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.body.actions[0].backing).toEqual([
      { skill: 'F40.a', territory: 'ITI14', declared: 12, planned: 5, remaining: 7, ok: true },
    ]);
  });

  it('refuses planning more than remains, naming the skill and what remains; nothing written', async () => {
    const first = await draft();
    expect((await addAction(first.id, action(1, 9))).status).toBe(201);
    const second = await draft('048017');
    const res = await addAction(second.id, action(1, 4));
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('Big data');
    expect(res.body.detail).toContain('restano 3 posti');
    expect(res.body.errors[0].pointer).toBe('body/participants');
    // In English, the territory by its English name as the skill already was.
    const en = await addAction(second.id, action(1, 4)).set('Accept-Language', 'en');
    expect(en.body.detail).toBe(
      'The participants planned for “Big data and data analysis” exceed the need declared in Florence: 3 places remain.',
    );
    const after = await t.db
      .selectFrom('pacts')
      .select('revision')
      .where('id', '=', second.id)
      .executeTakeFirstOrThrow();
    expect(after.revision).toBe(1);
    expect(await plannedIn(s.campaign.id)).toBe(9);
    // Within what remains it passes.
    expect((await addAction(second.id, action(1, 3))).status).toBe(201);
  });

  it('page form: 409 next to participants, the typed values kept', async () => {
    const pact = await draft();
    const agent = await loginAs(app, s.authority.email, s.password);
    const res = await submitForm(
      agent,
      `/pacts/${pact.id}/actions/new`,
      {
        ...action(1, 13),
        skills: ['F40.a'],
        revision: '1',
        participants: '13',
        hours: '20',
        eqfLevel: '4',
        description: '',
        provider: '',
      } as never,
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('id="error-participants"');
    expect(res.text).toContain('restano 12 posti');
    expect(res.text).toContain('value="13"');
  });

  it('never reveals a suppressed need: the error, "remaining", or which numbers pass', async () => {
    const pact = await draft('048017');
    // DC1.1 in Firenze is protected for the authority (5 workers, under k firms). Were the plan
    // checked against it, trying participants one after another would measure it: any plan on
    // it is refused alike, above the need (6) and within it (2), and nothing is written.
    const over = await addAction(pact.id, action(1, 6, ['DC1.1']));
    const within = await addAction(pact.id, action(1, 2, ['DC1.1']));
    expect(over.status).toBe(409);
    expect(within.status).toBe(409);
    expect(within.body.detail).toBe(over.body.detail);
    expect(over.body.detail).toContain('dato protetto');
    expect(over.body.detail).not.toMatch(/\d/);
    expect(over.body.errors[0].pointer).toBe('body/participants');
    expect(await plannedIn(s.campaign.id)).toBe(0);
    // A published need of the same comune is planned as before.
    expect((await addAction(pact.id, action(1, 2))).status).toBe(201);
    // An action planned before this rule (seeded): its backing shows no number to the authority.
    const old = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      territory: '048017',
      actions: [{ skills: ['DC1.1'], participants: 2 }],
    });
    const view = await request(app)
      .get(`/api/v1/pacts/${old.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(view.body.actions[0].backing[0]).toMatchObject({
      skill: 'DC1.1',
      declared: null,
      remaining: null,
    });
    const page = await (await loginAs(app, s.authority.email, s.password)).get(`/pacts/${old.id}`);
    expect(page.text).toContain('<em>protetto</em>');
    // The region sees the real figures.
    const regionToken = await s.token(s.region.id);
    const forRegion = await request(app)
      .get(`/api/v1/pacts/${old.id}`)
      .set('Authorization', `Bearer ${regionToken}`);
    expect(forRegion.body.actions[0].backing[0]).toMatchObject({ declared: 5, remaining: 3 });
  });

  it('says a skill no firm declared has no need, never that its figure is protected', async () => {
    // F40.c: no firm of the campaign declared it; nothing is hidden, there is simply no need.
    const pact = await draft('048017');
    const refused = await addAction(pact.id, action(1, 2, ['F40.c']));
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('non hanno dichiarato alcun fabbisogno');
    expect(refused.body.detail).not.toContain('protetto');
    expect(refused.body.errors[0].pointer).toBe('body/participants');
    expect(await plannedIn(s.campaign.id)).toBe(0);
    // An action planned on it before (the need withdrawn since): 0 declared, not "protected".
    const old = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      territory: '048017',
      actions: [{ skills: ['F40.c'], participants: 2 }],
    });
    const view = await request(app)
      .get(`/api/v1/pacts/${old.id}`)
      .set('Authorization', `Bearer ${token}`);
    expect(view.body.actions[0].backing[0]).toMatchObject({
      skill: 'F40.c',
      declared: 0,
      remaining: -2,
      ok: false,
    });
    const agent = await loginAs(app, s.authority.email, s.password);
    const page = await agent.get(`/pacts/${old.id}`);
    expect(page.text).toContain('<em>nessun fabbisogno dichiarato</em>');
    expect(page.text).not.toContain('<em>protetto</em>');
    const form = await agent.get(`/pacts/${old.id}/actions/${old.actions[0]!.id}/edit?lang=en`);
    expect(form.text).toMatch(/\(F40\.c\) ·\s*no need declared</);
    expect(form.text).toMatch(/\(DC1\.1\) ·\s*protected</);
  });

  it('counts every level up to the campaign: a sub-territory pact and a province pact share the need', async () => {
    const comune = await draft('048017');
    expect((await addAction(comune.id, action(1, 10))).status).toBe(201);
    const province = await draft('ITI14');
    const res = await addAction(province.id, action(1, 3));
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('restano 2 posti');
  });

  it('releases the need of a withdrawn pact', async () => {
    const a = await draft();
    expect((await addAction(a.id, action(1, 12))).status).toBe(201);
    const b = await draft();
    expect((await addAction(b.id, action(1, 1))).status).toBe(409);
    const withdraw = () =>
      request(app).post(`/api/v1/pacts/${a.id}/withdraw`).set('Authorization', `Bearer ${token}`);
    const w = await withdraw();
    expect([w.status, w.body]).toEqual([200, { from: 'draft', to: 'withdrawn', repeated: false }]);
    expect((await addAction(b.id, action(1, 12))).status).toBe(201);
    // A retry after a timeout: withdrawn already, said so; the audit records it once.
    const again = await withdraw();
    expect([again.status, again.body]).toEqual([
      200,
      { from: 'withdrawn', to: 'withdrawn', repeated: true },
    ]);
    const withdrawals = await t.db
      .selectFrom('pact_audit')
      .select('seq')
      .where('pact_id', '=', a.id)
      .where('event', '=', 'withdraw')
      .execute();
    expect(withdrawals).toHaveLength(1);
  });

  it('lets a plan shrink even when it is over the need (firms amended since)', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ skills: ['F40.a'], participants: 15 }],
    });
    const id = pact.actions[0]!.id;
    const put = (revision: number, participants: number) =>
      request(app)
        .put(`/api/v1/pacts/${pact.id}/actions/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .send(action(revision, participants));
    expect((await put(1, 14)).status).toBe(200);
    const grow = await put(2, 16);
    expect(grow.status).toBe(409);
    expect(grow.body.detail).toContain('superano il fabbisogno');
    // The skill named in the message's language, not in the taxonomy's default (English) name.
    expect(grow.body.detail).toContain('«Big data e analisi dei dati»');
    // A stale revision is refused before anything else, said as the API says it.
    expect((await put(1, 13)).body.detail).toContain('non alla 1 indicata in «revision»');
  });

  it('two pacts competing for the last places in parallel: exactly one wins', async () => {
    const pacts = await Promise.all([draft(), draft('048017'), draft(), draft('048017')]);
    const results = await Promise.all(pacts.map((p) => addAction(p.id, action(1, 7))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409))
      expect(r.body.detail).toContain('restano 5 posti');
    expect(await plannedIn(s.campaign.id)).toBe(7);
  });
});
