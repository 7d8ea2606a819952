import { loginAs, submitForm, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, newFirmUser, profile, versionOf } from '../survey/helpers';
import { newUser } from '../helpers/factories';
import { pageText } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const form = (change: Record<string, string>) => {
  const p = profile();
  return {
    legalName: p.legalName,
    vatNumber: p.vatNumber,
    naceDivision: p.naceDivision,
    employees: '40',
    territoryCode: p.territoryCode,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
    ...change,
  };
};

describe('POST /firm/profile', () => {
  it.each([
    ['an address that is no e-mail', 'contactEmail', 'mario.rossi', 'ad esempio nome@esempio.it'],
    ['an over-long phone', 'contactPhone', '0'.repeat(31), 'Inserisci al massimo 30 caratteri'],
    ['no sector chosen', 'naceDivision', '', 'Campo obbligatorio'],
    ['no territory chosen', 'territoryCode', '', 'Campo obbligatorio'],
    // A sole trader knows its owner's codice fiscale by heart: it was told only "11 cifre".
    [
      "the owner's codice fiscale",
      'vatNumber',
      'RSSMRA80A01D612Z',
      'Questo è un codice fiscale di persona: inserisci la partita IVA',
    ],
  ])('says what is wrong with %s next to the field, keeping it', async (_w, field, typed, says) => {
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await submitForm(agent, '/firm/profile', form({ [field]: typed }));
    expect(res.status).toBe(422);
    expect(res.text).toMatch(new RegExp(`id="error-${field}"[^>]*>[^<]*${says}`));
    expect(res.text).toContain(`value="${typed}"`);
    // A screen reader hears the field is wrong, and why, on reaching it.
    const tag = new RegExp(`<(?:input|select|textarea)\\b[^>]*id="field-${field}"[^>]*>`).exec(
      res.text,
    )![0];
    expect(tag).toContain('aria-invalid="true"');
    expect(tag).toMatch(new RegExp(`aria-describedby="[^"]*\\berror-${field}\\b`));
  });
});

describe('a made-up sector or comune among other problems', () => {
  // The sector and comune were looked up only once everything else was right: the firm fixed the
  // e-mail, sent again, and only then heard that its sector did not exist.
  it('is named in the same round as the rest, on the profile and on step 1', async () => {
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const typed = { contactEmail: 'mario.rossi', naceDivision: '00', territoryCode: 'ITI1' };
    const said = (html: string, field: string) => {
      const text = new RegExp(`id="error-${field}"[^>]*>([^<]*)`).exec(html)?.[1];
      return text === undefined ? undefined : pageText(text);
    };
    const { id } = await newCampaign(t.db);
    await agent.get(`/survey/${id}`);
    const step1 = `/survey/${id}/step/1`;
    const version = versionOf((await agent.get(step1)).text);
    for (const [url, extra] of [
      ['/firm/profile', {}],
      [step1, { action: 'next', version }],
    ] as const) {
      const res = await submitForm(agent, url, { ...form(typed), ...extra });
      expect(res.status).toBe(422);
      expect(said(res.text, 'contactEmail')).toMatch(/esempio/);
      expect(said(res.text, 'naceDivision')).toBe("Scegli un settore dall'elenco");
      expect(said(res.text, 'territoryCode')).toBe(
        "Scegli il comune della sede principale dall'elenco",
      );
    }
  });
});

describe("a new firm's contact person", () => {
  it('is the person who registered it until the profile names one, on the profile and step 1', async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const value = (html: string, field: string) =>
      new RegExp(`id="field-${field}"[^>]*?value="([^"]*)"`, 's').exec(html)?.[1];
    // Both fields were empty: the firm typed again the name and address it had just registered.
    const page = await agent.get('/firm/profile');
    expect(value(page.text, 'contactName')).toBe(user.fullName);
    expect(value(page.text, 'contactEmail')).toBe(user.email);
    const { id } = await newCampaign(t.db);
    await agent.get(`/survey/${id}`);
    const step1 = await agent.get(`/survey/${id}/step/1`);
    expect(value(step1.text, 'contactName')).toBe(user.fullName);
    expect(value(step1.text, 'contactEmail')).toBe(user.email);
    // Nothing is stored until the firm saves its profile.
    const firm = await t.db
      .selectFrom('firms')
      .select(['contact_name', 'contact_email'])
      .where('organisation_id', '=', user.organisationId)
      .executeTakeFirst();
    expect(firm?.contact_name ?? null).toBeNull();
  });

  it("is not the association's user filling the survey in for the firm", async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const partner = await newUser(t.db, { role: 'social_partner' });
    const firmAgent = await loginAs(testApp(t), user.email, PASSWORD);
    expect(
      (await submitForm(firmAgent, '/delegations', { associationId: partner.organisationId }))
        .status,
    ).toBe(302);
    const { id } = await newCampaign(t.db);
    const agent = await loginAs(testApp(t), partner.email, PASSWORD);
    const suffix = `?firm=${user.organisationId}`;
    await agent.get(`/survey/${id}${suffix}`);
    const step1 = await agent.get(`/survey/${id}/step/1${suffix}`);
    expect(step1.status).toBe(200);
    expect(step1.text).toMatch(/id="field-contactName"[^>]*?value=""/s);
    expect(step1.text).not.toContain(partner.email);
  });
});
