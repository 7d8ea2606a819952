import request from 'supertest';
import { testApp, testConfig, submitForm, loginAs, csrfFrom } from '../helpers/app';
import { createApp } from '../../src/app';
import { createDb } from '../../src/db';
import { createLogger } from '../../src/logger';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('POST /login', () => {
  it('logs in with the right password, regenerates the session id and lands on the role home', async () => {
    const user = await newUser(t.db, { role: 'region' });
    const agent = request.agent(testApp(t));
    const form = await agent.get('/login');
    const before = /patto\.sid=([^;]+)/.exec(String(form.headers['set-cookie']))?.[1];
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: user.email.toUpperCase(), password: PASSWORD, _csrf });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const after = /patto\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const home = await agent.get('/');
    expect(home.text).toContain('Area Regione');
    expect(home.text).toContain(user.organisationName);
    const row = await t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).not.toBeNull();
  });

  it('gives one generic message for a wrong password and for an unknown e-mail', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const wrongPassword = await submitForm(request.agent(app), '/login', {
      email: user.email,
      password: 'wrong password',
    });
    const unknownEmail = await submitForm(request.agent(app), '/login', {
      email: 'nobody@test.patto',
      password: 'wrong password',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.text).toContain('E-mail o password non corretti.');
    expect(unknownEmail.text).toContain('E-mail o password non corretti.');
    // The e-mail typed is kept, the password never comes back.
    expect(wrongPassword.text).toContain(`value="${user.email}"`);
    expect(wrongPassword.text).not.toContain('wrong password');
  });

  it('re-renders with field errors for an empty form', async () => {
    const res = await submitForm(request.agent(testApp(t)), '/login', { email: '', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#field-email"');
    expect(res.text).toContain('Campo obbligatorio');
  });

  it('only follows a next= that stays on this site', async () => {
    const user = await newUser(t.db);
    const agent = request.agent(testApp(t));
    const res = await submitForm(agent, '/login', {
      email: user.email,
      password: PASSWORD,
      next: '//evil.example/x',
    });
    expect(res.headers.location).toBe('/');
  });

  it('stops a client after too many failed logins', async () => {
    await t.db.deleteFrom('rate_limits').execute();
    const app = testApp(t, { LOGIN_RATE_LIMIT: '3' });
    const agent = request.agent(app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await submitForm(agent, '/login', { email: 'x@test.patto', password: 'nope' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    await t.db.deleteFrom('rate_limits').execute();
  });
});

describe('POST /logout', () => {
  it('ends the session', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const agent = await loginAs(app, user.email, PASSWORD);
    const _csrf = await csrfFrom(agent, '/');
    expect((await agent.post('/logout').type('form').send({ _csrf })).status).toBe(302);
    const res = await agent.get('/account/password');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });
});

describe('sessions', () => {
  it('survive an app restart (they live in PostgreSQL)', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const cookie = (await agent.get('/')).request.cookies;
    // A new app instance, on a new pool, as after a restart or on a second process.
    const second = createDb(t.url, 2);
    try {
      const app2 = createApp({
        db: second.db,
        readDb: second.db,
        pool: second.pool,
        config: testConfig(t.url),
        logger: createLogger('silent', false),
      });
      const res = await request(app2).get('/').set('Cookie', cookie);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Area ente locale');
    } finally {
      await second.db.destroy();
    }
  });
});
