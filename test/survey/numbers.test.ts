import { loginAs, submitForm, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { wholeNumber } from '../../src/modules/firms/firms.schemas';
import { postStep, reachNeeds } from './flow';
import { needLine, needsBody, newCampaign, newFirmUser, profile } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const employeesOf = async (firmId: string) =>
  (
    await t.db
      .selectFrom('firms')
      .select('employees')
      .where('organisation_id', '=', firmId)
      .executeTakeFirstOrThrow()
  ).employees;

describe('wholeNumber', () => {
  const count = wholeNumber(1, 1_000_000);
  it.each([
    ['1000', 1000],
    ['1.000', 1000],
    ['2.500', 2500],
    ['1.000.000', 1_000_000],
    [' 41 ', 41],
  ])('reads %p as %p', (typed, value) => {
    expect(count.parse(typed)).toBe(value);
  });

  it.each([
    ['1,000', 'validation.wholeNumberComma'],
    ['1,5', 'validation.wholeNumberComma'],
    ['1.5', 'validation.wholeNumberDot'],
    ['1.0', 'validation.wholeNumberDot'],
    ['10.00', 'validation.wholeNumberDot'],
  ])('refuses %p, never reading it as another number', (typed, message) => {
    const r = count.safeParse(typed);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ code: 'custom', message });
  });

  it("quotes the field's own maximum for a number past 2^53", () => {
    const r = count.safeParse('99999999999999999999');
    expect(r.error!.issues[0]).toMatchObject({ code: 'too_big', maximum: 1_000_000 });
  });
});

const profileForm = (firmEmployees: string) => {
  const p = profile();
  return {
    legalName: p.legalName,
    vatNumber: p.vatNumber,
    naceDivision: p.naceDivision,
    employees: firmEmployees,
    territoryCode: p.territoryCode,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
  };
};

describe('employees typed the Italian way', () => {
  it('saves "1.000" on survey step 1 as one thousand', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await postStep(agent, `/survey/${id}/step/1`, {
      action: 'next',
      ...profileForm('1.000'),
    });
    expect(res.status).toBe(302);
    expect(await employeesOf(firm.organisationId)).toBe(1000);
  });

  it.each([
    ['1,000', 'senza virgola'],
    ['1,5', 'senza virgola'],
    ['1.5', 'il punto separa solo le migliaia'],
    ['99999999999999999999', 'Il valore massimo è 1.000.000'],
  ])(
    'refuses %p on /firm/profile next to the field, keeps it, saves nothing',
    async (typed, says) => {
      const firm = await newFirmUser(t.db, 40);
      const agent = await loginAs(testApp(t), firm.email, PASSWORD);
      const res = await submitForm(agent, '/firm/profile', profileForm(typed));
      expect(res.status).toBe(422);
      expect(res.text).toMatch(new RegExp(`id="error-employees"[^>]*>[^<]*${says}`));
      expect(res.text).toContain(`value="${typed}"`);
      expect(res.text).not.toContain('9007199254740991');
      expect(await employeesOf(firm.organisationId)).toBe(40);
    },
  );
});

describe('workers to train typed the Italian way', () => {
  it('reads "1.000" as one thousand and refuses "1,5" next to the field', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 2000);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const path = `/survey/${id}/step/3`;
    const bad = await postStep(agent, path, {
      action: 'next',
      ...needsBody([needLine({ workers: '1,5' })]),
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('senza virgola');
    expect(bad.text).toContain('value="1,5"');
    const good = await postStep(agent, path, {
      action: 'next',
      ...needsBody([needLine({ workers: '1.000' })]),
    });
    expect(good.status).toBe(302);
    expect(good.headers.location).toBe(`/survey/${id}/step/4`);
    const review = await agent.get(`/survey/${id}/step/4`);
    // Shown as the firm wrote it: thousands grouped, as on every page.
    expect(review.text).toMatch(/>\s*1\.000\s*</);
  });
});
