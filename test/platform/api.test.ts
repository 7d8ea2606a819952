import request from 'supertest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { errorSummary, expectSummaryNamesFields } from '../helpers/error-summary';
import { newCampaign } from '../needs/factories';
import { createApiToken } from '../../src/modules/accounts/tokens.service';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document with the contract operationIds', async () => {
    const res = await request(testApp(t)).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(res.body))).resolves.toBeDefined();
    const ids = Object.values(
      res.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ids).toEqual(expect.arrayContaining(['createToken', 'getMe', 'revokeToken']));
    // A quarter read leniently (2027Q1 is 2027-Q1) still says the form it is stored in.
    const action = res.body.paths['/pacts/{id}/actions'].post.requestBody.content[
      'application/json'
    ].schema.properties.period as { description?: string; examples?: string[] };
    expect(action.description).toMatch(/^A quarter, YYYY-Qn/);
    expect(action.examples).toEqual(['2027-Q1']);
  });
});

describe('tokens', () => {
  it('createToken → getMe works → revoked → 401', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    const app = testApp(t);
    const created = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: user.email,
      role: 'local_authority',
      organisation: { id: user.organisationId },
      territory: { code: 'ITI14' },
    });
    expect(me.body.territory.path.map((p: { code: string }) => p.code)).toEqual([
      'IT',
      'ITI',
      'ITI1',
      'ITI14',
    ]);
    const stored = await t.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(
      (await request(app).delete('/api/v1/tokens/current').set('Authorization', `Bearer ${token}`))
        .status,
    ).toBe(204);
    const after = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.headers['content-type']).toContain('application/problem+json');
    // Said as what it is, in the caller's language, not as a page's "log in to continue".
    expect(after.body.detail).toMatch(/^Il token di accesso non è valido, oppure è stato revocato/);
    expect(after.headers['www-authenticate']).toBe(
      'Bearer realm="patto", error="invalid_token", error_description="The access token is not valid"',
    );
    const english = await request(app)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept-Language', 'en');
    expect(english.body.detail).toMatch(/^The access token is not valid, or it was revoked/);
  });

  it("records a token's last use at most once a minute, and refuses it for a disabled user", async () => {
    const user = await newUser(t.db, { role: 'firm' });
    const app = testApp(t);
    const created = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD });
    const auth = { Authorization: `Bearer ${created.body.token as string}` };
    const lastUsed = async () =>
      (
        await t.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('user_id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(200);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(200);
    expect(await lastUsed()).toEqual(first); // within the minute: not written again
    await t.db
      .updateTable('api_tokens')
      .set({ last_used_at: new Date(Date.now() - 120_000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(200);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(Date.now() - 60_000);

    await t.db
      .updateTable('users')
      .set({ disabled_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    expect((await request(app).get('/api/v1/me').set(auth)).status).toBe(401);
  });

  it('refuses wrong credentials with the same problem for both mistakes', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const a = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: 'nope' });
    const b = await request(app)
      .post('/api/v1/tokens')
      .send({ email: 'ghost@test.patto', password: 'nope' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.detail).toBe(b.body.detail);
  });

  it('answers problem+json naming each failing field', async () => {
    const res = await request(testApp(t)).post('/api/v1/tokens').send({ email: 42, extra: true });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['body/email', 'body/password', 'body/_form']));
  });

  it('answers 401 without a token and 400 for malformed JSON', async () => {
    const app = testApp(t);
    const none = await request(app).get('/api/v1/me').set('Accept-Language', 'en');
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/^No access token: send one in the header Authorization/);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="patto"');
    const bad = await request(app)
      .post('/api/v1/tokens')
      .set('Content-Type', 'application/json')
      .send('{"email":');
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe(400);
    expect(bad.body.detail).toBe(
      'Il corpo della richiesta non è JSON valido: controlla virgolette, virgole e parentesi.',
    );
    const english = await request(app)
      .post('/api/v1/tokens')
      .set('Content-Type', 'application/json')
      .set('Accept-Language', 'en')
      .send('{bad');
    expect(english.body.detail).toMatch(/^The request body is not valid JSON/);
  });

  it('refuses a form or a text body to a JSON operation as 415, writing nothing', async () => {
    const user = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const form = await request(app)
      .post('/api/v1/tokens')
      .set('Accept-Language', 'en')
      .type('form')
      .send({ email: user.email, password: PASSWORD });
    expect([form.status, form.type]).toEqual([415, 'application/problem+json']);
    expect(form.body.detail).toBe(
      'The request body must be JSON, sent with the header Content-Type: application/json.',
    );
    const text = await request(app)
      .post('/api/v1/tokens')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ email: user.email, password: PASSWORD }));
    expect(text.status).toBe(415);
    expect(text.body.detail).toMatch(/^Il corpo della richiesta deve essere JSON/);
    const tokens = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(tokens).toEqual([]);
    // A write with no body at all still names the fields it needs.
    const token = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD });
    const empty = await request(app)
      .post('/api/v1/campaigns')
      .set('Authorization', `Bearer ${token.body.token as string}`);
    expect(empty.status).toBe(422);
    const doc = await request(app).get('/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths['/campaigns'].post.responses)).toEqual(
      expect.arrayContaining(['400', '415', '422']),
    );
  });

  it('answers a method a path does not have with 405 and the methods it has', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const created = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD });
    const auth = { Authorization: `Bearer ${created.body.token as string}` };
    const put = await request(app).put('/api/v1/me').set(auth).set('Accept-Language', 'en');
    expect([put.status, put.type]).toEqual([405, 'application/problem+json']);
    expect(put.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(put.body).toMatchObject({ title: 'Method Not Allowed', status: 405 });
    expect(put.body.detail).toBe(
      'This path does not answer PUT: it answers GET, HEAD, OPTIONS (see /api/v1/openapi.json).',
    );
    const options = await request(app).options('/api/v1/campaigns').set(auth);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect((await request(app).head('/api/v1/me').set(auth)).status).toBe(200);
    // A path the API does not have is still 404, said as an API's.
    const nothing = await request(app).put('/api/v1/nothing').set(auth);
    expect(nothing.status).toBe(404);
    expect(nothing.body.detail).toBe(
      "L'API non ha operazioni a questo percorso: vedi /api/v1/openapi.json.",
    );
  });

  it('answers an id not of the form ids have as 404 naming it, as a made-up id', async () => {
    const user = await newUser(t.db, { role: 'local_authority' });
    const app = testApp(t);
    const created = await request(app)
      .post('/api/v1/tokens')
      .send({ email: user.email, password: PASSWORD });
    const auth = {
      Authorization: `Bearer ${created.body.token as string}`,
      'Accept-Language': 'en',
    };
    const madeUp = await request(app)
      .get('/api/v1/pacts/00000000-0000-4000-8000-000000000000')
      .set(auth);
    const malformed = await request(app).get('/api/v1/pacts/not-a-uuid').set(auth);
    expect([malformed.status, malformed.body.detail]).toEqual([404, madeUp.body.detail]);
    expect(malformed.body.errors).toEqual([
      {
        pointer: 'params/id',
        detail: '“not-a-uuid” is not a valid id: see its form in /api/v1/openapi.json.',
      },
    ]);
    // A body beside it is not judged: the path names nothing to act on.
    const post = await request(app).post('/api/v1/pacts/42/submit').set(auth).send({});
    expect(post.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['params/id']);
    const doc = await request(app).get('/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths['/pacts/{id}/submit'].post.responses)).toEqual(
      expect.arrayContaining(['404', '413']),
    );
  });

  it('names the token field by its label when the name is missing', async () => {
    const user = await newUser(t.db);
    const agent = await loginAs(testApp(t), user.email, PASSWORD);
    const page = await submitForm(agent, '/account/tokens', { name: '' });
    expect(page.status).toBe(422);
    expectSummaryNamesFields(page.text, 1);
    expect(errorSummary(page.text)[0]!.text).toBe('Nome del token: Campo obbligatorio');
  });

  it('asks before revoking a token, which cannot be undone', async () => {
    const user = await newUser(t.db);
    const other = await newUser(t.db);
    const app = testApp(t);
    const agent = await loginAs(app, user.email, PASSWORD);
    expect((await submitForm(agent, '/account/tokens', { name: 'Estrazione' })).status).toBe(201);
    const row = await t.db
      .selectFrom('api_tokens')
      .select(['id', 'revoked_at'])
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const path = `/account/tokens/${row.id}/revoke`;
    const list = await agent.get('/account/tokens');
    expect(list.text).not.toContain(`action="${path}"`);
    expect(list.text).toContain(`href="${path}"`);
    const confirm = await agent.get(path);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('«Estrazione»');
    expect(confirm.text).toContain('non si può annullare');
    expect(confirm.text).toContain(`action="${path}"`);
    expect(confirm.text).toContain('href="/account/tokens"');
    const stranger = await loginAs(app, other.email, PASSWORD);
    expect((await stranger.get(path)).status).toBe(404);
    expect(
      (
        await t.db
          .selectFrom('api_tokens')
          .select('revoked_at')
          .where('id', '=', row.id)
          .executeTakeFirstOrThrow()
      ).revoked_at,
    ).toBeNull();
    expect((await submitForm(agent, path, {})).status).toBe(302);
    const again = await agent.get(path);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe('/account/tokens');
  });

  it('lets a user create and revoke a token from the account page', async () => {
    const user = await newUser(t.db);
    const app = testApp(t);
    const agent = await loginAs(app, user.email, PASSWORD);
    const page = await submitForm(agent, '/account/tokens', { name: 'Export' });
    expect(page.status).toBe(201);
    const token = /id="new-token">([^<]+)</.exec(page.text)![1]!;
    expect(
      (await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status,
    ).toBe(200);
    const row = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const revoked = await submitForm(
      agent,
      '/account/tokens',
      {},
      `/account/tokens/${row.id}/revoke`,
    );
    expect(revoked.status).toBe(302);
    expect(
      (await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status,
    ).toBe(401);
  });
});

describe('a query naming a territory that does not exist', () => {
  it('is a 422 said as the API says it, not as a page whose link was copied short', async () => {
    const res = await request(testApp(t))
      .get('/api/v1/dashboard?territory=XX99')
      .set('Accept-Language', 'en');
    expect([res.status, res.type]).toEqual([422, 'application/problem+json']);
    expect(res.body.detail).toBe('Some fields are not valid.');
    expect(res.body.errors).toEqual([
      {
        pointer: 'query/territory',
        detail: 'The parameter “territory” is not valid: no territory has the code XX99.',
      },
    ]);
  });
});

describe('a body without its revision', () => {
  it('names the revision as a missing field, not a page to reload', async () => {
    const app = testApp(t);
    const campaign = await newCampaign(t.db, { territory: 'ITI1' });
    const user = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const { token } = await createApiToken(t.db, user.id, 'test');
    const auth = { Authorization: `Bearer ${token}`, 'Accept-Language': 'en' };
    const pact = await request(app)
      .post('/api/v1/pacts')
      .set(auth)
      .send({ campaignId: campaign.id, territoryCode: 'ITI14', title: 'Senza revisione' });
    expect(pact.status).toBe(201);
    const res = await request(app)
      .post(`/api/v1/pacts/${pact.body.id as string}/actions`)
      .set(auth)
      .send({
        title: 'Corso',
        skills: ['F40.1'],
        participants: 5,
        hours: 10,
        modality: 'online',
        eqfLevel: 4,
        period: '2027-Q1',
      });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ pointer: 'body/revision', detail: 'Enter a number' }]);
  });
});

describe('a body with a value the API does not take', () => {
  it('names the values it takes, or what an id is, not a list a page offered', async () => {
    const user = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const app = testApp(t);
    const lifetime = await request(app)
      .post('/api/v1/tokens')
      .set('Accept-Language', 'en')
      .send({ email: user.email, password: PASSWORD, expiresInDays: 31 });
    expect(lifetime.body.errors).toEqual([
      { pointer: 'body/expiresInDays', detail: 'Accepted values: 30, 90, 365' },
    ]);
    const { token } = await createApiToken(t.db, user.id, 'test');
    const pact = await request(app)
      .post('/api/v1/pacts')
      .set('Authorization', `Bearer ${token}`)
      .send({ campaignId: 'abc', territoryCode: 'ITI14', title: 'x' });
    expect(pact.body.errors).toContainEqual({
      pointer: 'body/campaignId',
      detail: 'Deve essere un identificativo (UUID), come quelli che l’API restituisce',
    });
  });
});
