import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { errorSummary } from '../helpers/error-summary';
import { newColleague } from '../notifications/helpers';
import { postStep, reachNeeds, submitLines } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser } from './helpers';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());

const delegationsOf = (firmId: string) =>
  t.db.selectFrom('delegations').selectAll().where('firm_id', '=', firmId).execute();
const eventsOf = (delegationId: string) =>
  t.db
    .selectFrom('delegation_events')
    .select(['kind', 'actor_id', 'response_id'])
    .where('delegation_id', '=', delegationId)
    .orderBy('id')
    .execute();

async function setting() {
  const firm = await newFirmUser(t.db, 40);
  const partner = await newUser(t.db, {
    role: 'social_partner',
    organisation: `Confindustria ${firm.id.slice(0, 6)}`,
  });
  const firmAgent = await loginAs(app, firm.email, PASSWORD);
  const partnerAgent = await loginAs(app, partner.email, PASSWORD);
  return { firm, partner, firmAgent, partnerAgent };
}

async function grant(agent: Agent, associationId: string) {
  return submitForm(agent, '/delegations', { associationId });
}

describe('granting a delegation', () => {
  it('lists the associations covering the firm and records who granted it, and when', async () => {
    const { firm, partner, firmAgent } = await setting();
    const page = await firmAgent.get('/delegations');
    expect(page.status).toBe(200);
    // The firm is addressed as "tu", as everywhere else, not as "voi".
    expect(page.text).toContain('Puoi delegare un&#x27;associazione datoriale');
    expect(page.text).not.toMatch(/\b(vostr[aoie]|[Pp]otete|voi|cercatene)\b/);
    // "as training funds allow" read as "as far as the money goes": it is the fondi
    // interprofessionali, the joint funds whose rules allow a delegation.
    const en = await firmAgent.get('/delegations?lang=en');
    expect(en.text).toContain('as the joint inter-professional training funds allow');
    await firmAgent.get('/delegations?lang=it');
    expect(page.text).toContain(partner.organisationName);
    const res = await grant(firmAgent, partner.organisationId);
    expect(res.status).toBe(302);
    const [d] = await delegationsOf(firm.organisationId);
    expect(d).toMatchObject({ association_id: partner.organisationId, granted_by: firm.id });
    expect(d!.revoked_at).toBeNull();
    expect(await eventsOf(d!.id)).toEqual([
      { kind: 'granted', actor_id: firm.id, response_id: null },
    ]);
    // The association's users are told.
    const notes = await t.db
      .selectFrom('notifications')
      .select('kind')
      .where('user_id', '=', partner.id)
      .execute();
    expect(notes.map((n) => n.kind)).toEqual(['delegation_granted']);
  });

  it('finds an association by name', async () => {
    const { partner, firmAgent } = await setting();
    const page = await firmAgent.get(
      `/delegations?q=${encodeURIComponent(partner.organisationName.slice(0, 18))}`,
    );
    expect(page.text).toContain(partner.organisationName);
  });

  it('refuses a trade union, a firm and a made-up id; nothing is written', async () => {
    const { firm, firmAgent } = await setting();
    const union = await newUser(t.db, { role: 'social_partner', partnerType: 'trade_union' });
    const otherFirm = await newFirmUser(t.db);
    for (const id of [union.organisationId, otherFirm.organisationId, crypto.randomUUID()]) {
      const res = await grant(firmAgent, id);
      expect(res.status).toBe(422);
      expect(res.text).toContain('Si può delegare solo un&#x27;associazione datoriale');
    }
    const bad = await grant(firmAgent, 'not-an-id');
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual([
      {
        href: '#field-associationId',
        text: "Associazione datoriale: Scegli un'associazione dall'elenco.",
      },
    ]);
    expect(bad.text).toContain('Scegli un&#x27;associazione');
    expect(await delegationsOf(firm.organisationId)).toEqual([]);
  });

  it('lands a double click on the page like the first click, one delegation made', async () => {
    const { firm, partner, firmAgent } = await setting();
    await grant(firmAgent, partner.organisationId);
    const again = await grant(firmAgent, partner.organisationId);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe('/delegations');
    const page = await firmAgent.get('/delegations');
    expect(page.text).toContain('Delega concessa.');
    expect(page.text).not.toContain('Ci sono errori nel modulo');
    expect(await delegationsOf(firm.organisationId)).toHaveLength(1);
    // A colleague who grants it again is told it is already in force, nothing more.
    const colleague = await newColleague(t.db, firm);
    const { password_hash } = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', firm.id)
      .executeTakeFirstOrThrow();
    await t.db.updateTable('users').set({ password_hash }).where('id', '=', colleague.id).execute();
    const other = await loginAs(app, colleague.email, PASSWORD);
    const third = await grant(other, partner.organisationId);
    expect(third.status).toBe(302);
    const seen = await other.get('/delegations');
    expect(seen.text).toContain('Questa associazione ha già una delega attiva della tua impresa.');
    expect(seen.text).not.toContain('Delega concessa.');
    const [d] = await delegationsOf(firm.organisationId);
    expect((await eventsOf(d!.id)).map((e) => e.kind)).toEqual(['granted']);
  });
});

describe('acting under a delegation', () => {
  it('tells an association with no delegation yet how a firm gives one', async () => {
    const { partnerAgent } = await setting();
    const page = await partnerAgent.get('/delegated-firms');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nessuna impresa ha ancora delegato la tua associazione.');
    expect(page.text).toContain('dalla propria pagina «Deleghe»');
    expect(page.text).toContain('riceverai una notifica');
  });

  it('lets the association fill in and submit; the receipt says who, for whom, under which delegation', async () => {
    const { firm, partner, firmAgent, partnerAgent } = await setting();
    const { id, region } = await newCampaign(t.db);
    // Without a delegation the firm's pages are not found.
    expect((await partnerAgent.get(`/survey/${id}?firm=${firm.organisationId}`)).status).toBe(404);
    await grant(firmAgent, partner.organisationId);
    const list = await partnerAgent.get('/delegated-firms');
    expect(list.text).toContain(`/delegated-firms/${firm.organisationId}`);
    const firmPage = await partnerAgent.get(`/delegated-firms/${firm.organisationId}`);
    expect(firmPage.text).toContain(`/survey/${id}?firm=${firm.organisationId}`);
    // The surveys are the firm's territory's, not the association's ('del tuo territorio').
    expect(firmPage.text).toContain('Indagini del territorio dell&#x27;impresa');
    expect(firmPage.text).not.toContain('del tuo territorio');
    expect(firmPage.text).toContain(
      '<th scope="col">Stato dell&#x27;indagine</th><th scope="col">Risposta dell&#x27;impresa</th>',
    );

    const suffix = `?firm=${firm.organisationId}`;
    // Step 1 speaks of the firm by its name, not as the association's own ('la tua impresa').
    await partnerAgent.get(`/survey/${id}${suffix}`);
    const step1 = (await partnerAgent.get(`/survey/${id}/step/1${suffix}`)).text;
    expect(step1).toContain('Controlla i dati di Meccanica Test S.r.l.');
    expect(step1).not.toContain('della tua impresa');
    await reachNeeds(partnerAgent, t.db, id, firm.organisationId, suffix);
    // So do steps 2 and 3: 'la tua impresa', 'i tuoi lavoratori' were the association's own.
    const step2 = (await partnerAgent.get(`/survey/${id}/step/2${suffix}`)).text;
    expect(step2).toContain('indica quanto Meccanica Test S.r.l. è avanti');
    const step3 = (await partnerAgent.get(`/survey/${id}/step/3${suffix}`)).text;
    expect(step3).toContain(
      'le competenze che i lavoratori di Meccanica Test S.r.l. devono acquisire',
    );
    expect(step2 + step3).not.toMatch(/tua impresa|tuoi lavoratori/);
    expect((await firmAgent.get(`/survey/${id}/step/3`)).text).toContain('i tuoi lavoratori');
    // The declaration before submitting names the firm: the association does not declare that
    // the data refer to 'la tua impresa', its own.
    await postStep(partnerAgent, `/survey/${id}/step/3${suffix}`, {
      action: 'next',
      ...needsBody([needLine()]),
    });
    const review = (await partnerAgent.get(`/survey/${id}/step/4${suffix}`)).text;
    expect(review).toContain(
      'Inviando confermi che i dati sono veritieri e riferiti a Meccanica Test S.r.l., per la quale agisci su delega.',
    );
    expect(review).not.toContain('riferiti alla tua impresa');
    const ownReview = (await firmAgent.get(`/survey/${id}/step/4`)).text;
    expect(ownReview).toContain('riferiti alla tua impresa');
    const res = await submitLines(partnerAgent, id, needsBody([needLine()]), suffix);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/survey/${id}/receipt${suffix}`);

    const [d] = await delegationsOf(firm.organisationId);
    const r = await t.db
      .selectFrom('responses')
      .select(['id', 'submitted_by', 'delegation_id', 'firm_id'])
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(r).toMatchObject({
      submitted_by: partner.id,
      delegation_id: d!.id,
      firm_id: firm.organisationId,
    });
    const receipt = await partnerAgent.get(`/survey/${id}/receipt${suffix}`);
    expect(receipt.text).toContain(`di ${partner.organisationName} per conto di`);
    // The firm sees the same receipt, and the answer is its own.
    const own = await firmAgent.get(`/survey/${id}/receipt`);
    expect(own.text).toContain(partner.organisationName);
    // The region's view of the answer says so too.
    const regionAgent = await loginAs(app, region.email, PASSWORD);
    const view = await regionAgent.get(`/campaigns/${id}/responses/${r.id}`);
    expect(view.text).toContain(`di ${partner.organisationName} per conto di`);
    const kinds = (await eventsOf(d!.id)).map((e) => e.kind);
    expect(kinds[0]).toBe('granted');
    expect(kinds).toContain('draft_saved');
    expect(kinds.at(-1)).toBe('submitted');
    // The next survey recalls the firm's earlier score by its name, not as 'la tua impresa'.
    const later = await newCampaign(t.db, { region });
    await reachNeeds(partnerAgent, t.db, later.id, firm.organisationId, suffix);
    const again = (await partnerAgent.get(`/survey/${later.id}/step/2${suffix}`)).text;
    expect(again).toMatch(/Meccanica Test S\.r\.l\. aveva ottenuto \d+\/100/);
  });

  it('stops at once on revocation; the draft stays the firm’s', async () => {
    const { firm, partner, firmAgent, partnerAgent } = await setting();
    const { id } = await newCampaign(t.db);
    await grant(firmAgent, partner.organisationId);
    const suffix = `?firm=${firm.organisationId}`;
    // Step 1 speaks of the firm by its name, not as the association's own ('la tua impresa').
    await partnerAgent.get(`/survey/${id}${suffix}`);
    const step1 = (await partnerAgent.get(`/survey/${id}/step/1${suffix}`)).text;
    expect(step1).toContain('Controlla i dati di Meccanica Test S.r.l.');
    expect(step1).not.toContain('della tua impresa');
    await reachNeeds(partnerAgent, t.db, id, firm.organisationId, suffix);
    const [d] = await delegationsOf(firm.organisationId);
    // A form the association drew before the revocation.
    const stale = await partnerAgent.get(`/survey/${id}/step/3${suffix}`);
    expect(stale.status).toBe(200);
    const rev = await submitForm(firmAgent, '/delegations', {}, `/delegations/${d!.id}/revoke`);
    expect(rev.status).toBe(302);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(stale.text)![1]!;
    const post = await partnerAgent
      .post(`/survey/${id}/step/3${suffix}`)
      .type('form')
      .send({ _csrf: csrf, version: '99', action: 'next', ...needsBody([needLine()]) });
    expect(post.status).toBe(404);
    // The association learns why: it was delegated, and told of the revocation.
    const why =
      'Non puoi più agire per Meccanica Test S.r.l.: l&#x27;impresa ha revocato la delega alla tua associazione.';
    expect(post.text).toContain(why);
    const firmPage = await partnerAgent.get(`/delegated-firms/${firm.organisationId}`);
    expect(firmPage.status).toBe(404);
    expect(firmPage.text).toContain(why);
    // Another association, never delegated, learns nothing.
    const other = await newUser(t.db, { role: 'social_partner' });
    const otherAgent = await loginAs(app, other.email, PASSWORD);
    const nothing = await otherAgent.get(`/delegated-firms/${firm.organisationId}`);
    expect(nothing.status).toBe(404);
    expect(nothing.text).not.toContain('revocato');
    const [after] = await delegationsOf(firm.organisationId);
    expect(after!.revoked_by).toBe(firm.id);
    // The firm resumes where the association left off.
    const resume = await firmAgent.get(`/survey/${id}`);
    expect(resume.headers.location).toBe(`/survey/${id}/step/3`);
    const res = await submitLines(firmAgent, id, needsBody([needLine()]));
    expect(res.status).toBe(302);
    expect((await eventsOf(d!.id)).map((e) => e.kind)).toContain('revoked');
  });

  it('lets the association amend and withdraw, and nobody else', async () => {
    const { firm, partner, firmAgent, partnerAgent } = await setting();
    const { id } = await newCampaign(t.db);
    await grant(firmAgent, partner.organisationId);
    const suffix = `?firm=${firm.organisationId}`;
    // Step 1 speaks of the firm by its name, not as the association's own ('la tua impresa').
    await partnerAgent.get(`/survey/${id}${suffix}`);
    const step1 = (await partnerAgent.get(`/survey/${id}/step/1${suffix}`)).text;
    expect(step1).toContain('Controlla i dati di Meccanica Test S.r.l.');
    expect(step1).not.toContain('della tua impresa');
    await reachNeeds(partnerAgent, t.db, id, firm.organisationId, suffix);
    await submitLines(partnerAgent, id, needsBody([needLine()]), suffix);
    const r = await t.db
      .selectFrom('responses')
      .select('id')
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    // Another association, and the same one without naming the firm: not found.
    const other = await newUser(t.db, { role: 'social_partner' });
    const otherAgent = await loginAs(app, other.email, PASSWORD);
    expect((await otherAgent.get(`/survey/${id}/receipt${suffix}`)).status).toBe(404);
    expect((await partnerAgent.get(`/survey/${id}/receipt`)).status).toBe(404);
    // The confirmation speaks of the firm by its name: 'i tuoi fabbisogni', 'la tua impresa'
    // were the association's own.
    const confirm = decodeEntities(
      (await partnerAgent.get(`/survey/${id}/versions/${r.id}/withdraw${suffix}`)).text,
    );
    expect(confirm).toContain('i fabbisogni di Meccanica Test S.r.l. escono dai dati');
    expect(confirm).toContain('per questa indagine Meccanica Test S.r.l. risulta senza risposta');
    expect(confirm).not.toMatch(/tuoi fabbisogni|tua impresa/);
    const own = (await firmAgent.get(`/survey/${id}/versions/${r.id}/withdraw`)).text;
    expect(own).toContain('i tuoi fabbisogni escono dai dati');
    const w = await postStep(
      partnerAgent,
      `/survey/${id}/receipt${suffix}`,
      {},
      `/survey/${id}/versions/${r.id}/withdraw${suffix}`,
    );
    expect(w.status).toBe(302);
    const row = await t.db
      .selectFrom('responses')
      .select(['status', 'withdrawn_by'])
      .where('id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'withdrawn', withdrawn_by: partner.id });
    const a = await postStep(
      partnerAgent,
      `/survey/${id}/receipt${suffix}`,
      {},
      `/survey/${id}/amend${suffix}`,
    );
    expect(a.headers.location).toBe(`/survey/${id}/step/1${suffix}`);
  });
});

describe("the firm's inbox", () => {
  const kindsFor = (userId: string) =>
    t.db
      .selectFrom('notifications')
      .select(['kind', 'link'])
      .where('user_id', '=', userId)
      .where('kind', 'like', 'delegated_answer_%')
      .orderBy('created_at')
      .execute();

  it('tells the firm when its association sends or withdraws its answer, and nobody else', async () => {
    const { firm, partner, firmAgent, partnerAgent } = await setting();
    const { id } = await newCampaign(t.db);
    const { title } = await t.db
      .selectFrom('campaigns')
      .select('title')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // The grant form says the firm will be told.
    expect((await firmAgent.get('/delegations')).text).toContain(
      'Ogni risposta che invia o ritira per tuo conto ti viene notificata.',
    );
    await grant(firmAgent, partner.organisationId);
    const suffix = `?firm=${firm.organisationId}`;
    // Step 1 speaks of the firm by its name, not as the association's own ('la tua impresa').
    await partnerAgent.get(`/survey/${id}${suffix}`);
    const step1 = (await partnerAgent.get(`/survey/${id}/step/1${suffix}`)).text;
    expect(step1).toContain('Controlla i dati di Meccanica Test S.r.l.');
    expect(step1).not.toContain('della tua impresa');
    await reachNeeds(partnerAgent, t.db, id, firm.organisationId, suffix);
    // Saving drafts along the way tells nobody.
    expect(await kindsFor(firm.id)).toEqual([]);
    await submitLines(partnerAgent, id, needsBody([needLine()]), suffix);
    expect(await kindsFor(firm.id)).toEqual([
      { kind: 'delegated_answer_submitted', link: `/survey/${id}/receipt` },
    ]);
    const inbox = await firmAgent.get('/inbox');
    // The inbox says what a firm hears of there, not 'pacts and calls'.
    expect(inbox.text).toContain(
      'Le risposte alle indagini che un&#x27;associazione delegata invia o ritira per conto della tua impresa.',
    );
    expect(inbox.text).not.toContain('sui patti e sugli avvisi');
    expect(inbox.text).toContain(
      `${partner.organisationName} ha inviato per conto della tua impresa la risposta all&#x27;indagine «${title}».`,
    );
    const r = await t.db
      .selectFrom('responses')
      .select('id')
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    await postStep(
      partnerAgent,
      `/survey/${id}/receipt${suffix}`,
      {},
      `/survey/${id}/versions/${r.id}/withdraw${suffix}`,
    );
    expect((await kindsFor(firm.id)).map((n) => n.kind)).toEqual([
      'delegated_answer_submitted',
      'delegated_answer_withdrawn',
    ]);
    const en = await firmAgent.get('/inbox?lang=en');
    expect(en.text).toContain(
      `${partner.organisationName} withdrew your firm&#x27;s answer to the survey “${title}” on its behalf.`,
    );
    // The association is not told of its own acts.
    expect(await kindsFor(partner.id)).toEqual([]);
  });

  it('tells nobody when the firm answers itself', async () => {
    const { firm, firmAgent } = await setting();
    const { id } = await newCampaign(t.db);
    await reachNeeds(firmAgent, t.db, id, firm.organisationId);
    await submitLines(firmAgent, id, needsBody([needLine()]));
    expect(
      await t.db.selectFrom('responses').select('id').where('campaign_id', '=', id).execute(),
    ).toHaveLength(1);
    expect(await kindsFor(firm.id)).toEqual([]);
  });
});

describe('revoking', () => {
  it("answers 404 for another firm's delegation and changes nothing", async () => {
    const { firm, partner, firmAgent } = await setting();
    await grant(firmAgent, partner.organisationId);
    const [d] = await delegationsOf(firm.organisationId);
    const intruder = await newFirmUser(t.db);
    const agent = await loginAs(app, intruder.email, PASSWORD);
    const res = await submitForm(agent, '/delegations', {}, `/delegations/${d!.id}/revoke`);
    expect(res.status).toBe(404);
    const [after] = await delegationsOf(firm.organisationId);
    expect(after!.revoked_at).toBeNull();
  });

  it('lands a double click on the page like the first click, revoked once', async () => {
    const { firm, partner, firmAgent } = await setting();
    await grant(firmAgent, partner.organisationId);
    const [d] = await delegationsOf(firm.organisationId);
    // Each row's button names its association, for a screen reader's list of buttons.
    expect((await firmAgent.get('/delegations')).text).toContain(
      `Revoca<span class="visually-hidden"> ${partner.organisationName}</span></button>`,
    );
    const revoke = () => submitForm(firmAgent, '/delegations', {}, `/delegations/${d!.id}/revoke`);
    await revoke();
    const again = await revoke();
    expect(again.headers.location).toBe('/delegations');
    const page = await firmAgent.get('/delegations');
    expect(page.text).toContain('Delega revocata');
    expect(page.text).not.toContain('era già stata revocata');
    expect((await eventsOf(d!.id)).map((e) => e.kind)).toEqual(['granted', 'revoked']);
  });

  it('through the API, with grantDelegation and revokeDelegation', async () => {
    const { firm, partner } = await setting();
    const tok = await request(app)
      .post('/api/v1/tokens')
      .send({ email: firm.email, password: PASSWORD, name: 'api' });
    const auth = { Authorization: `Bearer ${tok.body.token as string}` };
    const g = await request(app)
      .post('/api/v1/delegations')
      .set(auth)
      .send({ associationId: partner.organisationId });
    expect([g.status, g.body.repeated]).toEqual([201, false]);
    // A retry after a timeout: granted already, answered as it stands, recorded once.
    const g2 = await request(app)
      .post('/api/v1/delegations')
      .set(auth)
      .send({ associationId: partner.organisationId });
    expect([g2.status, g2.body]).toEqual([200, { ...g.body, repeated: true }]);
    const r = await request(app).post(`/api/v1/delegations/${g.body.id}/revoke`).set(auth);
    expect(r.status).toBe(200);
    expect(r.body.revokedAt).not.toBeNull();
    const r2 = await request(app).post(`/api/v1/delegations/${g.body.id}/revoke`).set(auth);
    expect([r2.status, r2.body]).toEqual([200, { ...r.body, repeated: true }]);
    const [after] = await delegationsOf(firm.organisationId);
    expect(after!.revoked_by).toBe(firm.id);
    expect((await eventsOf(g.body.id as string)).map((e) => e.kind)).toEqual([
      'granted',
      'revoked',
    ]);
  });
});
