import request from 'supertest';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { postStep, reachNeeds, submitLines } from './flow';
import { newColleague } from '../notifications/helpers';
import {
  addDays,
  needLine,
  needsBody,
  newCampaign,
  newFirmUser,
  readinessForm,
  versionOf,
} from './helpers';
import { romeToday } from '../../src/modules/survey/calendar';
import { formatDate } from '../../src/lib/format';
import { italianOnDay } from '../helpers/dates';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const versions = (campaignId: string, firmId: string) =>
  t.db
    .selectFrom('responses')
    .select(['id', 'version', 'status', 'workers_total'])
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .orderBy('version')
    .execute();

async function submittedFirm() {
  const { id, region } = await newCampaign(t.db);
  const firm = await newFirmUser(t.db, 40);
  const agent = await loginAs(testApp(t), firm.email, PASSWORD);
  await reachNeeds(agent, t.db, id, firm.organisationId);
  const res = await submitLines(agent, id, needsBody([needLine()]));
  expect(res.status).toBe(302);
  return { id, region, firm, agent };
}

/** The CSRF token and version of a page, to post later as a second tab would. */
async function formOf(agent: Agent, path: string) {
  const page = await agent.get(path);
  return {
    _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!,
    version: versionOf(page.text),
  };
}

describe('a questionnaire step sent twice (a double click whose first answer the browser drops)', () => {
  const draftOf = (campaignId: string, firmId: string) =>
    t.db
      .selectFrom('response_drafts')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('firm_id', '=', firmId)
      .executeTakeFirstOrThrow();

  it.each([
    ['next on the readiness step', 2, () => ({ action: 'next', ...readinessForm }), '/step/3'],
    [
      'next on the needs step',
      3,
      () => ({ action: 'next', ...needsBody([needLine()]) }),
      '/step/4',
    ],
    ['add a line', 3, () => ({ action: 'add', ...needsBody([needLine()]) }), '/step/3#lines'],
  ])('%s: lands like one click, saved once', async (_name, step, body, landing) => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const form = await formOf(agent, `/survey/${id}/step/${step}`);
    const post = () =>
      agent
        .post(`/survey/${id}/step/${step}`)
        .type('form')
        .send({ ...form, ...body() });
    const first = await post();
    const second = await post();
    expect(first.headers.location).toBe(`/survey/${id}${landing}`);
    expect([second.status, second.headers.location]).toEqual([
      first.status,
      first.headers.location,
    ]);
    const draft = await draftOf(id, firm.organisationId);
    expect(draft.version).toBe(Number(form.version) + 1);
    if (step === 3)
      expect((draft.payload as { needs: unknown[] }).needs).toHaveLength(
        body().action === 'add' ? 2 : 1,
      );
  });

  /** Step 1's fields as the firm's stored profile fills them, changed as `overrides` say. */
  const profileStep = async (firmId: string, overrides: Record<string, string> = {}) => {
    const f = await t.db
      .selectFrom('firms')
      .selectAll()
      .where('organisation_id', '=', firmId)
      .executeTakeFirstOrThrow();
    return {
      legalName: f.legal_name,
      vatNumber: f.vat_number!,
      naceDivision: f.nace_division!,
      employees: String(f.employees),
      territoryCode: f.territory_code!,
      contactName: f.contact_name!,
      contactEmail: f.contact_email!,
      contactPhone: f.contact_phone ?? '',
      ...overrides,
    };
  };

  it.each([
    ['next', (id: string) => `/survey/${id}/step/2`],
    ['save', () => '/'],
  ])(
    "'%s' on the profile step (every firm's first): lands like one click, saved once",
    async (action, landing) => {
      const { id } = await newCampaign(t.db);
      const firm = await newFirmUser(t.db, 40);
      const agent = await loginAs(testApp(t), firm.email, PASSWORD);
      const form = await formOf(agent, `/survey/${id}/step/1`);
      const body = {
        ...form,
        action,
        ...(await profileStep(firm.organisationId, { contactName: 'Anna Verdi' })),
      };
      const first = await agent.post(`/survey/${id}/step/1`).type('form').send(body);
      const second = await agent.post(`/survey/${id}/step/1`).type('form').send(body);
      expect([first.status, first.headers.location]).toEqual([302, landing(id)]);
      expect([second.status, second.headers.location]).toEqual([302, landing(id)]);
      const draft = await draftOf(id, firm.organisationId);
      expect(draft.version).toBe(Number(form.version) + 1);
      expect(draft.step).toBe(2);
      expect((await profileStep(firm.organisationId)).contactName).toBe('Anna Verdi');
    },
  );

  it("'save' on an unfinished profile step: lands like one click, kept in the draft once", async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const form = await formOf(agent, `/survey/${id}/step/1`);
    const body = {
      ...form,
      action: 'save',
      ...(await profileStep(firm.organisationId, { employees: '' })),
    };
    const first = await agent.post(`/survey/${id}/step/1`).type('form').send(body);
    const second = await agent.post(`/survey/${id}/step/1`).type('form').send(body);
    expect([first.status, first.headers.location]).toEqual([302, '/']);
    expect([second.status, second.headers.location]).toEqual([302, '/']);
    const draft = await draftOf(id, firm.organisationId);
    expect(draft.version).toBe(Number(form.version) + 1);
    expect((draft.payload as { profile: { employees: string } }).profile.employees).toBe('');
  });

  it('the profile step sent again saying something else than was saved is refused as out of date', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const form = await formOf(agent, `/survey/${id}/step/1`);
    const post = (overrides: Record<string, string>) =>
      profileStep(firm.organisationId, overrides).then((fields) =>
        agent
          .post(`/survey/${id}/step/1`)
          .type('form')
          .send({ ...form, action: 'next', ...fields }),
      );
    expect((await post({ contactName: 'Anna Verdi' })).status).toBe(302);
    const other = await post({ contactName: 'Marco Neri' });
    expect(other.status).toBe(409);
    expect((await profileStep(firm.organisationId)).contactName).toBe('Anna Verdi');
  });

  it('sent again after a change in between is still refused as out of date', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const form = await formOf(agent, `/survey/${id}/step/2`);
    const body = { ...form, action: 'next', ...readinessForm };
    expect((await agent.post(`/survey/${id}/step/2`).type('form').send(body)).status).toBe(302);
    await postStep(agent, `/survey/${id}/step/2`, { action: 'next', ...readinessForm, data: '1' });
    const again = await agent.post(`/survey/${id}/step/2`).type('form').send(body);
    expect(again.status).toBe(409);
  });
});

describe('a stale form', () => {
  it('is refused with 409, field-level messages and the input kept; nothing is written', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const tabA = await formOf(agent, `/survey/${id}/step/2`);
    const tabB = await formOf(agent, `/survey/${id}/step/2`);
    const a = await agent
      .post(`/survey/${id}/step/2`)
      .type('form')
      .send({ ...tabA, action: 'next', ...readinessForm, strategy: '5' });
    expect(a.status).toBe(302);
    const b = await agent
      .post(`/survey/${id}/step/2`)
      .type('form')
      .send({ ...tabB, action: 'next', ...readinessForm, strategy: '1' });
    expect(b.status).toBe(409);
    expect(b.text).toContain('modificato in un&#x27;altra finestra');
    expect(b.text).toContain('href="#field-strategy"');
    expect(b.text).toContain('Nell&#x27;altra finestra è stato salvato: «5»');
    expect(b.text).toMatch(/id="field-strategy-1" value="1" checked/);
    // The page now carries the current version: sending it again overwrites deliberately.
    expect(versionOf(b.text)).toBe(String(Number(tabB.version) + 1));
    const draft = await t.db
      .selectFrom('response_drafts')
      .select('payload')
      .where('campaign_id', '=', id)
      .where('firm_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect((draft.payload as { readiness: { strategy: string } }).readiness.strategy).toBe('5');
  });
});

describe('a form from a tab drawn before the answer was sent', () => {
  it('is refused with 409 saying the answer was sent meanwhile; nothing is written', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const staleTab = await formOf(agent, `/survey/${id}/step/3`);
    const sent = await submitLines(agent, id, needsBody([needLine()]));
    expect(sent.status).toBe(302);
    const res = await agent
      .post(`/survey/${id}/step/3`)
      .type('form')
      .send({ ...staleTab, action: 'next', ...needsBody([needLine({ workers: '9' })]) });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Questa pagina non era aggiornata');
    expect(res.text).toMatch(
      /la risposta è stata inviata, forse da un&#x27;altra finestra o scheda: versione 1, (il |l&#x27;)\d/,
    );
    expect(res.text).toContain('Quello che hai scritto in questa pagina non è stato salvato.');
    expect(res.text).toContain(`href="/survey/${id}/receipt"`);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ version: 1, status: 'current', workers_total: 5 }),
    ]);
    const draft = await t.db
      .selectFrom('response_drafts')
      .select(['payload', 'state'])
      .where('campaign_id', '=', id)
      .where('firm_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(draft.state).toBe('submitted');
    expect((draft.payload as { needs: { workers: string }[] }).needs[0]!.workers).toBe('5');
  });

  it('says so when the answer was withdrawn meanwhile', async () => {
    const { id, firm, agent } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    const staleTab = await formOf(agent, `/survey/${id}/step/1`);
    await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/versions/${v1!.id}/withdraw`);
    const res = await agent
      .post(`/survey/${id}/step/1`)
      .type('form')
      .send({ ...staleTab, action: 'next', legalName: 'Altro nome S.r.l.' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('la risposta (versione 1) è stata ritirata');
    expect(res.text).toContain('scegli «Invia di nuovo»');
  });
});

describe('POST /survey/:campaignId/submit from a stale review page', () => {
  it('sent again by the same user (a double click, a second tab): lands like one click, one version', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
    const form = await formOf(agent, `/survey/${id}/step/4`);
    const first = await agent.post(`/survey/${id}/submit`).type('form').send(form);
    const second = await agent.post(`/survey/${id}/submit`).type('form').send(form);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.location).toBe(`/survey/${id}/receipt`);
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.text).toContain('versione 1');
    expect(receipt.text).not.toContain('Questa pagina non era aggiornata');
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ version: 1, status: 'current' }),
    ]);
  });

  it('after a colleague sent it: 409, the version already sent named, nothing new', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
    const tabA = await formOf(agent, `/survey/${id}/step/4`);
    const tabB = await formOf(agent, `/survey/${id}/step/4`);
    expect((await agent.post(`/survey/${id}/submit`).type('form').send(tabB)).status).toBe(302);
    // As if a colleague of the firm had sent it from their own computer.
    const colleague = await newColleague(t.db, firm);
    await t.db
      .updateTable('responses')
      .set({ submitted_by: colleague.id })
      .where('campaign_id', '=', id)
      .execute();
    const res = await agent.post(`/survey/${id}/submit`).type('form').send(tabA);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Questa pagina non era aggiornata');
    expect(res.text).toMatch(/versione 1, (il |l&#x27;)\d/);
    expect(res.text).toContain('Il tuo invio da questa pagina non è stato registrato.');
    expect(await versions(id, firm.organisationId)).toHaveLength(1);
  });

  it('after a change in another tab: 409, nothing sent, a link to the updated review', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
    const review = await formOf(agent, `/survey/${id}/step/4`);
    await postStep(agent, `/survey/${id}/step/3`, {
      action: 'next',
      ...needsBody([needLine({ workers: '7' })]),
    });
    const res = await agent.post(`/survey/${id}/submit?lang=en`).type('form').send(review);
    expect(res.status).toBe(409);
    expect(res.text).toContain('This page was out of date');
    expect(res.text).toContain('Meanwhile the questionnaire was changed in another window or tab.');
    expect(res.text).toContain('Your submission from this page was not recorded.');
    expect(res.text).toContain(`href="/survey/${id}/step/4"`);
    expect(await versions(id, firm.organisationId)).toEqual([]);
  });
});

describe('POST /survey/:campaignId/submit', () => {
  it('from two tabs at once makes exactly one version', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const app = testApp(t);
    const agent = await loginAs(app, firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await postStep(agent, `/survey/${id}/step/3`, { action: 'next', ...needsBody([needLine()]) });
    const form = await formOf(agent, `/survey/${id}/step/4`);
    const [a, b] = await Promise.all([
      agent.post(`/survey/${id}/submit`).type('form').send(form),
      agent.post(`/survey/${id}/submit`).type('form').send(form),
    ]);
    // The second is the same submission: it lands on the receipt as the first.
    expect([a.status, b.status]).toEqual([302, 302]);
    expect(b.headers.location).toBe(a.headers.location);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ version: 1, status: 'current' }),
    ]);
  });

  it('is amended into version 2, the first kept as superseded', async () => {
    const { id, firm, agent } = await submittedFirm();
    const amend = await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    expect(amend.headers.location).toBe(`/survey/${id}/step/1`);
    const step3 = await agent.get(`/survey/${id}/step/3`);
    expect(step3.status).toBe(302); // the firm resumes from step 1 after amending
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const page = await agent.get(`/survey/${id}/step/3`);
    expect(page.text).toContain('value="5"'); // lines start from the submitted version
    const res = await submitLines(
      agent,
      id,
      needsBody([needLine({ workers: '8' }), needLine({ skill: 'DC1.1' })]),
    );
    expect(res.status).toBe(302);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ version: 1, status: 'superseded', workers_total: 5 }),
      expect.objectContaining({ version: 2, status: 'current', workers_total: 13 }),
    ]);
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.text).toContain('2 — valida');
    expect(receipt.text).toContain('v1</a>');
  });

  it('is withdrawn: kept, marked withdrawn, nothing current', async () => {
    const { id, firm, agent } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    const res = await postStep(
      agent,
      `/survey/${id}/receipt`,
      {},
      `/survey/${id}/versions/${v1!.id}/withdraw`,
    );
    expect(res.status).toBe(302);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ version: 1, status: 'withdrawn' }),
    ]);
    const home = await agent.get('/');
    expect(home.text).toContain('data-answer="withdrawn"');
  });

  it('is withdrawn once when the confirmation is sent twice, the second landing like the first', async () => {
    const { id, firm, agent } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    const path = `/survey/${id}/versions/${v1!.id}/withdraw`;
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get(path)).text)![1]!;
    const first = await agent.post(path).type('form').send({ _csrf: csrf });
    const second = await agent.post(path).type('form').send({ _csrf: csrf });
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(`/survey/${id}/receipt`);
    expect((await agent.get(`/survey/${id}/receipt`)).text).toContain('Risposta ritirata.');
    const [row] = await versions(id, firm.organisationId);
    expect(row).toMatchObject({ version: 1, status: 'withdrawn' });
  });

  it('is withdrawn only after a confirmation page that says what withdrawing does', async () => {
    const { id, firm, agent } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    const confirmPath = `/survey/${id}/versions/${v1!.id}/withdraw`;
    const receipt = await agent.get(`/survey/${id}/receipt`);
    // The receipt links to the question; no button there withdraws at once.
    expect(receipt.text).toContain(`href="${confirmPath}"`);
    expect(receipt.text).not.toContain(`action="${confirmPath}"`);
    const page = await agent.get(confirmPath);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Vuoi ritirare la risposta?');
    expect(page.text).toContain('Stai per ritirare la versione 1 della risposta');
    expect(page.text).toContain('ma non conta più');
    expect(page.text).toContain(`href="/survey/${id}/receipt"`);
    expect(page.text).toMatch(new RegExp(`<form method="post" action="${confirmPath}"`));
    // Looking at the question changes nothing.
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ status: 'current' }),
    ]);
    const res = await submitForm(agent, confirmPath, {});
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/survey/${id}/receipt`);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ status: 'withdrawn' }),
    ]);
    // Once withdrawn, the question is not asked again: back to the receipt.
    expect((await agent.get(confirmPath)).headers.location).toBe(`/survey/${id}/receipt`);
  });

  it('answering again after a withdrawal is not shown as a change to the withdrawn version', async () => {
    const { id, firm, agent } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/versions/${v1!.id}/withdraw`);
    const again = await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    expect(again.status).toBe(302);
    const home = await agent.get('/');
    expect(home.text).toContain('data-answer="resubmitting"');
    expect(home.text).toContain('Ritirata (versione 1), nuova risposta in corso');
    expect(home.text).not.toContain('modifica in corso');
  });

  it('cannot amend after the campaign closed', async () => {
    const { id, agent } = await submittedFirm();
    await t.db
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: new Date() })
      .where('id', '=', id)
      .execute();
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.text).not.toContain(`/survey/${id}/amend`);
    const res = await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    expect(res.status).toBe(409);
  });
});

describe('a survey closed while the firm was changing its answer', () => {
  const close = (id: string) =>
    t.db
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: new Date('2026-12-01T10:00:00Z') })
      .where('id', '=', id)
      .execute();

  it('says on the home page that the change was not sent, and leads to the receipt', async () => {
    const { id, agent } = await submittedFirm();
    await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    await close(id);
    const home = await agent.get('/');
    const row = new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*/survey/${id}/receipt[\\s\\S]*?</tr>`).exec(
      home.text,
    )?.[0];
    // It read "Inviata (versione 1), modifica in corso", "chiude il" a date to come, and had no
    // link at all: the receipt could not be reached from home.
    expect(row).toBeDefined();
    expect(row).toContain('chiusa il 1º dicembre 2026');
    expect(row).toContain('Inviata (versione 1): la modifica non è stata inviata');
    const receipt = await agent.get(`/survey/${id}/receipt`);
    expect(receipt.status).toBe(200);
    // It offered "Riprendi la compilazione", a link to a 409 page.
    expect(receipt.text).not.toContain('Riprendi la compilazione');
    expect(receipt.text).toContain(
      'L&#x27;indagine si è chiusa prima che la modifica fosse inviata: conta la versione qui sotto.',
    );
    const en = await agent.get('/?lang=en');
    expect(en.text).toContain('Submitted (version 1): the change was not submitted');
    expect(en.text).toContain('closed on 1 December 2026');
  });

  it('says a draft never sent was not sent, not "in progress"', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    await close(id);
    const home = await agent.get('/');
    expect(home.text).toContain('data-answer="draft"');
    expect(home.text).toContain('Non inviata: l&#x27;indagine si è chiusa prima dell&#x27;invio');
    expect(home.text).not.toContain('Bozza in corso');
  });

  it('says a survey the firm never began was not answered, not "not started"', async () => {
    const { id } = await newCampaign(t.db);
    const title = (
      await t.db
        .selectFrom('campaigns')
        .select('title')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).title;
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await close(id);
    const rowOf = (html: string) =>
      new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*?${title}[\\s\\S]*?</tr>`).exec(html)?.[0];
    // It read "Chiusa · Non iniziata", as if the firm could still begin it.
    const row = rowOf((await agent.get('/')).text);
    expect(row).toContain('data-answer="not_started"');
    expect(row).toContain('Nessuna risposta: l&#x27;indagine si è chiusa');
    expect(row).not.toContain('Non iniziata');
    expect(rowOf((await agent.get('/?lang=en')).text)).toContain(
      'Not answered: the survey has closed',
    );
  });
});

describe('a survey not yet open', () => {
  it('says on the home page when it opens, not only when it closes', async () => {
    const opensAt = addDays(romeToday(), 10);
    const { id } = await newCampaign(t.db, { opensAt });
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const home = await agent.get('/');
    const row = new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*?Programmata[\\s\\S]*?</tr>`).exec(
      home.text,
    )?.[0];
    // It read "chiude il …" and "Programmata (non ancora aperta)": the firm could not tell when
    // to come back.
    expect(row).toContain(italianOnDay(`apre il ${formatDate(opensAt, 'it', { style: 'long' })}`));
    expect(row).not.toContain(`/survey/${id}`);
    const en = await agent.get('/?lang=en');
    expect(en.text).toContain(`opens on ${formatDate(opensAt, 'en', { style: 'long' })}`);
  });
});

describe("another firm's response", () => {
  it('is not found: neither its receipt, nor withdrawing it', async () => {
    const { id, firm } = await submittedFirm();
    const [v1] = await versions(id, firm.organisationId);
    const other = await newFirmUser(t.db, 10);
    const app = testApp(t);
    const spy = await loginAs(app, other.email, PASSWORD);
    expect((await spy.get(`/survey/${id}/versions/${v1!.id}`)).status).toBe(404);
    await spy.get(`/survey/${id}`); // a draft of its own, for a CSRF token
    const res = await postStep(
      spy,
      `/survey/${id}/step/1`,
      {},
      `/survey/${id}/versions/${v1!.id}/withdraw`,
    );
    expect(res.status).toBe(404);
    expect(await versions(id, firm.organisationId)).toEqual([
      expect.objectContaining({ status: 'current' }),
    ]);
    // Over the API too.
    const token = await request(app)
      .post('/api/v1/tokens')
      .send({ email: other.email, password: PASSWORD });
    const api = await request(app)
      .post(`/api/v1/responses/${v1!.id}/withdraw`)
      .set('Authorization', `Bearer ${token.body.token}`);
    expect(api.status).toBe(404);
  });
});

describe('before/after readiness', () => {
  it('shows the score of an earlier campaign beside the new one', async () => {
    const { id, firm, agent, region } = await submittedFirm();
    expect(id).toBeDefined();
    const later = await newCampaign(t.db, { region });
    await reachNeeds(agent, t.db, later.id, firm.organisationId);
    const step2 = await agent.get(`/survey/${later.id}/step/2`);
    expect(step2.text).toMatch(/la tua impresa aveva ottenuto 50\/100/);
    expect(step2.text).toContain('Punteggio complessivo: 50/100');
  });
});
