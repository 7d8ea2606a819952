import request from 'supertest';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { pageText } from '../helpers/html';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const OPERATOR = {
  OPERATOR_NAME: 'Regione Toscana',
  OPERATOR_CONTACT: 'privacy@regione.toscana.it',
  DPO_CONTACT: 'https://www.regione.toscana.it/rpd',
};

describe('the privacy notice', () => {
  it('names the operator and links its contacts, in Italian and English', async () => {
    const app = testApp(t, OPERATOR);
    const it = await request(app).get('/privacy');
    expect(it.status).toBe(200);
    expect(it.text).toContain('<title>Informativa sul trattamento dei dati personali');
    expect(pageText(it.text)).toContain(
      'Titolare del trattamento è Regione Toscana, che gestisce questa installazione di Patto.',
    );
    expect(it.text).toContain('<a href="mailto:privacy@regione.toscana.it">');
    expect(it.text).toContain('<a href="https://www.regione.toscana.it/rpd">');
    expect(it.text).not.toContain('id="operator-missing"');
    // The cookies it names are the ones the app sets.
    expect(pageText(it.text)).toContain('patto.sid, la sessione');
    const en = await request(app).get('/privacy?lang=en');
    expect(en.text).toContain('<html lang="en"');
    expect(pageText(en.text)).toContain('The data controller is Regione Toscana');
  });

  it('says the operator has not named itself yet, rather than naming nobody', async () => {
    const res = await request(testApp(t)).get('/privacy');
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="operator-missing"');
    expect(pageText(res.text)).toContain('OPERATOR_NAME e OPERATOR_CONTACT');
    expect(res.text).not.toContain('Titolare del trattamento è');
    expect(res.text).not.toContain('mailto:');
  });

  it('is linked from the footer of every page and from the registration form', async () => {
    const app = testApp(t, OPERATOR);
    for (const page of ['/', '/login', '/open-data']) {
      const res = await request(app).get(page);
      expect(res.text).toMatch(/<footer[\s\S]*href="\/privacy"[\s\S]*href="\/accessibility"/);
    }
    const register = await request(app).get('/register');
    expect(register.text).toMatch(/<form[\s\S]*href="\/privacy"[\s\S]*<\/form>/);
  });
});

describe('the accessibility statement', () => {
  it('names the operator and where to report a barrier', async () => {
    const res = await request(testApp(t, OPERATOR)).get('/accessibility');
    expect(res.status).toBe(200);
    expect(pageText(res.text)).toContain(
      'Regione Toscana si impegna a rendere accessibile questa installazione di Patto',
    );
    expect(pageText(res.text)).toContain('WCAG 2.1 di livello AA');
    expect(res.text).toContain('<a href="mailto:privacy@regione.toscana.it">');
  });

  it('without an operator, says so where the contact would be', async () => {
    const res = await request(testApp(t)).get('/accessibility?lang=en');
    expect(res.status).toBe(200);
    expect(pageText(res.text)).toContain('This installation of Patto aims to be accessible');
    expect(res.text).toContain('id="operator-missing"');
  });
});

describe("the admin's home", () => {
  it('asks for the operator while it is unset, and only the admin', async () => {
    const admin = await newUser(t.db, { role: 'admin' });
    const region = await newUser(t.db, { role: 'region' });
    const unset = testApp(t);
    const adminHome = await (await loginAs(unset, admin.email, PASSWORD)).get('/');
    expect(pageText(adminHome.text)).toContain('imposta OPERATOR_NAME e OPERATOR_CONTACT');
    const regionHome = await (await loginAs(unset, region.email, PASSWORD)).get('/');
    expect(regionHome.text).not.toContain('id="operator-missing"');
    const set = await (await loginAs(testApp(t, OPERATOR), admin.email, PASSWORD)).get('/');
    expect(set.status).toBe(200);
    expect(set.text).not.toContain('id="operator-missing"');
  });
});

describe('the guide', () => {
  it("gives every role's steps and the glossary, pointing a signed-in reader to their own", async () => {
    const app = testApp(t);
    const anonymous = await request(app).get('/help');
    expect(anonymous.status).toBe(200);
    for (const id of ['firm', 'local_authority', 'social_partner', 'region', 'admin', 'public'])
      expect(anonymous.text).toContain(`<h2 id="help-${id}"`);
    expect(pageText(anonymous.text)).toContain('Revisione');
    expect(anonymous.text).not.toContain('id="your-role"');
    // A step is a sentence, not the key of a missing text.
    expect(anonymous.text).not.toMatch(/help\.roles\./);
    const partner = await newUser(t.db, { role: 'social_partner' });
    const agent = await loginAs(app, partner.email, PASSWORD);
    const own = await agent.get('/help?lang=en');
    expect(pageText(own.text)).toContain('The part for you: Social partner');
    expect(own.text).toContain('<a href="#help-social_partner">The part for you');
    expect(pageText(own.text)).toContain('Sign the current revision');
  });

  it('is linked from the header and footer of every page', async () => {
    const res = await request(testApp(t)).get('/login');
    expect(res.text).toMatch(/<header[\s\S]*href="\/help"[\s\S]*<\/header>/);
    expect(res.text).toMatch(/<footer[\s\S]*href="\/help"/);
  });
});
