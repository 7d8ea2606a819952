import type { Express } from 'express';
import request from 'supertest';
import { configureNotifications } from '../../src/modules/notifications/settings';
import { notify } from '../../src/modules/notifications/notify';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
});
afterAll(() => t.close());
afterEach(() => configureNotifications({ email: false }));

const account = (id: string) =>
  t.db
    .selectFrom('users')
    .select(['full_name', 'locale'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('the language of a user', () => {
  it('is the one they signed up in, and the one they choose later', async () => {
    const agent = request.agent(app);
    await agent.get('/register?lang=en');
    const res = await submitForm(agent, '/register', {
      organisationName: 'Nordic Tools Oy',
      territoryCode: '048014',
      fullName: 'Aino Virtanen',
      email: 'aino@nordic.test',
      password: 'a long enough password',
      passwordConfirm: 'a long enough password',
    });
    expect(res.status).toBe(302);
    const { id } = await t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'aino@nordic.test')
      .executeTakeFirstOrThrow();
    expect((await account(id)).locale).toBe('en');

    await agent.get('/?lang=it');
    expect((await account(id)).locale).toBe('it');
    await agent.get('/inbox?lang=en');
    expect((await account(id)).locale).toBe('en');

    // Their e-mails follow it.
    configureNotifications({ email: true });
    await notify(t.db, { userIds: [id], kind: 'pact_submitted', params: { pact: 'P' }, link: '/' });
    const mail = await t.db
      .selectFrom('email_outbox')
      .select('body')
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(mail.body).toMatch(/^Dear Aino Virtanen,/);
  });
});

describe('the profile page', () => {
  it('changes the name shown everywhere, and the language', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(app, user.email, PASSWORD);
    const page = await agent.get('/account/profile');
    expect(page.text).toContain(`value="${user.fullName}"`);
    const res = await submitForm(agent, '/account/profile', {
      fullName: 'Giovanna Neri',
      locale: 'en',
    });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/account/profile?lang=en');
    const after = await agent.get(res.headers.location!);
    expect(after.text).toContain('Profile saved.');
    expect(after.text).toContain('Giovanna Neri · ');
    expect(await account(user.id)).toEqual({ full_name: 'Giovanna Neri', locale: 'en' });
  });

  it('refuses an empty or over-long name and an unknown language, keeping what was typed', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(app, user.email, PASSWORD);
    const empty = await submitForm(agent, '/account/profile', { fullName: ' ', locale: 'it' });
    expect(empty.status).toBe(422);
    expect(decodeEntities(empty.text)).toContain('Nome e cognome');
    const long = 'N'.repeat(121);
    const tooLong = await submitForm(agent, '/account/profile', { fullName: long, locale: 'it' });
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain(`value="${long}"`);
    const french = await submitForm(agent, '/account/profile', {
      fullName: 'Nome Nuovo',
      locale: 'fr',
    });
    expect(french.status).toBe(422);
    expect(french.text).toContain('value="Nome Nuovo"');
    expect((await account(user.id)).full_name).toBe(user.fullName);
  });
});

describe('changing the password', () => {
  it('signs out the other sessions, not this one', async () => {
    const user = await newUser(t.db);
    const here = await loginAs(app, user.email, PASSWORD);
    const elsewhere = await loginAs(app, user.email, PASSWORD);
    const res = await submitForm(here, '/account/password', {
      currentPassword: PASSWORD,
      password: 'a different long password',
      passwordConfirm: 'a different long password',
    });
    expect(res.status).toBe(302);
    expect(decodeEntities((await here.get('/')).text)).toContain('Le altre sessioni aperte');
    expect((await here.get('/account/profile')).status).toBe(200);
    const other = await elsewhere.get('/account/profile');
    expect(other.status).toBe(302);
    expect(other.headers.location).toMatch(/^\/login/);
  });

  it('names each field in the error summary as the form labels it', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(app, user.email, PASSWORD);
    const res = await submitForm(agent, '/account/password', {
      currentPassword: PASSWORD,
      password: 'short',
      passwordConfirm: 'other',
    });
    expect(res.status).toBe(422);
    // It read "Password: Inserisci almeno 10 caratteri" above a field labelled "Nuova password".
    expect(res.text).toMatch(/href="#field-password"[^>]*>Nuova password: Inserisci almeno 10/);
  });

  it('changes the password once when the form is sent twice, the second landing like the first', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(app, user.email, PASSWORD);
    const page = (await agent.get('/account/password')).text;
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1]!;
    const body = {
      _csrf: field('_csrf'),
      _formKey: field('_formKey'),
      currentPassword: PASSWORD,
      password: 'a different long password',
      passwordConfirm: 'a different long password',
    };
    const first = await agent.post('/account/password').type('form').send(body);
    // The current password it carries is no longer current: not 'wrong current password'.
    const second = await agent.post('/account/password').type('form').send(body);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.location).toBe(first.headers.location);
    expect(decodeEntities((await agent.get('/')).text)).toContain('Le altre sessioni aperte');
    await loginAs(app, user.email, 'a different long password');
    // The key proves nothing: another body with it changes nothing, and says nothing new.
    const forged = await agent
      .post('/account/password')
      .type('form')
      .send({
        ...body,
        password: 'a third long password!',
        passwordConfirm: 'a third long password!',
      });
    expect(forged.status).toBe(302);
    await loginAs(app, user.email, 'a different long password');
  });
});
