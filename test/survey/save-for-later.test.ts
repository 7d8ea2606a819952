import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { postStep } from './flow';
import { newCampaign, newFirmUser, newVat, profile } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const firmRow = (firmId: string) =>
  t.db.selectFrom('firms').selectAll().where('organisation_id', '=', firmId).executeTakeFirst();

const draftOf = (campaignId: string, firmId: string) =>
  t.db
    .selectFrom('response_drafts')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('firm_id', '=', firmId)
    .executeTakeFirstOrThrow();

const fullProfile = (overrides: Record<string, string> = {}) => {
  const p = profile();
  return {
    legalName: p.legalName,
    vatNumber: newVat(),
    naceDivision: p.naceDivision,
    employees: '40',
    territoryCode: p.territoryCode,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
    ...overrides,
  };
};

describe('POST /survey/:id/step/1 with "save and continue later"', () => {
  it('gives way to the profile the firm completed on its profile page meanwhile', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await agent.get(`/survey/${id}/step/1`);
    await postStep(agent, `/survey/${id}/step/1`, {
      action: 'save',
      ...fullProfile({ vatNumber: '0123', employees: '12', contactEmail: 'anna@' }),
    });
    // The home page says the profile is incomplete and links to it: the firm completes it there.
    const complete = fullProfile({ employees: '15', contactEmail: 'anna@bozza.test' });
    expect((await submitForm(agent, '/firm/profile', complete)).status).toBe(302);
    // Step 1 showed the old typos again, over the profile just saved.
    const page = await agent.get(`/survey/${id}/step/1`);
    expect(page.text).toContain(`value="IT${complete.vatNumber}"`);
    expect(page.text).toContain('value="15"');
    expect(page.text).toContain('value="anna@bozza.test"');
    expect(page.text).not.toContain('value="0123"');
  });

  it('keeps an unfinished profile in the draft and shows it again; the firm is not touched', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await agent.get(`/survey/${id}/step/1`); // opens the draft
    const before = await firmRow(firm.organisationId);
    const res = await postStep(agent, `/survey/${id}/step/1`, {
      action: 'save',
      legalName: 'Officine Bozza S.r.l.',
      vatNumber: '0123',
      naceDivision: '',
      employees: '12',
      territoryCode: '',
      contactName: 'Anna Bozza',
      contactEmail: 'anna@',
    });
    expect(res.status).toBe(302);
    expect(await firmRow(firm.organisationId)).toEqual(before);
    // The flash addressed the firm as a man ("da dove eri rimasto"); it says where, not who.
    const home = await agent.get(res.headers.location!);
    expect(home.text).toContain(
      'Bozza salvata: quando torni, riprendi dal punto in cui l&#x27;hai lasciata.',
    );

    const page = await agent.get(`/survey/${id}/step/1`);
    for (const typed of ['Officine Bozza S.r.l.', '0123', '12', 'Anna Bozza', 'anna@'])
      expect(page.text).toContain(`value="${typed}"`);
    expect(page.text).not.toContain('class="field-error');
  });

  it('saves a complete profile to the firm, and a later "next" replaces the unfinished one', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    await postStep(agent, `/survey/${id}/step/1`, { action: 'save', contactName: 'Bozza' });
    const done = fullProfile({ employees: '41' });
    const res = await postStep(agent, `/survey/${id}/step/1`, { action: 'save', ...done });
    expect(res.status).toBe(302);
    expect(await firmRow(firm.organisationId)).toMatchObject({
      employees: 41,
      contact_name: done.contactName,
    });
    expect((await draftOf(id, firm.organisationId)).payload).not.toHaveProperty('profile');
    const page = await agent.get(`/survey/${id}/step/1`);
    expect(page.text).toContain(`value="${done.contactName}"`);
    expect(page.text).not.toContain('value="Bozza"');
  });

  it('keeps the fields of a firm whose VAT number another firm holds, without saving them', async () => {
    const { id } = await newCampaign(t.db);
    const other = await newFirmUser(t.db);
    const taken = (await firmRow(other.organisationId))!.vat_number!;
    const firm = await newFirmUser(t.db);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await postStep(agent, `/survey/${id}/step/1`, {
      action: 'save',
      ...fullProfile({ vatNumber: taken, contactName: 'Mario Bozza' }),
    });
    expect(res.status).toBe(302);
    expect((await firmRow(firm.organisationId))!.vat_number).not.toBe(taken);
    const page = await agent.get(`/survey/${id}/step/1`);
    expect(page.text).toContain('value="Mario Bozza"');
  });

  it('saves what an association changes for a firm under a delegation', async () => {
    const { id } = await newCampaign(t.db);
    const firm = await newFirmUser(t.db, 40);
    const partner = await newUser(t.db, {
      role: 'social_partner',
      organisation: `Confindustria ${firm.id.slice(0, 6)}`,
    });
    const firmAgent = await loginAs(testApp(t), firm.email, PASSWORD);
    const partnerAgent = await loginAs(testApp(t), partner.email, PASSWORD);
    await submitForm(firmAgent, '/delegations', { associationId: partner.organisationId });
    const suffix = `?firm=${firm.organisationId}`;
    const f = (await firmRow(firm.organisationId))!;
    const res = await postStep(partnerAgent, `/survey/${id}/step/1${suffix}`, {
      action: 'save',
      ...fullProfile({ vatNumber: f.vat_number!, employees: '41' }),
    });
    expect(res.status).toBe(302);
    expect((await firmRow(firm.organisationId))!.employees).toBe(41);
  });
});
