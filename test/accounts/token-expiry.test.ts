import { sql } from 'kysely';
import request from 'supertest';
import * as migration from '../../migrations/2026_12_07_2000_b_token_expiry';
import { createApiToken } from '../../src/modules/accounts/tokens.service';
import { formatDate } from '../../src/lib/format';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { italianOnDay } from '../helpers/dates';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const daysFromNow = (d: Date) => Math.round((d.getTime() - Date.now()) / DAY);

/** Moves a token's whole life into the past: made 100 days ago, ended `ago` days ago. */
const expire = (tokenId: string, ago = 10) =>
  sql`UPDATE api_tokens SET created_at = now() - interval '100 days',
        expires_at = now() - make_interval(days => ${ago}), last_used_at = NULL
      WHERE id = ${tokenId}`.execute(t.db);

describe('POST /api/v1/tokens (createToken) with a lifetime', () => {
  it('makes a token for the days asked, 90 when not said, and refuses other lifetimes', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const ask = (extra: object) =>
      request(app)
        .post('/api/v1/tokens')
        .send({ email: user.email, password: PASSWORD, ...extra });
    const month = await ask({ expiresInDays: 30 });
    expect(month.status).toBe(201);
    expect(daysFromNow(new Date(month.body.expiresAt as string))).toBe(30);
    const plain = await ask({});
    expect(daysFromNow(new Date(plain.body.expiresAt as string))).toBe(90);
    for (const days of [7, 0, 'never', null]) {
      const refused = await ask({ expiresInDays: days });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].pointer).toBe('body/expiresInDays');
    }
    const stored = await t.db
      .selectFrom('api_tokens')
      .select('expires_at')
      .where('user_id', '=', user.id)
      .orderBy('expires_at')
      .execute();
    expect(stored.map((r) => daysFromNow(r.expires_at))).toEqual([30, 90]);
  });
});

describe('an expired token on the API', () => {
  it('is a 401 saying it expired and when, unlike an unknown one, and its use is not recorded', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const { id, token } = await createApiToken(t.db, user.id, 'vecchio');
    const me = () => request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect((await me()).status).toBe(200);
    await expire(id);
    const expired = await me();
    expect(expired.status).toBe(401);
    expect(expired.headers['content-type']).toContain('application/problem+json');
    expect(expired.body.detail).toMatch(
      /^Il token di accesso è scaduto (il \d+º?|l'(8|11)) \w+ 20\d\d: /,
    );
    expect(expired.headers['www-authenticate']).toBe(
      'Bearer realm="patto", error="invalid_token", error_description="The access token expired"',
    );
    const english = await me().set('Accept-Language', 'en');
    expect(english.body.detail).toMatch(/^The access token expired on \d+ \w+ 20\d\d: /);
    const unknown = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}x`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toMatch(/^Il token di accesso non è valido/);
    expect(unknown.headers['www-authenticate']).toBe(
      'Bearer realm="patto", error="invalid_token", error_description="The access token is not valid"',
    );
    const row = await t.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeNull();
    // Revoked after it expired: not valid, as any revoked token.
    await t.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .execute();
    expect((await me()).body.detail).toMatch(/^Il token di accesso non è valido/);
  });
});

describe('GET/POST /account/tokens with a lifetime', () => {
  it('offers 30, 90 or 365 days (90 chosen), and lists when each token ends', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const page = await agent.get('/account/tokens');
    expect(page.text).toContain('<option value="90" selected>90 giorni</option>');
    expect(page.text).toContain('<option value="30" >30 giorni</option>');
    expect(page.text).toContain('<option value="365" >365 giorni</option>');
    expect(page.text).toContain('Non esistono token senza scadenza');
    const made = await submitForm(agent, '/account/tokens', { name: 'Annuale', lifetime: '365' });
    expect(made.status).toBe(201);
    const row = await t.db
      .selectFrom('api_tokens')
      .select(['id', 'expires_at'])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(daysFromNow(row.expires_at)).toBe(365);
    const day = new Intl.DateTimeFormat('it-IT', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'Europe/Rome',
    }).format(row.expires_at);
    expect(made.text).toContain(italianOnDay(`Scade il ${day}.`));
    expect(made.text).toContain(italianOnDay(`scade il ${day}`));

    const old = (await createApiToken(t.db, user.id, 'Dimenticato')).id;
    await expire(old);
    const list = await agent.get('/account/tokens');
    const oldRow = /<tr>\s*<td>Dimenticato<\/td>[\s\S]*?<\/tr>/.exec(list.text)![0];
    expect(oldRow).toMatch(/scaduto (il \d+º?|l&#x27;(8|11)) \w+ 20\d\d/);
    expect(oldRow).toContain('<strong>Scaduto</strong>');
    expect(oldRow).not.toContain('/revoke');
  });

  it('refuses a lifetime it does not offer, keeping the name typed, writing nothing', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const refused = await submitForm(agent, '/account/tokens', {
      name: 'Per sempre',
      lifetime: '36500',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Durata: ');
    expect(refused.text).toContain('value="Per sempre"');
    const rows = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(0);
  });
});

describe('POST /account/tokens sent twice (a double click whose first answer is dropped)', () => {
  it('makes one token; the second says it was made and to revoke it if its secret was not copied', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const page = (await agent.get('/account/tokens')).text;
    const field = (html: string, name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
    const body = {
      _csrf: field(page, '_csrf'),
      _formKey: field(page, '_formKey'),
      name: 'Estrazione',
      lifetime: '90',
    };
    const first = await agent.post('/account/tokens').type('form').send(body);
    const second = await agent.post('/account/tokens').type('form').send(body);
    expect([first.status, second.status]).toEqual([201, 200]);
    const tokens = () =>
      t.db.selectFrom('api_tokens').select('name').where('user_id', '=', user.id).execute();
    expect(await tokens()).toEqual([{ name: 'Estrazione' }]);
    expect(second.text).not.toMatch(/patto_[A-Za-z0-9_-]{20,}/);
    expect(second.text).toContain('Token già creato');
    expect(second.text).toContain('Il token «Estrazione» era già stato creato dal primo clic');
    expect(second.text).toContain('revocalo nell&#x27;elenco qui sotto e creane un altro');
    expect(second.text).toContain('/revoke');
    // The page after a token is made is a new form: a token made from it is another one.
    const again = await agent
      .post('/account/tokens')
      .type('form')
      .send({ ...body, _formKey: field(first.text, '_formKey'), name: 'Seconda' });
    expect(again.status).toBe(201);
    expect(await tokens()).toHaveLength(2);
  });
});

describe('migration 2026_12_07_2000_b_token_expiry', () => {
  it('gives the tokens made before it one year, and they keep working', async () => {
    const own = await newTestDb();
    try {
      await migration.down(own.db);
      const user = await newUser(own.db);
      await sql`INSERT INTO api_tokens (user_id, name, token_hash)
        VALUES (${user.id}, 'prima', 'hash-before')`.execute(own.db);
      await migration.up(own.db);
      const row = await own.db
        .selectFrom('api_tokens')
        .select('expires_at')
        .where('token_hash', '=', 'hash-before')
        .executeTakeFirstOrThrow();
      expect(daysFromNow(row.expires_at)).toBeGreaterThanOrEqual(365);
      expect(daysFromNow(row.expires_at)).toBeLessThanOrEqual(366);
      const { rows } = await sql<{ user_id: string; expired: boolean }>`
        SELECT user_id, expired FROM api_token_user('hash-before')`.execute(own.db);
      expect(rows).toEqual([{ user_id: user.id, expired: false }]);
    } finally {
      await own.close();
    }
  });
});

describe('a token in its last days', () => {
  it('tells its owner once, in the inbox, the first time it is used then', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const { id, token } = await createApiToken(t.db, user.id, 'Estrazione mensile');
    const me = () => request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const told = () =>
      t.db
        .selectFrom('notifications')
        .select(['kind', 'params', 'link'])
        .where('user_id', '=', user.id)
        .execute();
    // 90 days left: nothing to say.
    expect((await me()).status).toBe(200);
    expect(await told()).toEqual([]);
    await sql`UPDATE api_tokens SET expires_at = now() + interval '5 days' WHERE id = ${id}`.execute(
      t.db,
    );
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    const { expires_at } = await t.db
      .selectFrom('api_tokens')
      .select('expires_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const day = expires_at.toISOString().slice(0, 10);
    expect(await told()).toEqual([
      {
        kind: 'api_token_expiring',
        params: { token: 'Estrazione mensile', date: day },
        link: '/account/tokens',
      },
    ]);
    const agent = await loginAs(app, user.email, PASSWORD);
    const inbox = await agent.get('/inbox?lang=en');
    expect(inbox.text).toContain(
      `Your access token “Estrazione mensile” expires on ${formatDate(day, 'en', { style: 'long' })}:`,
    );
  });
});
