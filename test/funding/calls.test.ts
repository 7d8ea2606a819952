import { loginAs, submitForm, testApp } from '../helpers/app';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { newCampaign } from '../needs/factories';
import { newCall } from './helpers';
import { farDay } from '../helpers/dates';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const valid = (): Record<string, string | string[]> => ({
  title: 'Competenze 4.0 per la manifattura toscana',
  description: 'Azioni formative per le imprese manifatturiere',
  territoryCode: 'ITI1',
  campaignId: '',
  budget: '1.250.000,50',
  courseHour: '120',
  participantHour: '6,50',
  cofinancingPercent: '20',
  maxHours: '200',
  minParticipants: '4',
  maxParticipants: '25',
  maxCostPerParticipant: '3000',
  deadline: farDay(),
  skillAreas: ['F40', 'DC1'],
  alloc0Territory: 'ITI14',
  alloc0Amount: '400000',
  alloc1Territory: 'ITI17',
  alloc1Amount: '250.000',
});

const callsOf = (orgId: string) =>
  t.db.selectFrom('funding_calls').selectAll().where('organisation_id', '=', orgId).execute();

describe('funding calls (region)', () => {
  it('creates a draft in cents, with allocations and areas, opens it and tells the authorities', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const faraway = await newUser(t.db, { role: 'local_authority', territory: 'ITC4' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await submitForm(agent, '/calls/new', valid(), '/calls');
    expect(res.status).toBe(302);
    const [call] = await callsOf(region.organisationId);
    expect(call).toMatchObject({
      status: 'draft',
      budget_cents: 125_000_050,
      course_hour_cents: 12_000,
      participant_hour_cents: 650,
      cofinancing_percent: 20,
      max_hours_per_action: 200,
      min_participants: 4,
      max_participants: 25,
      max_cost_per_participant_cents: 300_000,
      committed_cents: 0,
    });
    const allocations = await t.db
      .selectFrom('funding_call_allocations')
      .select(['territory_code', 'amount_cents'])
      .where('call_id', '=', call!.id)
      .orderBy('territory_code')
      .execute();
    expect(allocations).toEqual([
      { territory_code: 'ITI14', amount_cents: 40_000_000 },
      { territory_code: 'ITI17', amount_cents: 25_000_000 },
    ]);
    const open = await submitForm(agent, `/calls/${call!.id}`, {}, `/calls/${call!.id}/open`);
    expect(open.status).toBe(302);
    const told = await t.db
      .selectFrom('notifications')
      .select(['user_id', 'kind', 'link'])
      .where('kind', '=', 'call_opened')
      .where('link', '=', `/calls/${call!.id}`)
      .execute();
    expect(told.map((n) => n.user_id)).toEqual([authority.id]);
    expect(told.map((n) => n.user_id)).not.toContain(faraway.id);
    // Told in the words of the pages: a call is an «avviso» everywhere, in the inbox too.
    const inbox = await (await loginAs(testApp(t), authority.email, PASSWORD)).get('/inbox');
    expect(inbox.text).toContain(`È aperto l&#x27;avviso «${valid().title as string}»`);
    expect(inbox.text).not.toMatch(/\bband[oi]\b/);
    const page = await agent.get(`/calls/${call!.id}`);
    expect(page.text).toContain('data-amount="available"><strong>1.250.000,50\u00a0€</strong>');
    // Amounts read once with their unit: 'Dotazione' over '1.250.000,50 €', not 'Dotazione (€)'.
    expect(page.text).toContain('<dt class="col-sm-4">Dotazione</dt>');
    expect(page.text).not.toContain('(€)</dt>');
    const list = await agent.get('/calls');
    expect(list.text).toContain(valid().title);
    expect(list.text).toContain('<th scope="col" class="text-end">Dotazione</th>');
  });

  it.each([
    ['a malformed amount', { budget: '12,5,0' }, 'budget', 'Scrivi un importo in euro'],
    ['three decimals', { budget: '12,505' }, 'budget', 'Al massimo due decimali'],
    ['a zero budget', { budget: '0' }, 'budget', 'Tra 0,01 € e 1.000.000.000.000 €'],
    [
      'a course hour over the range',
      { courseHour: '100.000,01' },
      'courseHour',
      'Tra 0 € e 100.000 €',
    ],
    [
      'a co-financing over 100 %',
      { cofinancingPercent: '101' },
      'cofinancingPercent',
      'Il valore massimo è 100',
    ],
    [
      'min above max participants',
      { minParticipants: '30' },
      'maxParticipants',
      'non possono essere meno',
    ],
    ['a deadline in the past', { deadline: '2020-01-01' }, 'deadline', 'già passata'],
    ['a deadline in 9999', { deadline: '9999-12-31' }, 'deadline', 'tra il 2000 e il 2100'],
    [
      'a deadline that is no day',
      { deadline: '31/02/2030' },
      'deadline',
      'Scrivi una data, per esempio 31/03/2027',
    ],
    [
      'a territory of another region',
      {
        territoryCode: 'ITC4',
        alloc0Territory: '',
        alloc0Amount: '',
        alloc1Territory: '',
        alloc1Amount: '',
      },
      'territoryCode',
      'compreso nel suo',
    ],
    [
      'an allocation outside the call',
      { territoryCode: 'ITI14', alloc0Territory: '048014', alloc1Territory: 'ITI17' },
      'alloc1Territory',
      'compreso in quello',
    ],
    ['overlapping allocations', { alloc1Territory: '048014' }, 'alloc1Territory', 'si sovrappone'],
    ['allocations over the budget', { budget: '500000' }, 'alloc1Amount', 'superano la dotazione'],
    ['a half-filled allocation', { alloc1Amount: '' }, 'alloc1Amount', 'Indica l&#x27;importo'],
    [
      'both standard costs at zero',
      { courseHour: '0', participantHour: '0,00' },
      'courseHour',
      'Almeno uno dei due costi standard deve essere sopra zero',
    ],
    ['an over-long title', { title: 'x'.repeat(201) }, 'title', 'al massimo 200'],
    ['an unknown field', { extra: 'x' }, '_form', 'extra'],
  ])('refuses %s: 422, the input kept, nothing written', async (_w, change, field, message) => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body: Record<string, string | string[]> = { ...valid(), ...change };
    const res = await submitForm(agent, '/calls/new', body, '/calls');
    expect(res.status).toBe(422);
    if (field !== '_form') expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain(message);
    expect(res.text).toContain(`value="${String(body.budget).replace(/&/g, '&amp;')}"`);
    expect(await callsOf(region.organisationId)).toHaveLength(0);
  });

  it('reads whole numbers with a thousands point as the Italian reader writes them', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    // '1.000' hours was read as 1 hour, '2.500' participants refused as not whole.
    const body = {
      ...valid(),
      maxHours: '1.000',
      minParticipants: '1.000',
      maxParticipants: '2.500',
    };
    expect((await submitForm(agent, '/calls/new', body, '/calls')).status).toBe(302);
    const [call] = await callsOf(region.organisationId);
    expect(call).toMatchObject({
      max_hours_per_action: 1000,
      min_participants: 1000,
      max_participants: 2500,
    });
    // Left empty: no limit.
    const open = { ...valid(), maxHours: ' ', minParticipants: '', cofinancingPercent: '' };
    expect((await submitForm(agent, '/calls/new', open, '/calls')).status).toBe(302);
    expect((await callsOf(region.organisationId)).map((c) => c.max_hours_per_action)).toContain(
      null,
    );
    const wrong = await submitForm(
      agent,
      '/calls/new',
      { ...valid(), maxHours: '12,5', cofinancingPercent: '1.000' },
      '/calls',
    );
    expect(wrong.status).toBe(422);
    expect(errorSummary(wrong.text).map((l) => l.text)).toEqual([
      'Cofinanziamento delle imprese (%): Il valore massimo è 100',
      'Ore massime per azione: Inserisci un numero intero, senza virgola: per le migliaia usa il punto (1.000) o nessun separatore (1000)',
    ]);
  });

  it('says a negative amount is out of range, not badly written', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), budget: '-5', courseHour: '− 10,50' };
    const res = await submitForm(agent, '/calls/new', body, '/calls');
    expect(res.status).toBe(422);
    expect(errorSummary(res.text).map((l) => l.text)).toEqual([
      'Dotazione (€): Tra 0,01 € e 1.000.000.000.000 €.',
      "Costo standard per ora di corso (€): Tra 0 € e 100.000 € l'ora.",
    ]);
    expect(await callsOf(region.organisationId)).toHaveLength(0);
  });

  it('writes the limits in its hints as its errors do', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), maxParticipants: '10001' };
    const italian = await submitForm(agent, '/calls/new', body, '/calls');
    expect(errorSummary(italian.text).map((l) => l.text)).toEqual([
      'Partecipanti massimi per azione: Il valore massimo è 10.000',
    ]);
    expect(italian.text).toContain('Da 1 a 10.000.');
    const en = await agent.get('/calls/new?lang=en');
    expect(en.text).toContain('1 to 10,000.');
    expect(en.text).toContain('for example 12,500.50 or 12500.50.');
  });

  it('reads amounts as an English reader writes them, and says how when it cannot', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = {
      ...valid(),
      budget: '1,000,000',
      courseHour: '12,500',
      participantHour: '6 €/h',
    };
    const res = await submitForm(agent, '/calls/new?lang=en', body, '/calls');
    expect(res.status).toBe(422);
    expect(errorSummary(res.text).map((l) => l.text)).toEqual([
      'Standard cost per course hour (€): At most two decimals (cents): write twelve thousand five hundred as 12500 or 12,500.00.',
      'Standard cost per participant-hour (€): Write an amount in euros, for example 12,500.50 or 12500.50.',
    ]);
    const ok = await submitForm(
      agent,
      '/calls/new?lang=en',
      { ...body, courseHour: '120', participantHour: '6.50' },
      '/calls',
    );
    expect(ok.status).toBe(302);
    const [call] = await callsOf(region.organisationId);
    expect(call).toMatchObject({ budget_cents: 1_000_000_00 });
  });

  it('a reserve on the whole call is refused on its row alone, not as overlapping the others', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), alloc0Territory: 'ITI1' };
    const res = await submitForm(agent, '/calls/new', body, '/calls');
    expect(res.status).toBe(422);
    expect(errorSummary(res.text).map((l) => l.href)).toEqual(['#field-alloc0Territory']);
    expect(res.text).toContain('compreso in quello');
    expect(res.text).not.toContain('si sovrappone');
    expect(await callsOf(region.organisationId)).toHaveLength(0);
  });

  it('reads a deadline typed day first where the browser shows no date picker', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const deadline = farDay();
    const [year, month, day] = deadline.split('-').map(Number);
    const res = await submitForm(
      agent,
      '/calls/new',
      { ...valid(), deadline: `${day}/${month}/${year}` },
      '/calls',
    );
    expect(res.status).toBe(302);
    const [call] = await callsOf(region.organisationId);
    expect(call!.deadline).toBe(deadline);
  });

  it('reports every problem in one round, each next to its field, the input kept', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = {
      ...valid(),
      budget: '12,5,0',
      deadline: '2020-01-01',
      minParticipants: '30',
      alloc1Territory: '048014',
    };
    const res = await submitForm(agent, '/calls/new', body, '/calls');
    expect(res.status).toBe(422);
    const from = res.text.indexOf('error-summary-title');
    const summary = res.text.slice(from, res.text.indexOf('</ul>', from));
    const linked = [...summary.matchAll(/href="#field-(\w+)"/g)].map((m) => m[1]);
    expect(linked).toEqual(['deadline', 'budget', 'maxParticipants', 'alloc1Territory']);
    for (const [field, message] of [
      ['deadline', 'già passata'],
      ['budget', 'Scrivi un importo in euro'],
      ['maxParticipants', 'non possono essere meno'],
      ['alloc1Territory', 'si sovrappone'],
    ])
      expect(res.text).toMatch(
        new RegExp(`id="error-${field}" class="field-error mb-1">[^<]*${message}`),
      );
    expect(res.text).toContain('value="12,5,0"');
    expect(res.text).toContain('value="2020-01-01"');
    expect(res.text).toContain('value="30"');
    expect(await callsOf(region.organisationId)).toHaveLength(0);
  });

  it('names each field in the error summary by its label, allocation rows by their number', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = { ...valid(), budget: '-5', courseHour: 'abc', alloc1Amount: '' };
    const res = await submitForm(agent, '/calls/new', body, '/calls');
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 3);
    expect(errorSummary(res.text).map((l) => l.text.split(': ')[0])).toEqual([
      'Dotazione (€)',
      'Costo standard per ora di corso (€)',
      'Importo della riserva 2 (€)',
    ]);
  });

  it('refuses a campaign that does not cover the call’s territory, naming where it is', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const pisa = await newCampaign(t.db, { territory: 'ITI17' });
    const tuscany = await newCampaign(t.db, { territory: 'ITI1' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const form = await agent.get('/calls/new');
    expect(form.text).toMatch(/Campaign \w+ \(Pisa\)/);
    const res = await submitForm(
      agent,
      '/calls/new',
      { ...valid(), campaignId: pisa.id },
      '/calls',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-campaignId"');
    expect(res.text).toContain('riguarda Pisa, che non comprende il territorio dell&#x27;avviso');
    expect(res.text).toMatch(new RegExp(`<option value="${pisa.id}" selected`));
    expect(await callsOf(region.organisationId)).toHaveLength(0);
    const ok = await submitForm(
      agent,
      '/calls/new',
      { ...valid(), campaignId: tuscany.id },
      '/calls',
    );
    expect(ok.status).toBe(302);
    const [call] = await callsOf(region.organisationId);
    expect(call!.campaign_id).toBe(tuscany.id);
    // The call's page names the survey it draws on, without the form's "(optional)".
    const page = await agent.get(ok.headers.location!);
    expect(page.text).toMatch(
      /<dt class="col-sm-4">Indagine sui fabbisogni<\/dt><dd class="col-sm-8">Campaign \w+<\/dd>/,
    );
    expect(page.text).not.toContain('(facoltativa)');
  });

  it('refuses creation to authorities and partners (403)', async () => {
    const authority = await newUser(t.db, { role: 'local_authority' });
    const agent = await loginAs(testApp(t), authority.email, PASSWORD);
    expect((await agent.get('/calls/new')).status).toBe(403);
  });
});

describe('funding calls (readers)', () => {
  it('authorities and partners see open calls covering them, read-only, never drafts or the ledger', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const open = await newCall(t.db, region, { territory: 'ITI1' });
    const draft = await newCall(t.db, region, { territory: 'ITI1', status: 'draft' });
    const elsewhere = await newCall(t.db, region, { territory: 'ITI17' });
    const app = testApp(t);
    for (const role of ['local_authority', 'social_partner'] as const) {
      const user = await newUser(t.db, { role, territory: 'ITI14' });
      const agent = await loginAs(app, user.email, PASSWORD);
      const list = await agent.get('/calls');
      expect(list.status).toBe(200);
      expect(list.text).toContain(open.title);
      expect(list.text).not.toContain(draft.title);
      expect(list.text).not.toContain(elsewhere.title);
      const page = await agent.get(`/calls/${open.id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(`/calls/${open.id}/close`);
      expect(page.text).not.toContain('Registro degli impegni');
      expect((await agent.get(`/calls/${draft.id}`)).status).toBe(404);
      expect((await agent.get(`/calls/${elsewhere.id}`)).status).toBe(404);
    }
    const lombardia = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const other = await loginAs(app, lombardia.email, PASSWORD);
    expect((await other.get(`/calls/${open.id}`)).status).toBe(404);
    expect((await other.get('/calls')).text).not.toContain(open.title);
  });

  it('states the participants per action as one range, and names the unit cost as the pact pages do', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const both = await newCall(t.db, region, { minParticipants: 4, maxParticipants: 30 });
    const floor = await newCall(t.db, region, { minParticipants: 4 });
    const ceiling = await newCall(t.db, region, { maxParticipants: 30 });
    const none = await newCall(t.db, region);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const participants = async (id: string, lang = 'it') =>
      /<dd class="col-sm-8" data-participants>([^<]*)<\/dd>/.exec(
        (await agent.get(`/calls/${id}?lang=${lang}`)).text,
      )?.[1];
    expect(await participants(both.id)).toBe('da 4 a 30');
    expect(await participants(floor.id)).toBe('almeno 4');
    expect(await participants(ceiling.id)).toBe('al massimo 30');
    expect(await participants(none.id)).toBe('nessun limite');
    expect(await participants(both.id, 'en')).toBe('from 4 to 30');
    // The action form says "partecipanti × ore × … (ora-partecipante)": the call, the same.
    const page = await agent.get(`/calls/${both.id}?lang=it`);
    expect(page.text).toContain('Costo standard per ora-partecipante');
    expect(page.text).not.toContain('allievo');
  });

  it('refuses to open a call twice, with a message', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const call = await newCall(t.db, region, { status: 'draft', deadline: romeToday() });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    await submitForm(agent, `/calls/${call.id}`, {}, `/calls/${call.id}/open`);
    const again = await submitForm(agent, `/calls/${call.id}`, {}, `/calls/${call.id}/open`);
    expect(again.status).toBe(302);
    const page = await agent.get(`/calls/${call.id}`);
    expect(page.text).toContain('Si può aprire solo un avviso in bozza.');
    expect(page.text).not.toContain(`/calls/${call.id}/open"`);
    const row = await t.db
      .selectFrom('funding_calls')
      .selectAll()
      .where('id', '=', call.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });

  it('closes a call only after a page that says what closing does', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const call = await newCall(t.db, region, { territory: 'ITI1' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const status = async () =>
      (
        await t.db
          .selectFrom('funding_calls')
          .select('status')
          .where('id', '=', call.id)
          .executeTakeFirstOrThrow()
      ).status;
    expect((await agent.get(`/calls/${call.id}`)).text).toContain(`href="/calls/${call.id}/close"`);
    const ask = await agent.get(`/calls/${call.id}/close`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Chiudere l&#x27;avviso');
    expect(ask.text).toContain('nessun nuovo patto potrà sceglierlo');
    expect(ask.text).toContain(`href="/calls/${call.id}"`);
    expect(await status()).toBe('open');
    const closed = await submitForm(
      agent,
      `/calls/${call.id}/close`,
      {},
      `/calls/${call.id}/close`,
    );
    expect(closed.status).toBe(302);
    expect(await status()).toBe('closed');
    // The page it leads to says so in words, not as the message's key.
    const after = await agent.get(`/calls/${call.id}`);
    expect(after.text).toContain('Avviso chiuso: nessun nuovo patto può sceglierlo.');
    expect(after.text).not.toContain('funding.flash');
    // Closed: nothing left to confirm.
    expect((await agent.get(`/calls/${call.id}/close`)).headers.location).toBe(`/calls/${call.id}`);
    // A reader who does not manage the call is refused the page.
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const reader = await loginAs(testApp(t), authority.email, PASSWORD);
    expect((await reader.get(`/calls/${call.id}/close`)).status).toBe(403);
  });
});
