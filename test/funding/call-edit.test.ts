import { loginAs, submitForm, testApp } from '../helpers/app';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { romeToday } from '../../src/modules/survey/calendar';
import { transitionCall, updateDraftCall } from '../../src/modules/funding/calls.service';
import { callFromForm, callSchema } from '../../src/modules/funding/funding.schemas';
import { newCall } from './helpers';
import { farDay } from '../helpers/dates';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

/** The call as stored, with its reserves and areas. */
const stored = async (id: string) => ({
  ...(await t.db
    .selectFrom('funding_calls')
    .select([
      'title',
      'description',
      'territory_code',
      'deadline',
      'budget_cents',
      'course_hour_cents',
      'participant_hour_cents',
      'cofinancing_percent',
      'max_hours_per_action',
      'min_participants',
      'max_participants',
      'max_cost_per_participant_cents',
      'status',
    ])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()),
  allocations: await t.db
    .selectFrom('funding_call_allocations')
    .select(['territory_code', 'amount_cents'])
    .where('call_id', '=', id)
    .orderBy('territory_code')
    .execute(),
  areas: (
    await t.db
      .selectFrom('funding_call_skill_areas')
      .select('area_code')
      .where('call_id', '=', id)
      .orderBy('area_code')
      .execute()
  ).map((r) => r.area_code),
});

/** The deadline the edit moves a draft's to: later than the draft's, still to come. */
const EDITED_DEADLINE = farDay(90);
const edited = (): Record<string, string | string[]> => ({
  title: 'Competenze digitali — avviso corretto',
  description: 'Descrizione corretta',
  territoryCode: 'ITI1',
  campaignId: '',
  budget: '800.000',
  courseHour: '110,50',
  participantHour: '7',
  cofinancingPercent: '10',
  maxHours: '120',
  minParticipants: '5',
  maxParticipants: '20',
  maxCostPerParticipant: '2500',
  deadline: EDITED_DEADLINE,
  skillAreas: ['DC2', 'DC4'],
  alloc0Territory: 'ITI15',
  alloc0Amount: '300000',
});

/** A draft of a region (ITI1) with two reserves and an area. */
async function draft(seed: { deadline?: string } = {}) {
  const region = await newUser(t.db, { role: 'region' });
  const call = await newCall(t.db, region, {
    status: 'draft',
    deadline: seed.deadline ?? farDay(),
    budgetCents: 1_000_000_00,
    courseHourCents: 120_50,
    maxCostPerParticipantCents: 3000_00,
    areas: ['F40'],
    allocations: [
      { territory: 'ITI14', cents: 400_000_00 },
      { territory: 'ITI17', cents: 250_000_00 },
    ],
  });
  return { region, call };
}

describe('GET/POST /calls/:id/edit', () => {
  it('corrects a draft: every field, its reserves and areas replaced', async () => {
    const { region, call } = await draft();
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const show = await agent.get(`/calls/${call.id}`);
    expect(show.text).toContain(`href="/calls/${call.id}/edit">Modifica la bozza</a>`);
    const form = await agent.get(`/calls/${call.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`action="/calls/${call.id}/edit"`);
    expect(form.text).toContain(`href="/calls/${call.id}"`);
    // The stored call, as the form shows it back: amounts in euros, reserves in their rows.
    expect(form.text).toContain(`value="${call.title}"`);
    expect(form.text).toContain('value="1000000,00"');
    expect(form.text).toContain('value="120,50"');
    expect(form.text).toContain('value="3000,00"');
    expect(form.text).toContain('value="400000,00"');
    expect(form.text).toContain('value="250000,00"');
    expect(form.text).toMatch(/value="F40" id="field-skillAreas" checked/);
    expect(form.text).toMatch(
      /name="alloc0Territory"[\s\S]*?<option value="ITI14" selected>[\s\S]*?name="alloc1Territory"[\s\S]*?<option value="ITI17" selected>/,
    );
    // In English the amounts are written as English readers type them.
    const en = await agent.get(`/calls/${call.id}/edit?lang=en`);
    expect(en.text).toContain('value="1000000.00"');
    expect(en.text).toContain('Save the changes');
    await agent.get('/calls?lang=it');

    const res = await submitForm(
      agent,
      `/calls/${call.id}/edit`,
      edited(),
      `/calls/${call.id}/edit`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/calls/${call.id}`);
    expect(await stored(call.id)).toEqual({
      title: 'Competenze digitali — avviso corretto',
      description: 'Descrizione corretta',
      territory_code: 'ITI1',
      deadline: EDITED_DEADLINE,
      budget_cents: 800_000_00,
      course_hour_cents: 110_50,
      participant_hour_cents: 7_00,
      cofinancing_percent: 10,
      max_hours_per_action: 120,
      min_participants: 5,
      max_participants: 20,
      max_cost_per_participant_cents: 2500_00,
      status: 'draft',
      allocations: [{ territory_code: 'ITI15', amount_cents: 300_000_00 }],
      areas: ['DC2', 'DC4'],
    });
    expect((await agent.get(`/calls/${call.id}`)).text).toContain(
      'Bozza dell&#x27;avviso aggiornata.',
    );
  });

  it('keeps what was typed, names each field, and changes nothing on bad input', async () => {
    const { region, call } = await draft();
    const before = await stored(call.id);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const body = {
      ...edited(),
      title: 'x'.repeat(201),
      budget: 'molti',
      deadline: '2020-01-01',
      alloc0Territory: 'ITI1',
      alloc1Territory: 'ITI14',
      alloc1Amount: '',
    };
    const res = await submitForm(agent, `/calls/${call.id}/edit`, body, `/calls/${call.id}/edit`);
    expect(res.status).toBe(422);
    expectSummaryNamesFields(res.text, 5);
    expect(errorSummary(res.text).map((l) => l.href)).toEqual([
      '#field-title',
      '#field-deadline',
      '#field-budget',
      '#field-alloc0Territory',
      '#field-alloc1Amount',
    ]);
    expect(res.text).toContain('La scadenza non può essere già passata.');
    expect(res.text).toContain('value="molti"');
    expect(res.text).toContain('value="2020-01-01"');
    expect(res.text).toContain('value="110,50"');
    expect(res.text).toMatch(/value="DC2" id="field-skillAreas-DC2" checked/);
    expect(res.text).toContain(`action="/calls/${call.id}/edit"`);
    expect(await stored(call.id)).toEqual(before);

    // A rule only the database can check (a reserve over the budget) is refused the same way.
    const over = { ...edited(), budget: '100000' };
    const refused = await submitForm(
      agent,
      `/calls/${call.id}/edit`,
      over,
      `/calls/${call.id}/edit`,
    );
    expect(refused.status).toBe(422);
    expect(errorSummary(refused.text).map((l) => l.href)).toEqual(['#field-alloc0Amount']);
    expect(refused.text).toContain('Le riserve superano la dotazione dell&#x27;avviso.');
    expect(refused.text).toContain('value="Competenze digitali — avviso corretto"');
    expect(await stored(call.id)).toEqual(before);
  });

  it('refuses a call already opened: the page leads back, the form is refused with 409', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const call = await newCall(t.db, region, { status: 'open' });
    const before = await stored(call.id);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get(`/calls/${call.id}`)).text).not.toContain(`/calls/${call.id}/edit`);
    const page = await agent.get(`/calls/${call.id}/edit`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`/calls/${call.id}`);
    const res = await submitForm(agent, '/calls/new', edited(), `/calls/${call.id}/edit`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Solo un avviso in bozza si può modificare');
    // Even with bad input, the answer is that the call is no longer a draft.
    const bad = { ...edited(), budget: 'molti' };
    const late = await submitForm(agent, '/calls/new', bad, `/calls/${call.id}/edit`);
    expect(late.status).toBe(409);
    expect(late.text).toContain('Solo un avviso in bozza si può modificare');
    expect(await stored(call.id)).toEqual(before);
  });

  it("is not found for another region's draft, and refused to other roles", async () => {
    const { call } = await draft();
    const before = await stored(call.id);
    const other = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const agent = await loginAs(testApp(t), other.email, PASSWORD);
    expect((await agent.get(`/calls/${call.id}/edit`)).status).toBe(404);
    const res = await submitForm(agent, '/calls/new', edited(), `/calls/${call.id}/edit`);
    expect(res.status).toBe(404);
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const reader = await loginAs(testApp(t), authority.email, PASSWORD);
    expect((await reader.get(`/calls/${call.id}/edit`)).status).toBe(403);
    expect(await stored(call.id)).toEqual(before);
  });

  it('a draft whose deadline has passed is not stuck: move the deadline, then open it', async () => {
    const { region, call } = await draft({ deadline: '2020-06-30' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get(`/calls/${call.id}`);
    expect(page.text).toContain('La scadenza (30 giugno 2020) è già passata');
    const open = await submitForm(agent, `/calls/${call.id}`, {}, `/calls/${call.id}/open`);
    expect(open.status).toBe(302);
    const refused = await agent.get(`/calls/${call.id}`);
    expect(refused.text).toContain('Spostala con «Modifica la bozza», poi aprilo.');
    expect(refused.text).toContain(`href="/calls/${call.id}/edit"`);
    expect((await stored(call.id)).status).toBe('draft');

    // The edit form shows the stored (past) deadline; the user moves it and keeps the rest.
    const form = await agent.get(`/calls/${call.id}/edit`);
    expect(form.text).toContain('value="2020-06-30"');
    const values = {
      ...edited(),
      title: call.title,
      budget: '1000000',
      alloc0Territory: 'ITI14',
      alloc0Amount: '400000',
      alloc1Territory: 'ITI17',
      alloc1Amount: '250000',
      deadline: romeToday(),
    };
    const saved = await submitForm(
      agent,
      `/calls/${call.id}/edit`,
      values,
      `/calls/${call.id}/edit`,
    );
    expect(saved.status).toBe(302);
    const moved = await agent.get(`/calls/${call.id}`);
    expect(moved.text).not.toContain('è già passata');
    const opened = await submitForm(agent, `/calls/${call.id}`, {}, `/calls/${call.id}/open`);
    expect(opened.status).toBe(302);
    expect(await stored(call.id)).toMatchObject({ status: 'open', deadline: romeToday() });
    expect((await agent.get(`/calls/${call.id}`)).text).toContain('Avviso aperto');
  });

  it('shows every reserve of a draft made through the API, beyond the five rows, and keeps them', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const territories = ['ITI11', 'ITI12', 'ITI13', 'ITI14', 'ITI15', 'ITI16', 'ITI17'];
    const call = await newCall(t.db, region, {
      status: 'draft',
      allocations: territories.map((territory) => ({ territory, cents: 1000_00 })),
    });
    const before = await stored(call.id);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const form = await agent.get(`/calls/${call.id}/edit`);
    expect(form.text).toContain('name="alloc6Territory"');
    // Five empty rows after them, for more reserves.
    expect(form.text).toContain('name="alloc11Territory"');
    expect(form.text).not.toContain('name="alloc12Territory"');
    // Sent back as the browser would send the form unchanged, apart from the title.
    const body: Record<string, string | string[]> = {
      ...edited(),
      budget: '100000',
      alloc0Territory: '',
      alloc0Amount: '',
      ...Object.fromEntries(
        territories.flatMap((code, i) => [
          [`alloc${i}Territory`, code],
          [`alloc${i}Amount`, '1000'],
        ]),
      ),
    };
    const res = await submitForm(agent, `/calls/${call.id}/edit`, body, `/calls/${call.id}/edit`);
    expect(res.status).toBe(302);
    expect((await stored(call.id)).allocations).toEqual(before.allocations);
  });

  it('offers empty rows after the reserves a draft has: a region reserves for all ten provinces', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const provinces = 'ITI11 ITI12 ITI13 ITI14 ITI15 ITI16 ITI17 ITI18 ITI19 ITI1A'.split(' ');
    const rows = (codes: string[]) =>
      Object.fromEntries(
        codes.flatMap((code, i) => [
          [`alloc${i}Territory`, code],
          [`alloc${i}Amount`, '1000'],
        ]),
      );
    const first = { ...edited(), budget: '100000', ...rows(provinces.slice(0, 5)) };
    expect((await submitForm(agent, '/calls/new', first, '/calls')).status).toBe(302);
    const { id } = await t.db
      .selectFrom('funding_calls')
      .select('id')
      .where('organisation_id', '=', region.organisationId)
      .executeTakeFirstOrThrow();
    const form = await agent.get(`/calls/${id}/edit`);
    // Five reserves filled the five rows of a new call: five more are offered, empty.
    expect(form.text).toContain('name="alloc9Territory"');
    const all = { ...first, ...rows(provinces) };
    const res = await submitForm(agent, `/calls/${id}/edit`, all, `/calls/${id}/edit`);
    expect(res.status).toBe(302);
    expect((await stored(id)).allocations).toHaveLength(10);
  });

  it('an edit and an opening at the same moment take turns: the edit lands before, or is refused', async () => {
    for (let round = 0; round < 3; round++) {
      const { region, call } = await draft();
      const input = callFromForm(callSchema.parse(edited()));
      const [edit] = await Promise.allSettled([
        updateDraftCall(t.db, region, call.id, input),
        transitionCall(t.db, region, call.id, 'open'),
      ]);
      const after = await stored(call.id);
      expect(after.status).toBe('open');
      if (edit.status === 'fulfilled') expect(after.title).toBe(edited().title);
      else {
        expect((edit.reason as { status: number }).status).toBe(409);
        expect(after.title).toBe(call.title);
      }
    }
  });
});
