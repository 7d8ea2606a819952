import type { Express } from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { configureNotifications } from '../../src/modules/notifications/settings';
import { csrfFrom, loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { decodeEntities } from '../helpers/html';
import { expectSummaryNamesFields } from '../helpers/error-summary';

let t: TestDb;
let app: Express;
let admin: Awaited<ReturnType<typeof newUser>>;
let adminAgent: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  admin = await newUser(t.db, { role: 'admin' });
  adminAgent = await loginAs(app, admin.email, PASSWORD);
});
afterAll(() => t.close());
afterEach(() => configureNotifications({ email: false }));

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

const events = (userId: string) =>
  t.db
    .selectFrom('account_events')
    .select(['event', 'actor_id', 'reason'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();

const disabledAt = async (userId: string) =>
  (
    await t.db
      .selectFrom('users')
      .select('disabled_at')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
  ).disabled_at;

const disable = (id: string, reason: string) =>
  submitForm(adminAgent, `/admin/users/${id}/disable`, { reason });

/** The reset link an admin creates for the user, as a path. */
async function issueLink(userId: string): Promise<string> {
  const res = await submitForm(
    adminAgent,
    `/admin/users/${userId}`,
    {},
    `/admin/users/${userId}/reset-link`,
  );
  expect(res.status).toBe(201);
  return new URL(/id="reset-link">([^<]+)</.exec(res.text)![1]!).pathname;
}

describe('the list of users', () => {
  it('finds users by name, e-mail or organisation, by role and by status', async () => {
    const firm = await newUser(t.db, { organisation: 'Officine Zanchetta srl' });
    const partner = await newUser(t.db, {
      role: 'social_partner',
      organisation: 'Zanchetta Lavoratori',
    });
    const list = async (query: string) => (await adminAgent.get(`/admin/users?${query}`)).text;

    const byOrg = await list('q=zanchetta');
    expect(byOrg).toContain(firm.email);
    expect(byOrg).toContain(partner.email);
    const byRole = await list('q=zanchetta&role=social_partner');
    expect(byRole).toContain(partner.email);
    expect(byRole).not.toContain(firm.email);
    expect(await list(`q=${encodeURIComponent(firm.email)}`)).toContain('Officine Zanchetta srl');
    // The user's own % is a character, not a wildcard.
    expect(await list('q=%25')).toContain('Nessun utente corrisponde');

    await disable(firm.id, 'Impresa cessata');
    const disabled = await list('q=zanchetta&status=disabled');
    expect(disabled).toContain(firm.email);
    expect(disabled).not.toContain(partner.email);
    expect(await list('q=zanchetta&status=active')).not.toContain(firm.email);
  });

  it('pages by 50, keeping the filters in the links', async () => {
    for (let i = 0; i < 51; i++) await newUser(t.db, { organisation: `Paginata ${i}` });
    const first = await adminAgent.get('/admin/users?q=paginata');
    expect(first.text.match(/<a href="\/admin\/users\/[0-9a-f-]{36}">/g)).toHaveLength(50);
    expect(decodeEntities(first.text)).toContain(
      'href="/admin/users?q=paginata&page=2" rel="next"',
    );
    const second = await adminAgent.get('/admin/users?q=paginata&page=2');
    expect(second.text.match(/<a href="\/admin\/users\/[0-9a-f-]{36}">/g)).toHaveLength(1);
    expect(second.text).toContain('rel="prev"');
    // Past the last page (an old link): the first page of the same search, not an empty one.
    const past = await adminAgent.get('/admin/users?q=paginata&page=7');
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe('/admin/users?q=paginata');
  });

  it('names a bad filter and keeps the list', async () => {
    const res = await adminAgent.get('/admin/users?role=boss');
    expect(res.status).toBe(200);
    expect(decodeEntities(res.text)).toContain(
      'Il parametro «role» non è valido: valori ammessi: Impresa (firm), Ente locale (local_authority), Parte sociale (social_partner), Regione (region), Amministrazione piattaforma (admin).',
    );
    expect(res.text).toContain(admin.email);
  });

  it('is for the admin only', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(app, region.email, PASSWORD);
    expect((await agent.get('/admin/users')).status).toBe(403);
    expect((await agent.get(`/admin/users/${region.id}`)).status).toBe(403);
  });

  it('answers 404 for a user that does not exist', async () => {
    expect((await adminAgent.get('/admin/users/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await adminAgent.get('/admin/users/not-an-id')).status).toBe(404);
  });
});

describe('disabling and enabling an account with a double click', () => {
  it('does each once, the second landing like the first', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    /** The form posting to `action` on `page`, sent twice; the page the second lands on. */
    const twice = async (page: string, action: string, extra: Record<string, string> = {}) => {
      const text = (await adminAgent.get(page)).text;
      const html = text.slice(text.indexOf(`action="${action}"`));
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
      const body = { _csrf: field('_csrf'), _formKey: field('_formKey'), ...extra };
      const first = await adminAgent.post(action).type('form').send(body);
      const second = await adminAgent.post(action).type('form').send(body);
      expect([302, 303]).toContain(first.status);
      expect(second.status).toBe(first.status);
      expect(second.headers.location).toBe(first.headers.location);
      return decodeEntities((await adminAgent.get(String(second.headers.location))).text);
    };
    const base = `/admin/users/${user.id}`;
    const disabled = await twice(`${base}/disable`, `${base}/disable`, { reason: 'Uscito' });
    expect(disabled).not.toContain("L'account era già disattivato.");
    const enabled = await twice(base, `${base}/enable`);
    expect(enabled).not.toContain("L'account è già attivo.");
    expect((await events(user.id)).map((e) => e.event)).toEqual(['disabled', 'enabled']);
    const changed = await twice(base, `${base}/email`, { email: `nuovo-${user.email}` });
    expect(changed).not.toContain("È già l'indirizzo di questo account");
    expect(changed).toContain('Indirizzo e-mail corretto.');
    expect((await events(user.id)).map((e) => e.event)).toEqual([
      'disabled',
      'enabled',
      'email_changed',
    ]);
  });

  it('sets a password through a link once, the second post landing on the login like the first', async () => {
    const user = await newUser(t.db);
    const path = await issueLink(user.id);
    const browser = request.agent(app);
    const page = (await browser.get(path)).text;
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1]!;
    const body = {
      _csrf: field('_csrf'),
      _formKey: field('_formKey'),
      password: 'a brand new password',
      passwordConfirm: 'a brand new password',
    };
    // Sent at once, as a double click sends them: the first's answer never reached the browser.
    const post = () => browser.post(path).type('form').send(body);
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((r) => [r.status, r.headers.location])).toEqual([
      [302, '/login'],
      [302, '/login'],
    ]);
    expect((await browser.get('/login')).text).toContain('Password salvata');
    await loginAs(app, user.email, 'a brand new password');
    expect((await events(user.id)).map((e) => e.event)).toEqual(['reset_issued', 'reset_used']);
    // The key proves nothing about the password: another one with it changes nothing.
    const other = request.agent(app);
    const _csrf = csrfOf((await other.get('/login')).text);
    const forged = await other
      .post(path)
      .type('form')
      .send({
        ...body,
        _csrf,
        password: 'a third password!!',
        passwordConfirm: 'a third password!!',
      });
    expect(forged.status).toBe(302);
    await loginAs(app, user.email, 'a brand new password');
    // Without the key, the used link says so, as before.
    const { _formKey: _, ...keyless } = body;
    const again = await other
      .post(path)
      .type('form')
      .send({ ...keyless, _csrf: csrfOf((await other.get('/login')).text) });
    expect(again.status).toBe(410);
  });
});

describe('disabling an account', () => {
  it('ends its sessions, refuses its login and its API tokens, and keeps why', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    const session = await loginAs(app, user.email, PASSWORD);
    const { token } = await createApiToken(t.db, user.id, 'gestionale');
    expect((await session.get('/')).status).toBe(200);

    const form = await adminAgent.get(`/admin/users/${user.id}/disable`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(user.email);
    const res = await disable(user.id, "Ha lasciato l'ente il 30 novembre");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/admin/users/${user.id}`);

    expect(await disabledAt(user.id)).not.toBeNull();
    expect(await events(user.id)).toEqual([
      { event: 'disabled', actor_id: admin.id, reason: "Ha lasciato l'ente il 30 novembre" },
    ]);
    const home = await session.get('/pacts');
    expect(home.status).toBe(302);
    expect(home.headers.location).toMatch(/^\/login/);
    // The right password is told the account is disabled; a wrong one learns nothing.
    const right = await submitForm(request.agent(app), '/login', {
      email: user.email,
      password: PASSWORD,
    });
    expect(right.status).toBe(403);
    expect(decodeEntities(right.text)).toContain('Il tuo account è stato disattivato');
    const wrong = await submitForm(request.agent(app), '/login', {
      email: user.email,
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(decodeEntities(wrong.text)).not.toContain('disattivato');
    const newToken = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD, name: 'altro' });
    expect(newToken.status).toBe(403);
    const api = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(401);

    const page = decodeEntities((await adminAgent.get(`/admin/users/${user.id}`)).text);
    expect(page).toContain('Account disattivato');
    expect(page).toContain("Ha lasciato l'ente il 30 novembre");
    expect(page).toContain(admin.fullName);
  });

  it('asks for a reason, within 500 characters, and writes nothing without one', async () => {
    const user = await newUser(t.db);
    const empty = await disable(user.id, '   ');
    expect(empty.status).toBe(422);
    expect(decodeEntities(empty.text)).toContain('Campo obbligatorio');
    // The summary names the field, as every other form's does ("Motivo: Campo obbligatorio").
    expectSummaryNamesFields(empty.text, 1);
    const long = 'x'.repeat(501);
    const tooLong = await disable(user.id, long);
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain(`>${long}</textarea>`);
    expect(await disabledAt(user.id)).toBeNull();
    expect(await events(user.id)).toEqual([]);
  });

  it('names a firm ending in a full stop without doubling it', async () => {
    const user = await newUser(t.db, { organisation: 'Meccanica Prova S.r.l.' });
    const page = decodeEntities((await adminAgent.get(`/admin/users/${user.id}/disable`)).text);
    expect(page).toContain(`Meccanica Prova S.r.l.: account di User firm (${user.email}).`);
    expect(page).not.toContain('S.r.l..');
  });

  it("refuses the admin's own account, and a second disabling", async () => {
    const self = await submitForm(
      adminAgent,
      `/admin/users/${admin.id}`,
      { reason: 'prova' },
      `/admin/users/${admin.id}/disable`,
    );
    expect(self.status).toBe(302);
    expect(decodeEntities((await adminAgent.get(self.headers.location!)).text)).toContain(
      'Non puoi disattivare il tuo stesso account.',
    );
    expect(await disabledAt(admin.id)).toBeNull();

    const user = await newUser(t.db);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await adminAgent.get(`/admin/users/${user.id}/disable`)).text,
    )![1]!;
    const send = () =>
      adminAgent
        .post(`/admin/users/${user.id}/disable`)
        .type('form')
        .send({ reason: 'doppio clic', _csrf: csrf });
    expect((await send()).status).toBe(302);
    const second = await send();
    expect(decodeEntities((await adminAgent.get(second.headers.location!)).text)).toContain(
      "L'account era già disattivato.",
    );
    expect((await events(user.id)).map((e) => e.event)).toEqual(['disabled']);
  });

  it('can be undone: the same password works again', async () => {
    const user = await newUser(t.db);
    await disable(user.id, 'Errore di persona');
    const res = await submitForm(
      adminAgent,
      `/admin/users/${user.id}`,
      {},
      `/admin/users/${user.id}/enable`,
    );
    expect(res.status).toBe(302);
    expect(await disabledAt(user.id)).toBeNull();
    await loginAs(app, user.email, PASSWORD);
    expect((await events(user.id)).map((e) => e.event)).toEqual(['disabled', 'enabled']);
  });
});

describe('a password-reset link from the admin', () => {
  it('sets a new password once, and ends the sessions opened with the old one', async () => {
    const user = await newUser(t.db);
    const old = await loginAs(app, user.email, PASSWORD);
    const path = await issueLink(user.id);
    expect(path).toMatch(/^\/password\/reset\/pwr_[A-Za-z0-9_-]{43}$/);

    const browser = request.agent(app);
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(user.email);

    const mismatch = await submitForm(browser, path, {
      password: 'a brand new password',
      passwordConfirm: 'another password',
    });
    expect(mismatch.status).toBe(422);
    const short = await submitForm(browser, path, { password: 'short', passwordConfirm: 'short' });
    expect(short.status).toBe(422);
    await loginAs(app, user.email, PASSWORD); // still the old password

    const done = await submitForm(browser, path, {
      password: 'a brand new password',
      passwordConfirm: 'a brand new password',
    });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/login');
    expect((await browser.get('/login')).text).toContain('Password salvata');

    await expect(loginAs(app, user.email, PASSWORD)).rejects.toThrow(/401/);
    await loginAs(app, user.email, 'a brand new password');
    expect((await old.get('/')).text).not.toContain(user.fullName);

    const reused = await request(app).get(path);
    expect(reused.status).toBe(410);
    expect(decodeEntities(reused.text)).toContain('Questo link è già stato usato');
    expect((await events(user.id)).map((e) => e.event)).toEqual(['reset_issued', 'reset_used']);
  });

  it('does not work once expired, or for a disabled account', async () => {
    const user = await newUser(t.db);
    const expired = await issueLink(user.id);
    await sql`
      UPDATE password_resets
      SET created_at = now() - interval '5 seconds', expires_at = now() - interval '1 second'
      WHERE user_id = ${user.id}`.execute(t.db);
    const res = await request(app).get(expired);
    expect(res.status).toBe(410);
    expect(decodeEntities(res.text)).toContain('Questo link è scaduto');

    const path = await issueLink(user.id);
    await disable(user.id, 'Sospeso');
    const page = await request(app).get(path);
    expect(page.status).toBe(410);
    expect(decodeEntities(page.text)).toContain("L'account è disattivato");

    const none = await adminAgent
      .post(`/admin/users/${user.id}/reset-link`)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(
          (await adminAgent.get(`/admin/users/${user.id}`)).text,
        )![1]!,
      });
    expect(none.status).toBe(302);
    expect(decodeEntities((await adminAgent.get(none.headers.location!)).text)).toContain(
      'riattivalo prima',
    );
  });

  it('answers 404 for a link that names nothing', async () => {
    const res = await request(app).get(`/password/reset/pwr_${'A'.repeat(43)}`);
    expect(res.status).toBe(404);
    expect(decodeEntities(res.text)).toContain('Questo link non è valido');
  });
});

describe('the forgotten-password form', () => {
  const outbox = (to: string) =>
    t.db
      .selectFrom('email_outbox')
      .select(['kind', 'subject', 'body'])
      .where('to_address', '=', to)
      .execute();

  it('without e-mail, says whom to ask and sends nothing', async () => {
    const user = await newUser(t.db);
    const page = await request(app).get('/password/forgot');
    expect(decodeEntities(page.text)).toContain("Chiedi all'amministratore");
    expect(page.text).not.toContain('name="email"');
    // A form kept open from before e-mail was switched off, say.
    const agent = request.agent(app);
    const _csrf = await csrfFrom(agent, '/login');
    const res = await agent
      .post('/password/forgot')
      .type('form')
      .send({ email: user.email, _csrf });
    expect(res.status).toBe(200);
    expect(await outbox(user.email)).toEqual([]);
    expect(
      await t.db.selectFrom('password_resets').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
  });

  it('mails a working link to an account, the same answer for an unknown address', async () => {
    configureNotifications({ email: true, publicUrl: 'https://patto.example' });
    const user = await newUser(t.db);
    const agent = request.agent(app);
    const bad = await submitForm(agent, '/password/forgot', { email: 'not an address' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="not an address"');

    const unknown = await submitForm(agent, '/password/forgot', { email: 'nobody@test.patto' });
    const known = await submitForm(agent, '/password/forgot', { email: user.email });
    const answer = (html: string, email: string) => decodeEntities(html).replace(email, 'EMAIL');
    expect(answer(known.text, user.email)).toEqual(answer(unknown.text, 'nobody@test.patto'));
    expect(await outbox('nobody@test.patto')).toEqual([]);

    const [mail] = await outbox(user.email);
    expect(mail!.kind).toBe('password_reset');
    const link = /https:\/\/patto\.example(\/password\/reset\/pwr_[A-Za-z0-9_-]{43})/.exec(
      mail!.body,
    )![1]!;
    const done = await submitForm(request.agent(app), link, {
      password: 'mailed new password',
      passwordConfirm: 'mailed new password',
    });
    expect(done.status).toBe(302);
    await loginAs(app, user.email, 'mailed new password');
    expect((await events(user.id)).map((e) => [e.event, e.actor_id])).toEqual([
      ['reset_requested', null],
      ['reset_used', null],
    ]);
  });

  it('sends at most three links an hour to one account', async () => {
    configureNotifications({ email: true });
    const user = await newUser(t.db);
    const agent = request.agent(app);
    for (let i = 0; i < 5; i++)
      expect((await submitForm(agent, '/password/forgot', { email: user.email })).status).toBe(200);
    expect(await outbox(user.email)).toHaveLength(3);
  });
});

describe("correcting an account's e-mail address", () => {
  const correct = (id: string, email: string) =>
    submitForm(adminAgent, `/admin/users/${id}`, { email }, `/admin/users/${id}/email`);
  const emailOf = async (id: string) =>
    (await t.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow())
      .email;

  it('lets the person sign in with the new address only, and keeps both in the history', async () => {
    const user = await newUser(t.db);
    const res = await correct(user.id, '  Nuovo.Indirizzo@Test.Patto ');
    expect(res.status).toBe(303);
    expect(await emailOf(user.id)).toBe('nuovo.indirizzo@test.patto');
    await loginAs(app, 'nuovo.indirizzo@test.patto', PASSWORD);
    const old = await submitForm(request.agent(app), '/login', {
      email: user.email,
      password: PASSWORD,
    });
    expect(old.status).toBe(401);
    const page = decodeEntities((await adminAgent.get(`/admin/users/${user.id}`)).text);
    expect(page).toContain('Indirizzo e-mail corretto.');
    expect(page).toContain(`E-mail cambiata da ${user.email} a nuovo.indirizzo@test.patto`);
    const [event] = await t.db
      .selectFrom('account_events')
      .select(['event', 'actor_id', 'old_value', 'new_value'])
      .where('user_id', '=', user.id)
      .execute();
    expect(event).toEqual({
      event: 'email_changed',
      actor_id: admin.id,
      old_value: user.email,
      new_value: 'nuovo.indirizzo@test.patto',
    });
  });

  it('ends the open password links, and sends waiting e-mails to the new address', async () => {
    configureNotifications({ email: true, publicUrl: 'https://patto.example' });
    const user = await newUser(t.db);
    const handed = await issueLink(user.id);
    await submitForm(request.agent(app), '/password/forgot', { email: user.email });
    await t.db
      .insertInto('email_outbox')
      .values({ user_id: user.id, to_address: user.email, kind: 'digest', subject: 'S', body: 'B' })
      .execute();
    expect(await correct(user.id, `new-${user.email}`)).toHaveProperty('status', 303);
    const gone = await request.agent(app).get(handed);
    expect(gone.text).not.toContain('name="password"');
    const mails = await t.db
      .selectFrom('email_outbox')
      .select(['kind', 'status', 'to_address'])
      .where('user_id', '=', user.id)
      .orderBy('kind')
      .execute();
    expect(mails).toEqual([
      { kind: 'digest', status: 'pending', to_address: `new-${user.email}` },
      { kind: 'password_reset', status: 'failed', to_address: user.email },
    ]);
  });

  it.each([
    ['an address that is no e-mail', 'mario.rossi', 422, 'ad esempio nome@esempio.it'],
    ['nothing', '', 422, 'Campo obbligatorio'],
    ['its own address', 'SAME', 422, "È già l'indirizzo di questo account"],
    ["another account's address", 'OTHER', 409, 'è già di un altro account'],
  ])('refuses %s, keeping what was typed and changing nothing', async (_w, typed, status, says) => {
    const user = await newUser(t.db);
    const other = await newUser(t.db);
    const value = typed === 'SAME' ? user.email : typed === 'OTHER' ? other.email : typed;
    const res = await correct(user.id, value);
    expect(res.status).toBe(status);
    const html = decodeEntities(res.text);
    expect(html).toMatch(new RegExp(`id="error-email"[^>]*>[^<]*${says}`));
    expect(html).toContain('<a href="#field-email">');
    expect(html).toContain(`id="field-email"`);
    expect(html).toContain(`value="${value}"`);
    expect(await emailOf(user.id)).toBe(user.email);
    expect(await events(user.id)).toEqual([]);
  });

  it('is for the admin only', async () => {
    const firm = await newUser(t.db, { role: 'firm' });
    const agent = await loginAs(app, firm.email, PASSWORD);
    const _csrf = await csrfFrom(agent, '/account/profile');
    const res = await agent
      .post(`/admin/users/${firm.id}/email`)
      .type('form')
      .send({ email: 'hijack@test.patto', _csrf });
    expect(res.status).toBe(403);
    expect(await emailOf(firm.id)).toBe(firm.email);
  });
});
