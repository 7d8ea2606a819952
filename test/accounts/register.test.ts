import request from 'supertest';
import { testApp, submitForm } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser } from '../helpers/factories';
import { expectSummaryNamesFields } from '../helpers/error-summary';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const valid = {
  organisationName: 'Tessiture Empolesi S.p.A.',
  territoryCode: '048014',
  fullName: 'Chiara Mori',
  email: 'chiara@tessiture.test',
  password: 'a long enough password',
  passwordConfirm: 'a long enough password',
};

async function count(email: string) {
  return (await t.db.selectFrom('users').select('id').where('email', '=', email).execute()).length;
}

describe('POST /register', () => {
  it('creates the firm and its first user, and signs them in', async () => {
    const agent = request.agent(testApp(t));
    const res = await submitForm(agent, '/register', valid);
    expect(res.status).toBe(302);
    const org = await t.db
      .selectFrom('organisations')
      .innerJoin('users', 'users.organisation_id', 'organisations.id')
      .select(['organisations.kind', 'organisations.territory_code', 'organisations.name'])
      .where('users.email', '=', valid.email)
      .executeTakeFirstOrThrow();
    expect(org).toEqual({ kind: 'firm', territory_code: '048014', name: valid.organisationName });
    const home = await agent.get('/');
    expect(home.text).toContain('Area impresa');
    expect(home.text).toContain('Empoli');
  });

  /** The registration form's hidden fields, as a browser that drew it posts them. */
  const drawn = async (agent: ReturnType<typeof request.agent>) => {
    const page = (await agent.get('/register')).text;
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)![1]!;
    return { _csrf: field('_csrf'), _formKey: field('_formKey') };
  };

  it('sent twice at once (a double click): one account, both posts signed in and home', async () => {
    const agent = request.agent(testApp(t));
    const body = { ...valid, email: 'double@tessiture.test', ...(await drawn(agent)) };
    const post = () => agent.post('/register').type('form').send(body);
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((r) => [r.status, r.headers.location])).toEqual([
      [302, '/'],
      [302, '/'],
    ]);
    expect(await count(body.email)).toBe(1);
    const home = (await agent.get('/')).text;
    expect(home).toContain('Area impresa');
    expect(home).toContain('l&#x27;impresa è registrata');
  });

  it('the same form key with a wrong password, or an account it did not make, is "e-mail taken"', async () => {
    const first = request.agent(testApp(t));
    const body = { ...valid, email: 'key@tessiture.test', ...(await drawn(first)) };
    expect((await first.post('/register').type('form').send(body)).status).toBe(302);
    const other = request.agent(testApp(t));
    const { _csrf } = await drawn(other);
    const wrong = await other
      .post('/register')
      .type('form')
      .send({
        ...body,
        _csrf,
        password: 'not the password!',
        passwordConfirm: 'not the password!',
      });
    expect(wrong.status).toBe(409);
    const existing = await newUser(t.db);
    const notMade = await other
      .post('/register')
      .type('form')
      .send({ ...body, _csrf, email: existing.email });
    expect(notMade.status).toBe(409);
    expect((await other.get('/')).text).not.toContain('Area impresa');
  });

  it('refuses an e-mail already in use, keeping what was typed', async () => {
    const existing = await newUser(t.db);
    const res = await submitForm(request.agent(testApp(t)), '/register', {
      ...valid,
      email: existing.email,
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Esiste già un account con questo indirizzo e-mail');
    expect(res.text).toContain('value="Tessiture Empolesi S.p.A."');
    expect(res.text).not.toContain(valid.password);
  });

  it.each([
    [
      'an over-long name',
      { organisationName: 'x'.repeat(201) },
      'organisationName',
      'al massimo 200',
    ],
    ['a short password', { password: 'short', passwordConfirm: 'short' }, 'password', 'almeno 10'],
    [
      'different passwords',
      { passwordConfirm: 'another long password' },
      'passwordConfirm',
      'non coincidono',
    ],
    ['a malformed e-mail', { email: 'not-an-email' }, 'email', 'e-mail valido'],
    ['an unknown territory', { territoryCode: 'ZZ999' }, 'territoryCode', 'Scegli il comune'],
    ['a province, not a comune', { territoryCode: 'ITI14' }, 'territoryCode', 'Scegli il comune'],
    ['a foreign NUTS-3 area', { territoryCode: 'ITC4C' }, 'territoryCode', 'Scegli il comune'],
    ['a malformed territory code', { territoryCode: '<script>' }, 'territoryCode', 'formato'],
  ])(
    'refuses %s with a message next to the field and writes nothing',
    async (_what, change, field, message) => {
      const email = `case-${field}-${Math.random()}@test.patto`;
      const res = await submitForm(request.agent(testApp(t)), '/register', {
        ...valid,
        email,
        ...change,
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`href="#field-${field}"`);
      expect(res.text).toContain(message);
      expect(await count(email)).toBe(0);
    },
  );

  it.each(['it', 'en'])(
    'names each field in the error summary as the form labels it (%s)',
    async (lang) => {
      const agent = request.agent(testApp(t));
      await agent.get(`/register?lang=${lang}`);
      const res = await submitForm(agent, '/register', {
        organisationName: ' ',
        territoryCode: '',
        fullName: '',
        email: 'x',
        password: 'short',
        passwordConfirm: 'other',
      });
      expect(res.status).toBe(422);
      // It read "Nome dell'organizzazione", "Territorio" and "Password" above a form asking for
      // the "Ragione sociale dell'impresa", the "Comune della sede principale", a "Nuova password".
      expectSummaryNamesFields(res.text, 6);
    },
  );

  it('offers only the comuni the profile accepts, each once', async () => {
    const page = await request(testApp(t)).get('/register');
    const select = /<select[^>]*name="territoryCode"[\s\S]*?<\/select>/.exec(page.text)![0];
    const offered = [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]!);
    const comuni = await t.db
      .selectFrom('territories')
      .select('code')
      .where('level', '=', 'LAU')
      .where('valid_to', 'is', null)
      .execute();
    expect(offered.slice(1).sort()).toEqual(comuni.map((c) => c.code).sort());
    expect(offered).not.toContain('ITI14');
    expect(select.match(/>Firenze \(/g)).toHaveLength(1);
  });

  it('refuses unknown fields', async () => {
    const res = await submitForm(request.agent(testApp(t)), '/register', {
      ...valid,
      email: 'extra@test.patto',
      role: 'admin',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Campi non previsti: role');
    expect(await count('extra@test.patto')).toBe(0);
  });

  it('answers 413 to a body over the limit, writing nothing', async () => {
    const agent = request.agent(testApp(t));
    const res = await submitForm(agent, '/register', {
      ...valid,
      email: 'big@test.patto',
      fullName: 'x'.repeat(200_000),
    });
    expect(res.status).toBe(413);
    expect(await count('big@test.patto')).toBe(0);
  });
});
