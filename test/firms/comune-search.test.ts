import request from 'supertest';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { COMUNE_LIST_MAX } from '../../src/modules/firms/comune-field';
import { newCampaign, newFirmUser, profile, versionOf } from '../survey/helpers';
import { pageText } from '../helpers/html';

// With a country's whole list of comuni imported (ISTAT: ~7,900), the registration form and the
// firm's profile drew every one of them as an option: half a megabyte a page, and two comuni of
// one name ("Samone (001235)", "Samone (022165)") told apart by their codes only. Past
// COMUNE_LIST_MAX the firm types the name, and chooses when several comuni share it.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
  await t.db
    .insertInto('territories')
    .values([
      { code: 'ZZ', level: 'NUTS0', parent_code: null, name: 'Zeta', version: 't' },
      { code: 'ZZA', level: 'NUTS3', parent_code: 'ZZ', name: 'Provincia Alfa', version: 't' },
      { code: 'ZZB', level: 'NUTS3', parent_code: 'ZZ', name: 'Provincia Beta', version: 't' },
    ])
    .execute();
  await t.db
    .insertInto('territories')
    .values([
      ...Array.from({ length: COMUNE_LIST_MAX }, (_, i) => ({
        code: `ZZ${String(i).padStart(4, '0')}`,
        level: 'LAU' as const,
        parent_code: 'ZZA',
        name: `Borgo ${i}`,
        version: 't',
      })),
      { code: '901001', level: 'LAU', parent_code: 'ZZA', name: 'Samone', version: 't' },
      { code: '902001', level: 'LAU', parent_code: 'ZZB', name: 'Samone', version: 't' },
      { code: '902002', level: 'LAU', parent_code: 'ZZB', name: 'Sàmonella', version: 't' },
    ])
    .execute();
});
afterAll(() => t.close());

const error = (html: string) => {
  const said = /id="error-territoryCode"[^>]*>([^<]*)/.exec(html)?.[1];
  return said === undefined ? undefined : pageText(said);
};
const choices = (html: string) =>
  [...html.matchAll(/name="territoryPick"[^>]*value="([^"]*)"[\s\S]*?<label[^>]*>([^<]*)</g)].map(
    (m) => `${m[2]!.trim()}|${m[1]}`,
  );
const shown = (html: string) =>
  /<input[^>]*id="field-territoryCode"[^>]*value="([^"]*)"/.exec(html)?.[1];

const registration = (email: string, comune: Record<string, string>) => ({
  organisationName: 'Tessiture Alpine',
  fullName: 'Aldo Rossi',
  email,
  password: 'a long enough password',
  passwordConfirm: 'a long enough password',
  ...comune,
});
/** The registration form sent by `agent` with this e-mail and comune (from `path`'s form). */
const register = (
  agent: ReturnType<typeof request.agent>,
  email: string,
  comune: Record<string, string>,
  path = '/register',
) => submitForm(agent, path, registration(email, comune));
const firmOf = (email: string) =>
  t.db
    .selectFrom('organisations')
    .innerJoin('users', 'users.organisation_id', 'organisations.id')
    .select('organisations.territory_code')
    .where('users.email', '=', email)
    .executeTakeFirst();

describe('registering a firm among thousands of comuni', () => {
  it('asks for the name instead of listing them all', async () => {
    const page = await request(testApp(t)).get('/register');
    expect(page.text).not.toContain('<option value="ZZ0001"');
    expect(page.text).toMatch(/<input[^>]*id="field-territoryCode"[^>]*type="text"/);
    expect(page.text).toContain('Scrivi il nome del comune');
  });

  it('takes a name one comune has, accents and case aside', async () => {
    const agent = request.agent(testApp(t));
    const res = await register(agent, 'uno@alpine.test', { territoryCode: ' samonella ' });
    expect(res.status).toBe(302);
    expect(await firmOf('uno@alpine.test')).toEqual({ territory_code: '902002' });
  });

  it('asks which comune when two share the name, writing nothing until one is chosen', async () => {
    const agent = request.agent(testApp(t));
    const asked = await register(agent, 'due@alpine.test', { territoryCode: 'Samone' });
    expect(asked.status).toBe(422);
    expect(error(asked.text)).toBe('2 comuni si chiamano «Samone»: scegli il tuo qui sotto');
    expect(choices(asked.text)).toEqual([
      'Samone — Provincia Alfa (901001)|901001',
      'Samone — Provincia Beta (902001)|902001',
    ]);
    expect(shown(asked.text)).toBe('Samone');
    expect(asked.text).toContain('value="Tessiture Alpine"');
    expect(await firmOf('due@alpine.test')).toBeUndefined();

    const chosen = await register(agent, 'due@alpine.test', {
      territoryCode: 'Samone',
      territoryPick: '902001',
    });
    expect(chosen.status).toBe(302);
    expect(await firmOf('due@alpine.test')).toEqual({ territory_code: '902001' });
  });

  it('offers the nearest names for one that is no comune, and names an unknown code', async () => {
    const agent = request.agent(testApp(t));
    const near = await register(agent, 'tre@alpine.test', { territoryCode: 'samon' });
    expect(near.status).toBe(422);
    expect(error(near.text)).toMatch(/^Nessun comune si chiama «samon»: scegli qui sotto/);
    // Those beginning with the name first, the shorter first.
    expect(choices(near.text).map((c) => c.split('|')[1])).toEqual(['901001', '902001', '902002']);

    const none = await register(
      agent,
      'tre@alpine.test',
      { territoryCode: 'Xyzzy' },
      '/register?lang=en',
    );
    expect(error(none.text)).toBe(
      "No municipality (comune) is called “Xyzzy”: check the name, or type the municipality's ISTAT code",
    );
    expect(choices(none.text)).toEqual([]);

    const code = await register(
      agent,
      'tre@alpine.test',
      { territoryCode: 'ITI14' },
      '/register?lang=it',
    );
    expect(error(code.text)).toBe(
      'Nessun comune attuale ha il codice «ITI14»: scrivi il nome del comune, o il suo codice ISTAT',
    );
    expect(await firmOf('tre@alpine.test')).toBeUndefined();
  });
});

describe("the firm's comune on its profile and on the survey's first step", () => {
  it('shows the comune by name, and keeps it when the form is sent unchanged', async () => {
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const page = await agent.get('/firm/profile');
    expect(page.text.length).toBeLessThan(60_000);
    expect(shown(page.text)).toBe('Empoli (048014)');
    const p = profile();
    const form = {
      legalName: p.legalName,
      vatNumber: p.vatNumber,
      naceDivision: p.naceDivision,
      employees: '40',
      territoryCode: 'Empoli (048014)',
      contactName: p.contactName,
      contactEmail: p.contactEmail,
    };
    expect((await submitForm(agent, '/firm/profile', form)).status).toBe(302);
    const asked = await submitForm(agent, '/firm/profile', { ...form, territoryCode: 'samone' });
    expect(asked.status).toBe(422);
    expect(choices(asked.text)).toHaveLength(2);
    const chosen = await submitForm(agent, '/firm/profile', {
      ...form,
      territoryCode: 'samone',
      territoryPick: '901001',
    });
    expect(chosen.status).toBe(302);
    expect(shown((await agent.get('/firm/profile')).text)).toBe('Samone (901001)');
  });

  it('on step 1, asks which comune and keeps what was typed when saved for later', async () => {
    const firm = await newFirmUser(t.db, 40);
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const { id } = await newCampaign(t.db);
    await agent.get(`/survey/${id}`);
    const step1 = `/survey/${id}/step/1`;
    const p = profile();
    const form = {
      legalName: p.legalName,
      vatNumber: p.vatNumber,
      naceDivision: p.naceDivision,
      employees: '40',
      territoryCode: 'Samone',
      contactName: p.contactName,
      contactEmail: p.contactEmail,
    };
    const version = versionOf((await agent.get(step1)).text);
    const asked = await submitForm(agent, step1, { ...form, action: 'next', version });
    expect(asked.status).toBe(422);
    expect(error(asked.text)).toBe('2 comuni si chiamano «Samone»: scegli il tuo qui sotto');
    expect(choices(asked.text)).toHaveLength(2);

    const saved = await submitForm(agent, step1, { ...form, action: 'save', version });
    expect(saved.status).toBe(302);
    expect(shown((await agent.get(step1)).text)).toBe('Samone');

    const v2 = versionOf((await agent.get(step1)).text);
    const onward = await submitForm(agent, step1, {
      ...form,
      territoryCode: 'empoli',
      action: 'next',
      version: v2,
    });
    expect(onward.status).toBe(302);
    expect(onward.headers.location).toMatch(/\/step\/2/);
  });
});
