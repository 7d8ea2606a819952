import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { newCall } from '../funding/helpers';
import { addDays, newCampaign } from './helpers';

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
