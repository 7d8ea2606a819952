import request from 'supertest';
import { csrfFrom, csrfOfForm, loginAs, submitForm, testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { notify } from '../../src/modules/notifications/notify';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

async function invite(userId: string, pact: string, link = '/pacts/abc') {
  await notify(t.db, {
    userIds: [userId],
    kind: 'pact_invited',
    params: { pact, actor: 'Comune di Prato' },
    link,
  });
}
const idsOf = async (userId: string) =>
  (
    await t.db
      .selectFrom('notifications')
      .select(['id', 'read_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute()
  ).map((r) => r);

describe('GET /inbox', () => {
  it('lists the notifications newest first, unread highlighted, in the reader language', async () => {
    const user = await newUser(t.db, { role: 'social_partner' });
    await invite(user.id, 'Primo patto');
    await invite(user.id, 'Secondo patto');
    const agent = await loginAs(testApp(t), user.email, PASSWORD);

    const res = await agent.get('/inbox');
    expect(res.status).toBe(200);
    expect(res.text.indexOf('Secondo patto')).toBeLessThan(res.text.indexOf('Primo patto'));
    expect(res.text).toContain(
      'Comune di Prato ti ha invitato a negoziare e firmare il patto «Primo patto»',
    );
    expect(res.text.match(/>Non letta</g)).toHaveLength(2);

    const en = await agent.get('/inbox?lang=en');
    expect(en.text).toContain(
      'Comune di Prato invited you to negotiate and sign the pact “Primo patto”',
    );
  });

  it('lists what one act told in the order it happened (a signature, then the agreement)', async () => {
    const user = await newUser(t.db, { role: 'social_partner' });
    const titles = Array.from({ length: 8 }, (_, i) => `Patto ${i + 1}`);
    await t.db.transaction().execute(async (tx) => {
      for (const pact of titles)
        await notify(tx, { userIds: [user.id], kind: 'pact_agreed', params: { pact }, link: '/' });
    });
    const res = await (await loginAs(testApp(t), user.email, PASSWORD)).get('/inbox');
    const shown = [...res.text.matchAll(/«(Patto \d)»/g)].map((m) => m[1]);
    expect(shown).toEqual([...titles].reverse());
  });

  it('describes each Open button by its notification, for a screen reader', async () => {
    const user = await newUser(t.db, { role: 'social_partner' });
    await invite(user.id, 'Primo patto');
    await invite(user.id, 'Secondo patto');
    const res = await (await loginAs(testApp(t), user.email, PASSWORD)).get('/inbox');
    const described = [...res.text.matchAll(/aria-describedby="([^"]+)">Apri</g)].map((m) => {
      const text = new RegExp(`id="${m[1]}">([^<]*)<`).exec(res.text);
      return text?.[1];
    });
    expect(described).toHaveLength(2);
    expect(described[0]).toContain('«Secondo patto»');
    expect(described[1]).toContain('«Primo patto»');
  });

  it('escapes what users typed into a notification', async () => {
    const user = await newUser(t.db);
    await invite(user.id, '<script>alert(1)</script>');
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await agent.get('/inbox');
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).toContain('&lt;script&gt;');
  });

  it('pages through a long inbox', async () => {
    const user = await newUser(t.db);
    for (let i = 1; i <= 23; i++) await invite(user.id, `Patto numero ${i}.`);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const first = await agent.get('/inbox');
    expect(first.text).toContain('Patto numero 23.');
    expect(first.text).not.toContain('Patto numero 3.');
    expect(first.text).toContain('href="/inbox?page=2"');
    const second = await agent.get('/inbox?page=2');
    expect(second.text).toContain('Patto numero 3.');
    expect(second.text).toContain('Patto numero 1.');
    expect(second.text).not.toContain('href="/inbox?page=3"');
    expect((await agent.get('/inbox?page=zzz')).status).toBe(200);
    // A page past the last one (an old link, notifications since cleared) is the first page,
    // not "You have no notifications." under a link to a newer page as empty.
    const past = await agent.get('/inbox?page=9');
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe('/inbox');
  });

  it('sends an anonymous visitor to log in', async () => {
    const res = await request(testApp(t)).get('/inbox');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Finbox');
  });
});

describe('POST /inbox/:id/open', () => {
  it('marks the notification read and goes to its link', async () => {
    const user = await newUser(t.db);
    await invite(user.id, 'Da aprire', '/pacts/xyz?tab=actions');
    const [n] = await idsOf(user.id);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    // The token of the notification's own form, drawn inside the list's loop.
    const _csrf = await csrfOfForm(agent, '/inbox', `/inbox/${n!.id}/open`);
    const res = await agent.post(`/inbox/${n!.id}/open`).type('form').send({ _csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/pacts/xyz?tab=actions');
    expect((await idsOf(user.id))[0]!.read_at).toBeInstanceOf(Date);
    expect((await agent.get('/inbox')).text).not.toContain('>Non letta<');
  });

  it("answers 404 for another user's notification and leaves it unread", async () => {
    const owner = await newUser(t.db);
    const other = await newUser(t.db);
    await invite(owner.id, 'Non tuo');
    const [n] = await idsOf(owner.id);
    const agent = await loginAs(testApp(t), other.email, PASSWORD);
    const _csrf = await csrfFrom(agent, '/inbox');
    const res = await agent.post(`/inbox/${n!.id}/open`).type('form').send({ _csrf });
    expect(res.status).toBe(404);
    expect((await idsOf(owner.id))[0]!.read_at).toBeNull();
    const bad = await agent.post('/inbox/not-a-uuid/open').type('form').send({ _csrf });
    expect(bad.status).toBe(404);
  });
});

describe('POST /inbox/read-all', () => {
  it("marks all of one's own notifications read, nobody else's", async () => {
    const user = await newUser(t.db);
    const other = await newUser(t.db);
    await invite(user.id, 'A');
    await invite(user.id, 'B');
    await invite(other.id, 'C');
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await submitForm(agent, '/inbox', {}, '/inbox/read-all');
    expect(res.status).toBe(302);
    expect((await idsOf(user.id)).every((n) => n.read_at !== null)).toBe(true);
    expect((await idsOf(other.id))[0]!.read_at).toBeNull();
    const page = await agent.get('/inbox');
    expect(page.text).toContain('Tutte le notifiche sono segnate come lette.');
    expect(page.text).not.toContain('action="/inbox/read-all"');
  });
});

describe('header badge', () => {
  it('shows the unread count to a signed-in user, and nothing when all are read', async () => {
    const user = await newUser(t.db, { role: 'region' });
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    expect((await agent.get('/')).text).not.toContain('id="unread-badge"');
    for (const p of ['1', '2', '3']) await invite(user.id, p);
    const home = await agent.get('/');
    expect(home.text).toMatch(/id="unread-badge"><span aria-hidden="true">3<\/span>/);
    expect(home.text).toContain('3 non lette');
    await submitForm(agent, '/inbox', {}, '/inbox/read-all');
    expect((await agent.get('/')).text).not.toContain('id="unread-badge"');
  });

  it('caps the badge at 99+', async () => {
    const user = await newUser(t.db);
    await t.db
      .insertInto('notifications')
      .values(
        Array.from({ length: 120 }, () => ({
          user_id: user.id,
          kind: 'pact_signed',
          params: '{}',
          link: '/',
        })),
      )
      .execute();
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    expect((await agent.get('/inbox')).text).toContain('<span aria-hidden="true">99+</span>');
  });
});

describe('/account/notifications', () => {
  const mode = (userId: string) =>
    t.db
      .selectFrom('notification_preferences')
      .select('email_mode')
      .where('user_id', '=', userId)
      .executeTakeFirst();

  it('defaults to immediate e-mail and saves the choice', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const page = await agent.get('/account/notifications');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/value="immediate" checked/);
    const res = await submitForm(agent, '/account/notifications', { emailMode: 'digest' });
    expect(res.status).toBe(302);
    expect(await mode(user.id)).toEqual({ email_mode: 'digest' });
    const again = await agent.get('/account/notifications');
    expect(again.text).toMatch(/value="digest" checked/);
    expect(again.text).toContain('Preferenze salvate.');
    await submitForm(agent, '/account/notifications', { emailMode: 'off' });
    expect(await mode(user.id)).toEqual({ email_mode: 'off' });
  });

  it('refuses a value that is not offered with 422 and saves nothing', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await submitForm(agent, '/account/notifications', { emailMode: 'hourly' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="error-emailMode"');
    expect(res.text).toContain('Scegli uno dei valori proposti');
    expect(await mode(user.id)).toBeUndefined();
    const none = await submitForm(agent, '/account/notifications', {});
    expect(none.status).toBe(422);
  });

  it('keeps the choice when the form also carries an unknown field', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const res = await submitForm(agent, '/account/notifications', {
      emailMode: 'off',
      userId: 'someone-else',
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/value="off" checked/);
    expect(await mode(user.id)).toBeUndefined();
  });
});
