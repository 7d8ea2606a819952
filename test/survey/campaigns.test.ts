import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { formatDate } from '../../src/lib/format';
import { romeToday } from '../../src/modules/survey/calendar';
import { reachNeeds, submitLines } from './flow';
import { addDays, needLine, needsBody, newCampaign, newFirmUser, newVat } from './helpers';
import { decodeEntities } from '../helpers/html';
import { italianOnDay } from '../helpers/dates';

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
  readiness: 'on',
});

describe('campaigns (region)', () => {
  it('creates a draft, opens it, closes it', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await submitForm(agent, '/campaigns/new', valid(), '/campaigns');
    expect(res.status).toBe(302);
    const c = await t.db
      .selectFrom('campaigns')
      .selectAll()
      .where('organisation_id', '=', region.organisationId)
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({ status: 'draft', territory_code: 'ITI14', readiness: true });
    const areas = await t.db
      .selectFrom('campaign_skill_areas')
      .select('area_code')
      .where('campaign_id', '=', c.id)
      .execute();
    expect(areas.map((a) => a.area_code).sort()).toEqual(['DC1', 'F40']);
    const open = await submitForm(agent, `/campaigns/${c.id}`, {}, `/campaigns/${c.id}/open`);
    expect(open.status).toBe(302);
    const page = await agent.get(`/campaigns/${c.id}`);
    expect(page.text).toContain('<strong>Aperta</strong>');
    // Closing asks first, on a page of its own saying what it does.
    expect(page.text).toContain(`href="/campaigns/${c.id}/close"`);
    const ask = await agent.get(`/campaigns/${c.id}/close`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Chiudere l&#x27;indagine');
    expect(ask.text).toMatch(/anche prima della data di chiusura prevista \(\d{1,2} \w+ \d{4}\)/);
    expect((await agent.get(`/campaigns/${c.id}`)).text).toContain('<strong>Aperta</strong>');
    await submitForm(agent, `/campaigns/${c.id}/close`, {}, `/campaigns/${c.id}/close`);
    const closed = await agent.get(`/campaigns/${c.id}`);
    expect(closed.text).toContain('<strong>Chiusa</strong>');
    // The message says so in words, not as its key.
    expect(closed.text).toContain('Indagine chiusa: non accetta più risposte.');
    expect(closed.text).not.toContain('campaigns.close');
    expect((await agent.get(`/campaigns/${c.id}/close`)).headers.location).toBe(
      `/campaigns/${c.id}`,
    );
  });

  it('opened before its first day, says from when firms can answer, not that it is open', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const opensAt = addDays(romeToday(), 10);
    const { id } = await newCampaign(t.db, { region, opensAt, open: false });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    await submitForm(agent, `/campaigns/${id}`, {}, `/campaigns/${id}/open`);
    const page = await agent.get(`/campaigns/${id}`);
    expect(page.text).toContain('Programmata (non ancora aperta)');
    expect(page.text).not.toContain('Indagine aperta.');
    const day = formatDate(opensAt, 'it', { style: 'long' });
    expect(page.text).toContain(
      italianOnDay(`Indagine pubblicata: le imprese potranno rispondere dal ${day}.`),
    );
  });

  it('says, before closing, how many firms have an answer in progress they have not sent', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get(`/campaigns/${id}/close`)).text).not.toContain('in corso');
    for (const _ of [1, 2]) {
      const firm = await newFirmUser(t.db);
      await reachNeeds(
        await loginAs(testApp(t), firm.email, PASSWORD),
        t.db,
        id,
        firm.organisationId,
      );
    }
    const ask = await agent.get(`/campaigns/${id}/close`);
    expect(ask.text).toContain(
      '2 imprese hanno una risposta in corso che non hanno ancora inviato: chiusa l&#x27;indagine, non potranno più inviarla.',
    );
    const en = await agent.get(`/campaigns/${id}/close?lang=en`);
    expect(en.text).toContain(
      '2 firms have an answer in progress that they have not sent yet: once the survey is closed, they can no longer send it.',
    );
  });

  it.each([
    [
      'a territory outside the region',
      { territoryCode: 'ITC4' },
      'territoryCode',
      'compreso nel tuo',
    ],
    [
      'closing before opening',
      { closesAt: addDays(romeToday(), -5) },
      'closesAt',
      'non può precedere',
    ],
    ['no skill area', { skillAreas: [] as string[] }, 'skillAreas', 'Scegli almeno 1'],
    ['an over-long title', { title: 'x'.repeat(201) }, 'title', 'al massimo 200'],
  ])('refuses %s', async (_w, change, field, message) => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await submitForm(agent, '/campaigns/new', { ...valid(), ...change }, '/campaigns');
    expect(res.status).toBe(422);
    expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain(message);
    const n = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('organisation_id', '=', region.organisationId)
      .execute();
    expect(n).toHaveLength(0);
  });

  it("another region's campaign is not found", async () => {
    const { id } = await newCampaign(t.db);
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const agent = await loginAs(testApp(t), lombardia.email, PASSWORD);
    expect((await agent.get(`/campaigns/${id}`)).status).toBe(404);
    expect((await agent.get(`/campaigns/${id}/responses`)).status).toBe(404);
  });

  it("writes the live counts and the charts' figures as numbers of the reader's language", async () => {
    const { id, region } = await newCampaign(t.db);
    const app = testApp(t);
    const firm = await newFirmUser(t.db, 20000);
    const firmAgent = await loginAs(app, firm.email, PASSWORD);
    await reachNeeds(firmAgent, t.db, id, firm.organisationId);
    await submitLines(firmAgent, id, needsBody([needLine({ workers: '11500' })]));
    const agent = await loginAs(app, region.email, PASSWORD);
    const it = await agent.get(`/campaigns/${id}`);
    expect(it.text).toContain('Lavoratori da formare: <strong>11.500</strong>');
    // The workers of the need lines by area, in the chart's table.
    expect(it.text).toMatch(/<td class="text-end">11\.500<\/td>/);
    const en = await agent.get(`/campaigns/${id}?lang=en`);
    expect(en.text).toContain('Workers to train: <strong>11,500</strong>');
    expect(en.text).toMatch(/<td class="text-end">11,500<\/td>/);
  });

  it('shows live counts, lists responses with filters and a total, and opens one', async () => {
    const { id, region } = await newCampaign(t.db);
    const app = testApp(t);
    for (const workers of ['3', '4']) {
      const firm = await newFirmUser(t.db, 40);
      // One firm in Firenze (the other in Empoli): a comune whose name differs in English.
      if (workers === '3')
        await t.db
          .updateTable('firms')
          .set({ territory_code: '048017' })
          .where('organisation_id', '=', firm.organisationId)
          .execute();
      const agent = await loginAs(app, firm.email, PASSWORD);
      await reachNeeds(agent, t.db, id, firm.organisationId);
      await submitLines(agent, id, needsBody([needLine({ workers })]));
    }
    const drafting = await newFirmUser(t.db);
    await (await loginAs(app, drafting.email, PASSWORD)).get(`/survey/${id}`);
    const agent = await loginAs(app, region.email, PASSWORD);
    const page = await agent.get(`/campaigns/${id}`);
    expect(page.text).toContain('data-count="submitted">2<');
    expect(page.text).toContain('data-count="drafts">1<');
    const list = await agent.get(`/campaigns/${id}/responses?status=current&territory=ITI14`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('2 imprese');
    // The status filter names its choices as labels, not as the lowercase words of a sentence.
    expect(list.text).toContain('<option value="current" selected>Valida</option>');
    expect(list.text).toContain('<option value="withdrawn" >Ritirata</option>');
    // The territory filter offers the region's territories, grouped, and keeps the one chosen.
    expect(list.text).toContain('<optgroup label="Provincia (NUTS 3)">');
    expect(list.text).toContain('<option value="ITI14" selected>Firenze (ITI14)</option>');
    const none = await agent.get(`/campaigns/${id}/responses?territory=ITI17`);
    expect(none.text).toContain('0 imprese');
    // A territory outside the survey (Milan, for a Tuscan survey) is named, not listed as empty.
    const outside = await agent.get(`/campaigns/${id}/responses?territory=ITC4C&status=current`);
    expect(outside.status).toBe(400);
    expect(decodeEntities(outside.text)).toContain(
      "Il parametro «territory» non è valido: ITC4C (Milano) non è nel territorio dell'indagine",
    );
    expect(outside.text).toContain(`href="/campaigns/${id}/responses?status&#x3D;current"`);
    expect((await agent.get(`/campaigns/${id}/responses?territory=XX99`)).status).toBe(400);
    const responseId = /\/responses\/([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const one = await agent.get(`/campaigns/${id}/responses/${responseId}`);
    expect(one.status).toBe(200);
    expect(one.text).toContain('Meccanica Test S.r.l.');
    // The sector by name, not 'C / 25'; the notes' heading without the form's hint.
    expect(one.text).toContain(
      '25 — Fabbricazione di prodotti in metallo, esclusi macchinari e attrezzature',
    );
    expect(one.text).toContain('Sezione C — Attività manifatturiere');
    expect(one.text).toContain('<th scope="col">Note</th>');
    expect(one.text).not.toContain('max 500 caratteri');
    // The language link adds ?lang= to the page's own query: the list still answers.
    const english = await agent.get(`/campaigns/${id}/responses?status=current&lang=en`);
    expect(english.status).toBe(200);
    expect(english.text).toContain('<option value="current" selected>Valid</option>');
    // Each firm's comune in the reader's language, as the answer's own page names it.
    expect(list.text).toContain('<td>Firenze</td>');
    expect(english.text).toContain('<td>Florence</td>');
    expect(english.text).not.toContain('<td>Firenze</td>');
  });

  it.each(['local_authority', 'social_partner', 'firm'] as const)(
    'never shows one firm’s answers to a %s user',
    async (role) => {
      const { id } = await newCampaign(t.db);
      const u = await newUser(t.db, { role });
      const agent = await loginAs(testApp(t), u.email, PASSWORD);
      expect((await agent.get(`/campaigns/${id}/responses`)).status).toBe(403);
      expect((await agent.get(`/campaigns/${id}`)).status).toBe(403);
    },
  );
});

describe('the firm home', () => {
  it("heads the survey table with distinct columns: the survey status and the firm's answer", async () => {
    await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    for (const [lang, expected] of [
      ['it', ['Titolo', "Stato dell'indagine", 'La tua risposta']],
      ['en', ['Title', 'Survey status', 'Your answer']],
    ] as const) {
      const home = await agent.get(`/?lang=${lang}`);
      const table = /<table class="table">[\s\S]*?<\/thead>/.exec(home.text)![0];
      const headings = [...table.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) =>
        decodeEntities(m[1]!),
      );
      expect(headings).toEqual(expected);
    }
  });
});

describe('firm profile', () => {
  it('starts incomplete after self-registration and is completed on /firm/profile', async () => {
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const page = await agent.get('/firm/profile');
    expect(page.text).toContain('Il profilo è incompleto');
    const vat = newVat();
    const res = await submitForm(agent, '/firm/profile', {
      legalName: 'Tessiture Empolesi S.p.A.',
      vatNumber: `IT ${vat}`,
      naceDivision: '13',
      employees: '120',
      territoryCode: '048014',
      contactName: 'Chiara Mori',
      contactEmail: 'Chiara@Tessiture.test',
      contactPhone: '0571 12.34.56',
    });
    expect(res.status).toBe(302);
    const row = await t.db
      .selectFrom('firms')
      .selectAll()
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      vat_number: `IT${vat}`,
      nace_section: 'C',
      nace_division: '13',
      employees: 120,
      size_class: 'medium',
      contact_email: 'chiara@tessiture.test',
      contact_phone: '0571 12 34 56',
    });
  });

  it.each([
    ['a wrong check digit', { vatNumber: '12345678901' }, 'vatNumber', 'cifra di controllo'],
    ['a non-EU prefix', { vatNumber: 'US123456789' }, 'vatNumber', 'Unione europea'],
    ['zero employees', { employees: '0' }, 'employees', 'Il valore minimo è 1'],
    ['fractional employees', { employees: '3.5' }, 'employees', 'numero intero'],
    [
      'a province instead of a comune',
      { territoryCode: 'ITI14' },
      'territoryCode',
      'comune della sede',
    ],
    ['an unknown sector', { naceDivision: '00' }, 'naceDivision', 'settore'],
  ])('refuses %s, keeping the input', async (_w, change, field, message) => {
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const body = {
      legalName: 'Ditta Rossi',
      vatNumber: newVat(),
      naceDivision: '25',
      employees: '5',
      territoryCode: '048014',
      contactName: 'Mario Rossi',
      contactEmail: 'mario@rossi.test',
      ...change,
    };
    const res = await submitForm(agent, '/firm/profile', body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="Ditta Rossi"');
    const row = await t.db
      .selectFrom('firms')
      .select('vat_number')
      .where('organisation_id', '=', firm.organisationId)
      .executeTakeFirst();
    expect(row?.vat_number ?? null).toBeNull();
  });

  it('names each field, by its label, in the error summary, in Italian and English', async () => {
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const bad = {
      legalName: '',
      vatNumber: '123',
      naceDivision: '',
      employees: 'x',
      territoryCode: '',
      contactName: '',
      contactEmail: 'bad',
    };
    const it = await submitForm(agent, '/firm/profile', bad);
    expect(it.status).toBe(422);
    expectSummaryNamesFields(it.text, 7);
    expect(errorSummary(it.text)[0]).toEqual({
      href: '#field-legalName',
      text: 'Ragione sociale: Campo obbligatorio',
    });
    expect(errorSummary(it.text)).toContainEqual({
      href: '#field-territoryCode',
      text: expect.stringMatching(/^Comune della sede principale: /),
    });
    const en = await submitForm(agent, '/firm/profile?lang=en', bad, '/firm/profile?lang=en');
    expectSummaryNamesFields(en.text, 7);
    expect(errorSummary(en.text)).toContainEqual({
      href: '#field-employees',
      text: expect.stringMatching(/^Number of employees: /),
    });
  });

  it('shows the new legal name on the home page once the profile is saved', async () => {
    const firm = await newUser(t.db, { role: 'firm', organisation: 'Officina Vecchia' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    expect((await agent.get('/')).text).toContain('<dd class="col-sm-9">Officina Vecchia</dd>');
    const res = await submitForm(agent, '/firm/profile', {
      legalName: 'Officina Nuova S.r.l.',
      vatNumber: newVat(),
      naceDivision: '25',
      employees: '12',
      territoryCode: '048014',
      contactName: 'Chiara Mori',
      contactEmail: 'chiara@officina.test',
    });
    expect(res.status).toBe(302);
    const home = await agent.get('/');
    expect(home.text).toContain('<dd class="col-sm-9">Officina Nuova S.r.l.</dd>');
    expect(home.text).not.toContain('Officina Vecchia');
    const org = await t.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', firm.organisationId)
      .executeTakeFirstOrThrow();
    expect(org.name).toBe('Officina Nuova S.r.l.');
  });

  it('refuses a VAT number another firm registered', async () => {
    const first = await newFirmUser(t.db);
    const taken = (
      await t.db
        .selectFrom('firms')
        .select('vat_number')
        .where('organisation_id', '=', first.organisationId)
        .executeTakeFirstOrThrow()
    ).vat_number!;
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await submitForm(agent, '/firm/profile', {
      legalName: 'Copia',
      vatNumber: taken,
      naceDivision: '25',
      employees: '5',
      territoryCode: '048014',
      contactName: 'X Y',
      contactEmail: 'x@y.test',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('già registrata');
  });
});
