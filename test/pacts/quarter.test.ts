import { formQuarter, quarterOrYear } from '../../src/http/quarter';
import { submitForm, type Agent } from '../helpers/app';
import { errorSummary } from '../helpers/error-summary';
import type { TestDb } from '../helpers/test-db';
import { newPact } from './factories';
import { signedInScenario, type PactScenario } from './scenario';

describe('formQuarter', () => {
  it.each([
    ['2027-Q1', '2027-Q1'],
    ['2027Q1', '2027-Q1'],
    ['2027 q2', '2027-Q2'],
    ['2027/Q3', '2027-Q3'],
    ['Q4 2027', '2027-Q4'],
    [' q1-2028 ', '2028-Q1'],
    // T for trimestre, as an Italian writes it.
    ['2027-T1', '2027-Q1'],
    ['T3 2027', '2027-Q3'],
    ['2027 t4', '2027-Q4'],
  ])('reads %p as %p', (typed, quarter) => {
    expect(formQuarter.parse(typed)).toBe(quarter);
  });

  it.each([
    ['Q5 2027', 'validation.quarterNumber'],
    ['2027Q0', 'validation.quarterNumber'],
    ['T5 2027', 'validation.quarterNumber'],
    ['1999-Q1', 'validation.quarterYear'],
    ['2027', 'validation.quarter'],
    ['primo trimestre 2027', 'validation.quarter'],
    ['2027-03', 'validation.quarter'],
    ['', 'validation.required'],
  ])('refuses %p, saying %p', (typed, key) => {
    const r = formQuarter.safeParse(typed);
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.code === 'custom' ? issue.message : 'validation.required').toBe(key);
  });
});

describe('quarterOrYear', () => {
  it.each([
    ['2027', '2027'],
    ['Q2 2027', '2027-Q2'],
    ['', undefined],
  ])('reads %p as %p', (typed, period) => {
    expect(quarterOrYear.parse(typed)).toBe(period);
  });

  it.each(['27', '2027-Q5', 'estate'])('refuses %p, saying both forms', (typed) => {
    expect(quarterOrYear.safeParse(typed).error!.issues[0]!.message).toBe(
      'validation.quarterOrYear',
    );
  });
});

describe("an action's period, as typed on the form", () => {
  let t: TestDb;
  let s: PactScenario;
  let authority: Agent;
  beforeAll(async () => {
    ({ t, s, authority } = await signedInScenario());
  });
  afterAll(() => t.close());

  const action = (period: string) => ({
    revision: '1',
    title: 'Robotica',
    description: '',
    skills: 'F40.a',
    participants: '3',
    hours: '40',
    modality: 'classroom',
    eqfLevel: '4',
    period,
    provider: '',
  });

  it('stores 2027Q1 as the quarter 2027-Q1', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/new`,
      action('2027Q1'),
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(302);
    const rows = await t.db
      .selectFrom('pact_actions')
      .select('period')
      .where('pact_id', '=', pact.id)
      .execute();
    expect(rows).toEqual([{ period: '2027-Q1' }]);
  });

  it('says a year has four quarters for Q5 2027, in Italian and English, and keeps it', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const path = `/pacts/${pact.id}/actions/new`;
    const itRes = await submitForm(authority, path, action('Q5 2027'), `/pacts/${pact.id}/actions`);
    expect(itRes.status).toBe(422);
    expect(errorSummary(itRes.text)).toEqual([
      {
        href: '#field-period',
        text: 'Periodo: Un anno ha quattro trimestri: scrivi da Q1 a Q4, per esempio 2027-Q4',
      },
    ]);
    expect(itRes.text).toContain('value="Q5 2027"');
    const en = await submitForm(
      authority,
      `${path}?lang=en`,
      action('first quarter'),
      `/pacts/${pact.id}/actions`,
    );
    expect(errorSummary(en.text)).toEqual([
      {
        href: '#field-period',
        text: 'Period: Write the quarter as year and quarter number, for example 2027-Q1',
      },
    ]);
    const rows = await t.db.selectFrom('pact_actions').where('pact_id', '=', pact.id).execute();
    expect(rows).toEqual([]);
  });

  it('refuses a quarter before the survey opened (a mistyped year), keeping what was typed', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [],
    });
    const res = await submitForm(
      authority,
      `/pacts/${pact.id}/actions/new?lang=en`,
      action('2020-Q1'),
      `/pacts/${pact.id}/actions`,
    );
    expect(res.status).toBe(422);
    expect(errorSummary(res.text)).toEqual([
      {
        href: '#field-period',
        text: 'Period: Give a quarter from 2026-Q1 onwards: the action answers the needs of the survey, which opened in 2026-Q1.',
      },
    ]);
    expect(res.text).toContain('value="2020-Q1"');
    const rows = await t.db.selectFrom('pact_actions').where('pact_id', '=', pact.id).execute();
    expect(rows).toEqual([]);
  });

  it('refuses changing an action to such a quarter, and still saves one that kept its own', async () => {
    const pact = await newPact(t.db, {
      promoter: s.authority,
      campaign: s.campaign.id,
      actions: [{ period: '2025-Q4' }],
    });
    const { id } = await t.db
      .selectFrom('pact_actions')
      .select('id')
      .where('pact_id', '=', pact.id)
      .executeTakeFirstOrThrow();
    const path = `/pacts/${pact.id}/actions/${id}/edit`;
    const moved = await submitForm(authority, `${path}?lang=it`, action('2020-Q1'), path);
    expect(moved.status).toBe(422);
    expect(errorSummary(moved.text)[0]!.text).toBe(
      "Periodo: Indica un trimestre dal 2026-Q1 in poi: l'azione risponde ai fabbisogni dell'indagine, aperta nel 2026-Q1.",
    );
    const kept = await submitForm(authority, path, action('2025-Q4'), path);
    expect(kept.status).toBe(302);
    const row = await t.db
      .selectFrom('pact_actions')
      .select(['period', 'title'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ period: '2025-Q4', title: 'Robotica' });
  });
});
