import request from 'supertest';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { newCall } from '../funding/helpers';
import { addDays, newCampaign } from './helpers';
import { pageText } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const stored = async (id: string) => ({
  ...(await t.db
    .selectFrom('campaigns')
    .select(['title', 'territory_code', 'opens_at', 'closes_at', 'readiness', 'status'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()),
  areas: (
    await t.db
      .selectFrom('campaign_skill_areas')
      .select('area_code')
      .where('campaign_id', '=', id)
      .orderBy('area_code')
      .execute()
  ).map((r) => r.area_code),
});

const edited = () => ({
  title: 'Fabbisogni digitali — Prato',
  territoryCode: 'ITI15',
  opensAt: addDays(romeToday(), 3),
  closesAt: addDays(romeToday(), 40),
  skillAreas: ['DC2', 'DC4'],
});

describe('POST /campaigns/:id/edit', () => {
  it('corrects a draft: every field, the areas replaced, the assessment left out', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const show = await agent.get(`/campaigns/${id}`);
    expect(show.text).toContain(`href="/campaigns/${id}/edit">Modifica la bozza</a>`);
    const form = await agent.get(`/campaigns/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`action="/campaigns/${id}/edit"`);
    expect(form.text).toMatch(/value="F40" id="field-skillAreas" checked/);
    expect(form.text).toContain('<option value="ITI1" selected>');
    const res = await submitForm(agent, `/campaigns/${id}/edit`, edited(), `/campaigns/${id}/edit`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/campaigns/${id}`);
    expect(await stored(id)).toEqual({
      title: 'Fabbisogni digitali — Prato',
      territory_code: 'ITI15',
      opens_at: edited().opensAt,
      closes_at: edited().closesAt,
      readiness: false,
      status: 'draft',
      areas: ['DC2', 'DC4'],
    });
    expect((await agent.get(`/campaigns/${id}`)).text).toContain(
      'Bozza dell&#x27;indagine aggiornata.',
    );
  });

  it('keeps what was typed and changes nothing on bad input', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    const before = await stored(id);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...edited(), title: 'x'.repeat(201), closesAt: '2020-01-01' };
    const res = await submitForm(agent, `/campaigns/${id}/edit`, body, `/campaigns/${id}/edit`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Titolo: Inserisci al massimo 200 caratteri');
    expect(res.text).toContain('value="2020-01-01"');
    expect(res.text).toContain('<option value="ITI15" selected>');
    const past = { ...edited(), opensAt: '2020-01-01', closesAt: '2020-02-01' };
    const late = await submitForm(agent, `/campaigns/${id}/edit`, past, `/campaigns/${id}/edit`);
    expect(late.status).toBe(422);
    expect(late.text).toContain('La data di chiusura è già passata');
    expect(late.text).toContain('value="Fabbisogni digitali — Prato"');
    expect(await stored(id)).toEqual(before);
  });

  it('refuses a survey already opened: the page leads back, the form is refused with 409', async () => {
    const { id, region } = await newCampaign(t.db);
    const before = await stored(id);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get(`/campaigns/${id}`)).text).not.toContain(`/campaigns/${id}/edit`);
    const page = await agent.get(`/campaigns/${id}/edit`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/campaigns/${id}`);
    const form = await agent.get('/campaigns/new');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const res = await agent
      .post(`/campaigns/${id}/edit`)
      .type('form')
      .send({ ...edited(), _csrf: csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Solo un&#x27;indagine in bozza si può modificare');
    expect(await stored(id)).toEqual(before);
  });

  it('keeps the territory of a draft a funding call already names', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    await newCall(t.db, region, { campaignId: id, status: 'draft' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await submitForm(agent, `/campaigns/${id}/edit`, edited(), `/campaigns/${id}/edit`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('il territorio non si può più cambiare');
    expect((await stored(id)).territory_code).toBe('ITI1');
    const same = { ...edited(), territoryCode: 'ITI1' };
    const ok = await submitForm(agent, `/campaigns/${id}/edit`, same, `/campaigns/${id}/edit`);
    expect(ok.status).toBe(302);
    expect((await stored(id)).title).toBe('Fabbisogni digitali — Prato');
  });

  it("is not found for another region's draft", async () => {
    const { id } = await newCampaign(t.db, { open: false });
    const other = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const agent = await loginAs(testApp(t), other.email, PASSWORD);
    expect((await agent.get(`/campaigns/${id}/edit`)).status).toBe(404);
  });
});

describe('the confidentiality threshold (disclosure k)', () => {
  const fresh = () => ({
    title: 'Fabbisogni — Val di Sieve',
    territoryCode: 'ITI14',
    opensAt: romeToday(),
    closesAt: addDays(romeToday(), 30),
    skillAreas: ['F40'],
  });
  const kOf = async (title: string) =>
    (
      await t.db
        .selectFrom('campaigns')
        .select(['id', 'disclosure_k'])
        .where('title', '=', title)
        .executeTakeFirstOrThrow()
    ).disclosure_k;

  it('is 3 unless the region raises it; the survey page says it', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const form = await agent.get('/campaigns/new');
    expect(form.text).toMatch(
      /id="field-disclosureK" name="disclosureK"\s+type="number"\s+value="3"/,
    );
    const body = { ...fresh(), title: 'Soglia alzata', disclosureK: '5' };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(302);
    expect(await kOf('Soglia alzata')).toBe(5);
    const page = await agent.get(res.headers.location!);
    expect(page.text).toContain('almeno 5 imprese per dato pubblicato');
    const edit = await agent.get(`${res.headers.location!}/edit`);
    expect(edit.text).toMatch(/name="disclosureK"\s+type="number"\s+value="5"/);
    const plain = await submitForm(
      agent,
      '/campaigns/new',
      { ...fresh(), title: 'Soglia base' },
      '/campaigns',
    );
    expect(plain.status).toBe(302);
    expect(await kOf('Soglia base')).toBe(3);
  });

  it.each([
    ['2', 'Il valore minimo è 3'],
    ['51', 'Il valore massimo è 50'],
    ['tre', 'numero intero'],
    ['4.5', ''],
    ['1e1', 'numero intero'],
  ])('refuses %s, naming the field and keeping what was typed', async (k, why) => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...fresh(), title: `Soglia ${k}`, disclosureK: k };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Soglia di riservatezza \(imprese per dato\): /);
    expect(res.text).toContain(why);
    expect(res.text).toContain(`value="${k}"`);
    const rows = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('title', '=', `Soglia ${k}`)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('is set and read through the API too', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD });
    const auth = { Authorization: `Bearer ${tok.token as string}` };
    const base = await request(app).post('/api/v1/campaigns').set(auth).send(fresh());
    expect(base.status).toBe(201);
    expect(base.body.disclosureK).toBe(3);
    const raised = await request(app)
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...fresh(), disclosureK: 10 });
    expect(raised.body.disclosureK).toBe(10);
    const low = await request(app)
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...fresh(), disclosureK: 1 });
    expect(low.status).toBe(422);
    expect(low.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/disclosureK',
    ]);
  });

  it('refuses a readiness flag that is not true or false instead of reading it as false', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD });
    const auth = { Authorization: `Bearer ${tok.token as string}` };
    for (const readiness of [1, 'yes', 'si']) {
      const res = await request(app)
        .post('/api/v1/campaigns')
        .set(auth)
        .send({ ...fresh(), title: `Prontezza ${readiness}`, readiness });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
        'body/readiness',
      ]);
    }
    const written = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('title', 'like', 'Prontezza %')
      .execute();
    expect(written).toEqual([]);
    for (const readiness of [true, false]) {
      const res = await request(app)
        .post('/api/v1/campaigns')
        .set(auth)
        .send({ ...fresh(), readiness });
      expect(res.status).toBe(201);
      expect(res.body.readiness).toBe(readiness);
    }
  });
});

describe('PATCH /api/v1/campaigns/:id', () => {
  const tokenFor = async (app: ReturnType<typeof testApp>, email: string) => {
    const res = await request(app).post('/api/v1/tokens').send({ email, password: PASSWORD });
    return `Bearer ${res.body.token as string}`;
  };

  it('corrects the fields sent and keeps the others; k back to the default with null', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    await t.db.updateTable('campaigns').set({ disclosure_k: 7 }).where('id', '=', id).execute();
    const app = testApp(t);
    const auth = await tokenFor(app, region.email);
    const res = await request(app)
      .patch(`/api/v1/campaigns/${id}`)
      .set('Authorization', auth)
      .send({ title: 'Fabbisogni digitali — Prato', skillAreas: ['DC2'], disclosureK: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      title: 'Fabbisogni digitali — Prato',
      territoryCode: 'ITI1',
      readiness: true,
      disclosureK: 3,
      status: 'draft',
      skillAreas: ['DC2'],
    });
    expect(await stored(id)).toMatchObject({
      title: 'Fabbisogni digitali — Prato',
      readiness: true,
      areas: ['DC2'],
    });
  });

  it('fixes a draft whose closing day has gone by, which could then not be opened', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    await t.db
      .updateTable('campaigns')
      .set({ opens_at: '2020-01-01', closes_at: '2020-02-01' })
      .where('id', '=', id)
      .execute();
    const app = testApp(t);
    const auth = await tokenFor(app, region.email);
    const open = await request(app).post(`/api/v1/campaigns/${id}/open`).set('Authorization', auth);
    expect(open.status).toBe(409);
    const title = await request(app)
      .patch(`/api/v1/campaigns/${id}`)
      .set('Authorization', auth)
      .send({ title: 'Nuovo titolo' });
    expect(title.status).toBe(422);
    expect(title.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['body/closesAt']);
    const closesAt = addDays(romeToday(), 30);
    const fixed = await request(app)
      .patch(`/api/v1/campaigns/${id}`)
      .set('Authorization', auth)
      .send({ closesAt });
    expect(fixed.status).toBe(200);
    expect(fixed.body.closesAt).toBe(closesAt);
    const opened = await request(app)
      .post(`/api/v1/campaigns/${id}/open`)
      .set('Authorization', auth);
    expect(opened.status).toBe(200);
  });

  it('refuses bad input with 422 on each field, writing nothing; 409 once opened; 404, 403', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    const app = testApp(t);
    const auth = await tokenFor(app, region.email);
    const before = await stored(id);
    const cases: [object, string[]][] = [
      [{ title: '', disclosureK: 1 }, ['body/title', 'body/disclosureK']],
      [{ skillAreas: [] }, ['body/skillAreas']],
      [{ skillAreas: ['NOPE'] }, ['body/skillAreas']],
      [{ readiness: 'yes' }, ['body/readiness']],
      // A closing day alone, before the stored opening day.
      [{ closesAt: addDays(romeToday(), -5) }, ['body/closesAt']],
      [{ territoryCode: 'ITC4' }, ['body/territoryCode']],
      [{ colour: 'red' }, ['body/_form']],
    ];
    for (const [body, pointers] of cases) {
      const res = await request(app)
        .patch(`/api/v1/campaigns/${id}`)
        .set('Authorization', auth)
        .send(body);
      expect([res.status, res.body.errors?.map((e: { pointer: string }) => e.pointer)]).toEqual([
        422,
        pointers,
      ]);
    }
    expect(await stored(id)).toEqual(before);

    const other = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const elsewhere = await request(app)
      .patch(`/api/v1/campaigns/${id}`)
      .set('Authorization', await tokenFor(app, other.email))
      .send({ title: 'Altro' });
    expect(elsewhere.status).toBe(404);
    const firm = await newUser(t.db, { role: 'firm' });
    const forbidden = await request(app)
      .patch(`/api/v1/campaigns/${id}`)
      .set('Authorization', await tokenFor(app, firm.email))
      .send({ title: 'Altro' });
    expect(forbidden.status).toBe(403);
    const opened = await newCampaign(t.db, { region });
    const late = await request(app)
      .patch(`/api/v1/campaigns/${opened.id}`)
      .set('Authorization', auth)
      .send({ title: 'Altro' });
    expect(late.status).toBe(409);
    expect(await stored(id)).toEqual(before);
  });
});

describe('a refused survey form', () => {
  it('names every problem in one round, the closing day gone by beside an empty title', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = {
      title: '',
      territoryCode: 'ITI1',
      opensAt: addDays(romeToday(), -10),
      closesAt: addDays(romeToday(), -1),
      disclosureK: '3',
    };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(422);
    const summary = /<ul class="[^"]*">([\s\S]*?)<\/ul>/.exec(res.text)?.[1] ?? '';
    expect(pageText(summary)).toBe(
      'Titolo: Campo obbligatorio ' +
        'Chiusura (fino al giorno incluso): La data di chiusura è già passata ' +
        'Aree di competenza proposte: Scegli almeno 1 tra le opzioni',
    );
    const { id } = await newCampaign(t.db, { region, open: false });
    const edit = await submitForm(
      agent,
      `/campaigns/${id}/edit`,
      { ...body, skillAreas: ['F40'] },
      `/campaigns/${id}/edit`,
    );
    expect(edit.status).toBe(422);
    expect(edit.text).toContain('La data di chiusura è già passata');
    expect(edit.text).toContain('error-title');
  });

  it('is listed whole by the API too', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const token = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD });
    const res = await request(app)
      .post('/api/v1/campaigns')
      .set('Authorization', `Bearer ${token.body.token as string}`)
      .send({
        title: 'Indagine',
        territoryCode: 'ITC4',
        opensAt: addDays(romeToday(), -10),
        closesAt: addDays(romeToday(), -1),
        skillAreas: ['NOPE'],
      });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      'body/territoryCode',
      'body/closesAt',
      'body/skillAreas',
    ]);
  });
});

describe('a draft survey whose closing day has gone by', () => {
  it('says so on its page and when opened, leading to the edit; moved, it opens', async () => {
    const { id, region } = await newCampaign(t.db, { open: false });
    await t.db
      .updateTable('campaigns')
      .set({ opens_at: '2020-06-01', closes_at: '2020-06-30' })
      .where('id', '=', id)
      .execute();
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get(`/campaigns/${id}`);
    expect(page.text).toContain(
      'La data di chiusura (30 giugno 2020) è già passata: l&#x27;indagine non si può aprire finché non la sposti.',
    );
    const open = await submitForm(agent, `/campaigns/${id}`, {}, `/campaigns/${id}/open`);
    expect(open.status).toBe(302);
    const refused = await agent.get(`/campaigns/${id}`);
    expect(refused.text).toContain('Spostala con «Modifica la bozza», poi aprila.');
    expect(refused.text).toContain(`href="/campaigns/${id}/edit"`);
    expect((await stored(id)).status).toBe('draft');
    const english = await agent.get(`/campaigns/${id}?lang=en`);
    expect(english.text).toContain('The closing date (30 June 2020) has already passed');

    const moved = await submitForm(
      agent,
      `/campaigns/${id}/edit`,
      { ...edited(), territoryCode: 'ITI1' },
      `/campaigns/${id}/edit`,
    );
    expect(moved.status).toBe(302);
    expect((await agent.get(`/campaigns/${id}`)).text).not.toContain('è già passata');
    await submitForm(agent, `/campaigns/${id}`, {}, `/campaigns/${id}/open`);
    expect((await stored(id)).status).toBe('open');
  });
});
