import request from 'supertest';
import { testApp, loginAs, csrfFrom } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { verifyPassword } from '../../src/lib/password';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const registration = {
  organisationName: 'Tornerie Pratesi',
  territoryCode: '048014',
  fullName: 'Luca Neri',
  email: 'luca@tornerie.test',
  password: 'a long enough password',
  passwordConfirm: 'a long enough password',
};

describe('CSRF', () => {
  it('refuses a form without a token with 403 and writes nothing', async () => {
    const agent = request.agent(testApp(t));
    await agent.get('/register');
    const res = await agent.post('/register').type('form').send(registration);
    expect(res.status).toBe(403);
    expect(res.text).toContain('questo invio non è stato eseguito');
    expect(res.text).toContain('quel primo invio può essere andato a buon fine');
    const n = await t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', registration.email)
      .execute();
    expect(n).toHaveLength(0);
  });

  it('refuses a wrong token on a signed-in change and leaves the password as it was', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    await csrfFrom(agent, '/account/password');
    const res = await agent.post('/account/password').type('form').send({
      _csrf: 'forged',
      currentPassword: PASSWORD,
      password: 'another long password',
      passwordConfirm: 'another long password',
    });
    expect(res.status).toBe(403);
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);
  });

  it('refuses a token from another session', async () => {
    const app = testApp(t);
    const other = await csrfFrom(request.agent(app), '/register');
    const agent = request.agent(app);
    await agent.get('/register');
    const res = await agent
      .post('/register')
      .type('form')
      .send({ ...registration, _csrf: other });
    expect(res.status).toBe(403);
  });
});

describe('authorization', () => {
  it('answers 403 to a firm user opening a region page', async () => {
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(testApp(t), firm.email, PASSWORD);
    const res = await agent.get('/invitations');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Il tuo ruolo non consente questa operazione.');
  });

  it('sends an anonymous visitor to log in, then back', async () => {
    const res = await request(testApp(t)).get('/invitations');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Finvitations');
  });

  it('shows each role its own home page', async () => {
    const app = testApp(t);
    const expected: Record<string, string> = {
      firm: 'Area impresa',
      local_authority: 'Area ente locale',
      social_partner: 'Area parte sociale',
      region: 'Area Regione',
      admin: 'Amministrazione della piattaforma',
    };
    for (const [role, title] of Object.entries(expected)) {
      const u = await newUser(t.db, { role: role as never });
      const res = await (await loginAs(app, u.email, PASSWORD)).get('/');
      expect(res.text).toContain(`<h1>${title}</h1>`);
    }
  });

  it('calls funding calls «avvisi» on the region’s home, as its links and pages do', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const res = await (await loginAs(testApp(t), region.email, PASSWORD)).get('/');
    expect(res.text).toContain('Da qui gestisci indagini, avvisi e approvazioni');
    expect(res.text).not.toMatch(/\bband[oi]\b/);
  });

  it("promises the admin only what the admin's home offers, boundaries included", async () => {
    const admin = await newUser(t.db, { role: 'admin' });
    const res = await (await loginAs(testApp(t), admin.email, PASSWORD)).get('/');
    // It said 'gestisci utenti, organizzazioni', pages that do not exist.
    expect(res.text).not.toContain('gestisci utenti');
    expect(res.text).toContain('inviti le organizzazioni e i loro utenti');
    for (const href of ['/invitations', '/admin/imports', '/admin/boundaries', '/territories'])
      expect(res.text).toContain(`href="${href}"`);
  });
});

describe('the header menu', () => {
  it('leads the region and the admin to the surveys, and nobody else', async () => {
    const app = testApp(t);
    const link = '<a href="/campaigns">Indagini</a>';
    for (const role of ['region', 'admin'] as const) {
      const user = await newUser(t.db, { role });
      const home = await (await loginAs(app, user.email, PASSWORD)).get('/');
      expect(home.text).toContain(link);
    }
    for (const role of ['firm', 'local_authority', 'social_partner'] as const) {
      const user = await newUser(t.db, { role });
      const home = await (await loginAs(app, user.email, PASSWORD)).get('/');
      expect(home.text).not.toContain(link);
    }
  });
});
