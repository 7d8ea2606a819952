import request from 'supertest';
import { loginAs, testApp, type Agent } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let agent: Agent;
let token: string;
beforeAll(async () => {
  t = await newTestDb();
  const user = await newUser(t.db, { role: 'local_authority' });
  agent = await loginAs(testApp(t), user.email, PASSWORD);
  token = (
    await request(testApp(t)).post('/api/v1/tokens').send({ email: user.email, password: PASSWORD })
  ).body.token;
});
afterAll(() => t.close());

describe('a page asked for with a bad query parameter', () => {
  it('names the parameter and what it accepts, and links to the page without it', async () => {
    const it = await agent.get('/needs?by=foo&measure=firms&lang=it');
    expect(it.status).toBe(400);
    expect(it.text).toMatch(/<h1[^>]*>Richiesta non valida<\/h1>/);
    expect(decodeEntities(it.text)).toContain(
      'Il parametro «by» non è valido: valori ammessi: Area di competenza (area), Competenza (skill), Settore (section), Classe dimensionale (size).',
    );
    expect(decodeEntities(it.text)).toContain(
      '<a href="/needs?measure=firms&lang=it">Apri la pagina senza i parametri non validi</a>',
    );

    const en = await agent.get('/needs?by=foo&lang=en');
    expect(en.status).toBe(400);
    expect(decodeEntities(en.text)).toContain(
      'The parameter “by” is not valid: accepted values: Skill area (area), Skill (skill), Sector (section), Size class (size).',
    );
    expect(decodeEntities(en.text)).toContain('<a href="/needs?lang=en">Open the page without');
    await agent.get('/?lang=it');
  });

  it('says what a territory level, a quarter or an identifier looks like', async () => {
    const levels = await agent.get('/territories?level=bogus&q=firenze');
    expect(levels.status).toBe(400);
    expect(decodeEntities(levels.text)).toContain(
      'Il parametro «level» non è valido: valori ammessi: Stato (NUTS0), Macroregione (NUTS1), Regione (NUTS2), Provincia (NUTS3), Comune (LAU).',
    );
    expect(decodeEntities(levels.text)).toContain('href="/territories?q=firenze"');

    const quarter = await request(testApp(t)).get('/dashboard?period=2027-Q9&campaign=xyz');
    expect(quarter.status).toBe(400);
    expect(decodeEntities(quarter.text)).toContain(
      'Il parametro «period» non è valido: indica un trimestre come 2027-Q1.',
    );
    expect(decodeEntities(quarter.text)).toContain(
      "Il parametro «campaign» non è valido: deve essere l'identificativo di un elemento",
    );
    expect(decodeEntities(quarter.text)).toContain('href="/dashboard"');
  });

  it('says which parameter a download needs, with no link that would fail again', async () => {
    const res = await request(testApp(t)).get('/open-data/needs.csv?lang=en');
    expect(res.status).toBe(400);
    expect(decodeEntities(res.text)).toContain(
      'The parameter “campaign”, which this page needs, is missing.',
    );
    expect(res.text).not.toContain('Open the page without');
  });

  it('shows a list with its default and a notice when only a filter was wrong', async () => {
    const pacts = await agent.get('/pacts?status=bogus');
    expect(pacts.status).toBe(200);
    expect(pacts.text).toContain('id="query-notice"');
    expect(decodeEntities(pacts.text)).toContain("Alcuni parametri dell'indirizzo non sono validi");
    expect(decodeEntities(pacts.text)).toContain(
      'Il parametro «status» non è valido: valori ammessi: Bozza (draft), In negoziazione (negotiation), Concordato (agreed),',
    );
    const calls = await agent.get('/calls?status=bogus&lang=en');
    expect(decodeEntities(calls.text)).toContain(
      'The parameter “status” is not valid: accepted values: Draft (draft), Open (open), Closed (closed).',
    );
    await agent.get('/?lang=it');

    const inbox = await agent.get('/inbox?page=zzz&lang=en');
    expect(inbox.status).toBe(200);
    expect(decodeEntities(inbox.text)).toContain(
      'The parameter “page” is not valid: it must be a whole number.',
    );
    await agent.get('/?lang=it');
    const fine = await agent.get('/pacts');
    expect(fine.text).not.toContain('id="query-notice"');
  });

  it('names the parameter in the API problem too', async () => {
    const res = await request(testApp(t))
      .get('/api/v1/territories?level=NUTS9')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        pointer: 'query/level',
        detail:
          'Il parametro «level» non è valido: valori ammessi: Stato (NUTS0), Macroregione (NUTS1), Regione (NUTS2), Provincia (NUTS3), Comune (LAU).',
      },
    ]);
  });

  it("lists the needs and dashboard choices in the reader's words, page and API alike", async () => {
    const needs = await agent.get('/needs?priority=urgent&sort=size&measure=hours&lang=en');
    expect(needs.status).toBe(400);
    expect(decodeEntities(needs.text)).toContain(
      'The parameter “priority” is not valid: accepted values: High (high), Medium (medium), Low (low).',
    );
    expect(decodeEntities(needs.text)).toContain(
      'The parameter “measure” is not valid: accepted values: Workers to train (workers), Firms (firms).',
    );
    expect(decodeEntities(needs.text)).toContain(
      'The parameter “sort” is not valid: accepted values: Territory name (name), Total (value).',
    );
    await agent.get('/?lang=it');

    const dashboard = await request(testApp(t)).get('/dashboard?map=firms&lang=fr');
    expect(dashboard.status).toBe(400);
    expect(decodeEntities(dashboard.text)).toContain(
      'Il parametro «map» non è valido: valori ammessi: Copertura % (coverage), Lavoratori da formare (need).',
    );
    expect(decodeEntities(dashboard.text)).toContain(
      'Il parametro «lang» non è valido: valori ammessi: Italiano (it), English (en).',
    );

    const api = await request(testApp(t))
      .get(
        '/api/v1/needs/aggregate?campaignId=00000000-0000-4000-8000-000000000000&by=region&level=NUTS4',
      )
      .set('Authorization', `Bearer ${token}`)
      .set('Accept-Language', 'en');
    expect(api.status).toBe(422);
    expect(api.body.errors).toEqual([
      {
        pointer: 'query/level',
        detail:
          'The parameter “level” is not valid: accepted values: Country (NUTS0), Major region (NUTS1), Region (NUTS2), Province (NUTS3), Municipality (LAU).',
      },
      {
        pointer: 'query/by',
        detail:
          'The parameter “by” is not valid: accepted values: Skill area (area), Skill (skill), Sector (sector), Size class (size).',
      },
    ]);
  });
});
