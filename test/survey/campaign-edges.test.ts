import { loginAs, submitForm, testApp } from '../helpers/app';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { addDays, newCampaign } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const valid = () => ({
  title: 'Fabbisogni 4.0 Empolese Valdelsa',
  territoryCode: 'ITI14',
  opensAt: romeToday(),
  closesAt: addDays(romeToday(), 30),
  skillAreas: ['F40', 'DC1'],
});

describe('campaign dates', () => {
  it.each([
    ['an opening in 1900', { opensAt: '1900-01-10' }, 'opensAt'],
    ['a closing in 9999', { closesAt: '9999-12-31' }, 'closesAt'],
  ])('refuses %s, keeping what was typed, writing nothing', async (_w, change, field) => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await submitForm(agent, '/campaigns/new', { ...valid(), ...change }, '/campaigns');
    expect(res.status).toBe(422);
    expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain('Indica una data tra il 2000 e il 2100');
    expect(res.text).toContain(Object.values(change)[0]);
    const rows = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('organisation_id', '=', region.organisationId)
      .execute();
    expect(rows).toHaveLength(0);
  });
});

describe('POST /campaigns', () => {
  it('names each field in the error summary by its label', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), title: '', territoryCode: '', opensAt: '1900-01-10' };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 3);
    expect(errorSummary(res.text).map((l) => l.text)).toEqual([
      'Titolo: Campo obbligatorio',
      'Territorio: Campo obbligatorio',
      'Apertura (dal giorno): Indica una data tra il 2000 e il 2100',
    ]);
  });
});

describe('POST /campaigns: the order of the dates', () => {
  it('is not blamed on a good closing day when the opening day is not a date', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), opensAt: 'domani' };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(422);
    expect(errorSummary(res.text).map((l) => l.text)).toEqual([
      'Apertura (dal giorno): Scrivi una data, per esempio 31/03/2027',
    ]);
  });

  it('is told beside another field’s error, in the same round', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), title: '', closesAt: addDays(romeToday(), -1) };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(errorSummary(res.text).map((l) => l.text)).toEqual([
      'Titolo: Campo obbligatorio',
      "Chiusura (fino al giorno incluso): La chiusura non può precedere l'apertura",
    ]);
  });
});

describe('GET /campaigns/new', () => {
  it('offers the region first, then its provinces, then the comuni under their province', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get('/campaigns/new');
    const select = /<select[^>]*name="territoryCode"[\s\S]*?<\/select>/.exec(page.text)![0];
    const codes = [...select.matchAll(/<option value="(\w+)"/g)].map((m) => m[1]);
    expect(codes.slice(0, 2)).toEqual(['ITI1', 'ITI18']); // Toscana, then Arezzo
    const groups = [...select.matchAll(/<optgroup label="([^"]+)">/g)].map((m) => m[1]);
    expect(groups.slice(0, 2)).toEqual(['Regione (NUTS 2)', 'Provincia (NUTS 3)']);
    expect(groups).toContain('Comuni della provincia di Prato');
    expect(select).toMatch(/<option value="ITI1" selected>Toscana \(ITI1\)/);
    expect(select).not.toContain('ITC4C'); // Milano: another region's
  });

  it('keeps the territory chosen when the form comes back with errors', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), title: '', territoryCode: '100005' };
    const res = await submitForm(agent, '/campaigns/new', body, '/campaigns');
    expect(res.status).toBe(422);
    expect(res.text).toContain('<option value="100005" selected>Prato (100005)</option>');
  });
});

describe('the campaign pages', () => {
  it('name the territory and the skill areas, and lead back to the list', async () => {
    const { id, region } = await newCampaign(t.db, { territory: 'ITI15', open: false });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const list = await agent.get('/campaigns');
    expect(list.text).toMatch(/<td>Prato <span class="small text-muted">\(ITI15\)<\/span><\/td>/);
    const page = await agent.get(`/campaigns/${id}`);
    expect(page.text).toContain('<a href="/campaigns">← Tutte le indagini</a>');
    expect(page.text).toContain(
      '<li>Tecnologie abilitanti 4.0 (Formazione 4.0) <span class="text-muted small">(F40)</span></li>',
    );
    const english = await agent.get(`/campaigns/${id}?lang=en`);
    expect(english.text).toContain('<a href="/campaigns">← All surveys</a>');
    expect(english.text).toContain(
      'Information and data literacy <span class="text-muted small">(DC1)</span>',
    );
    expect((await agent.get('/campaigns/new')).text).toContain(
      '<a href="/campaigns">← All surveys</a>',
    );
  });
});

describe('GET /campaigns/:id/responses', () => {
  it('offers as territory filter only the survey’s territory and what lies within it', async () => {
    const { id, region } = await newCampaign(t.db, { territory: 'ITI14' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get(`/campaigns/${id}/responses`);
    const select = /id="filter-territory".*?<\/select>/s.exec(page.text)![0];
    const codes = [...select.matchAll(/<option value="(\w*)"/g)].map((m) => m[1]);
    expect(codes).toContain('ITI14');
    expect(codes).toContain('048014');
    // Pisa, or the whole region, chosen from the list led to a 400 page.
    expect(codes).not.toContain('ITI17');
    expect(codes).not.toContain('ITI1');
    for (const code of codes.filter(Boolean))
      expect((await agent.get(`/campaigns/${id}/responses?territory=${code}`)).status).toBe(200);
  });

  it('names the province of a comune’s own survey in its filter', async () => {
    const { id, region } = await newCampaign(t.db, { territory: '048014' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get(`/campaigns/${id}/responses`);
    expect(page.text).toContain('<optgroup label="Comuni della provincia di Firenze">');
    expect(page.text).toContain('<option value="048014" >Empoli (048014)</option>');
  });

  it('sends a page past the end to the last page', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await agent.get(`/campaigns/${id}/responses?page=99999`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('?status=&territory=&page=1');
    expect((await agent.get(`/campaigns/${id}/responses?page=1`)).status).toBe(200);
  });
});
