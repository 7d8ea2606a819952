import request from 'supertest';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { formatDate } from '../../src/lib/format';
import { addDaysTo, romeToday } from '../../src/modules/survey/calendar';
import { newCall } from './helpers';
import { newCampaign } from '../survey/helpers';
import { farDay, italianOnDay } from '../helpers/dates';

// An open call's deadline could not move: a "proroga" meant closing the call and opening a new
// one, whose pacts and ledger started from nothing.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const long = (day: string) => formatDate(day, 'it', { style: 'long' });
const callRow = (id: string) =>
  t.db
    .selectFrom('funding_calls')
    .select(['deadline', 'first_deadline'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe("extending an open call's deadline", () => {
  it('moves it later, keeps the first one, tells the authorities once; refuses an earlier day', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const deadline = addDaysTo(romeToday(), 5);
    const call = await newCall(t.db, region, { deadline });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get(`/calls/${call.id}`)).text).toContain(
      `href="/calls/${call.id}/extend"`,
    );

    const earlier = addDaysTo(deadline, -1);
    const refused = await submitForm(agent, `/calls/${call.id}/extend`, { deadline: earlier });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(
      italianOnDay(
        `Scegli un giorno dopo la scadenza attuale, il ${long(deadline)}: per chiudere prima, chiudi l&#x27;avviso`,
      ),
    );
    expect(refused.text).toContain(`value="${earlier}"`);

    const later = addDaysTo(deadline, 30);
    for (let i = 0; i < 2; i++)
      expect(
        (await submitForm(agent, `/calls/${call.id}/extend`, { deadline: later })).status,
      ).toBe(302);
    expect(await callRow(call.id)).toEqual({ deadline: later, first_deadline: deadline });
    const page = await agent.get(`/calls/${call.id}`);
    expect(page.text).toContain(
      italianOnDay(`Avviso prorogato: la scadenza è ora il ${long(later)}.`),
    );
    expect(page.text).toContain(italianOnDay(`prorogata: scadeva il ${long(deadline)}`));
    expect((await agent.get('/calls')).text).toContain('(prorogata)');
    const told = await t.db
      .selectFrom('notifications')
      .select(['params', 'link'])
      .where('user_id', '=', authority.id)
      .where('kind', '=', 'call_extended')
      .execute();
    expect(told).toEqual([
      {
        params: expect.objectContaining({ date: later, call: call.title }),
        link: `/calls/${call.id}`,
      },
    ]);
  });

  it('is refused for a closed call, and not offered to an authority', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const deadline = farDay();
    const call = await newCall(t.db, region, { status: 'closed', deadline });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get(`/calls/${call.id}/extend`)).headers.location).toBe(
      `/calls/${call.id}`,
    );
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await agent.get(`/calls/${call.id}`)).text,
    )![1]!;
    const res = await agent
      .post(`/calls/${call.id}/extend`)
      .type('form')
      .send({ _csrf: csrf, deadline: farDay(180) });
    expect(res.status).toBe(302);
    expect((await agent.get(`/calls/${call.id}`)).text).toContain(
      'Si può prorogare solo un avviso aperto.',
    );
    expect(await callRow(call.id)).toEqual({ deadline, first_deadline: null });

    const open = await newCall(t.db, region);
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const theirs = await loginAs(testApp(t), authority.email, PASSWORD);
    expect((await theirs.get(`/calls/${open.id}`)).text).not.toContain('/extend"');
    expect((await theirs.get(`/calls/${open.id}/extend`)).status).toBe(403);
  });
});

describe('extendCall and extendCampaign on the API', () => {
  it('extend only later, say the first day, and refuse anything else with its reason', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const deadline = farDay();
    const later = farDay(90);
    const call = await newCall(t.db, region, { deadline });
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD, name: 'prova' });
    const post = (path: string, body: object) =>
      request(app).post(`/api/v1${path}`).set('Authorization', `Bearer ${tok.token}`).send(body);
    const ok = await post(`/calls/${call.id}/extend`, { deadline: later });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ deadline: later, firstDeadline: deadline });
    const earlier = await post(`/calls/${call.id}/extend`, { deadline: farDay(30) });
    expect(earlier.status).toBe(422);
    expect(JSON.stringify(earlier.body)).toContain('deadline');
    expect((await post(`/calls/${call.id}/extend`, { deadline: 'soon' })).status).toBe(422);
    expect(await callRow(call.id)).toEqual({
      deadline: later,
      first_deadline: deadline,
    });
  });
});

describe('open and close on the API, asked again (a retry after a timeout)', () => {
  it('answers 200 with repeated: true once it is so, and 409 for what cannot be', async () => {
    const region = await newUser(t.db, { role: 'region' });
    const app = testApp(t);
    const { body: tok } = await request(app)
      .post('/api/v1/tokens')
      .send({ email: region.email, password: PASSWORD, name: 'prova' });
    const post = (path: string) =>
      request(app).post(`/api/v1${path}`).set('Authorization', `Bearer ${tok.token}`).send();
    const call = await newCall(t.db, region, { status: 'draft', deadline: farDay() });
    const told = async () =>
      (
        await t.db
          .selectFrom('notifications')
          .select('id')
          .where('kind', '=', 'call_opened')
          .where('link', '=', `/calls/${call.id}`)
          .execute()
      ).length;
    const first = await post(`/calls/${call.id}/open`);
    expect([first.status, first.body.status, first.body.repeated]).toEqual([200, 'open', false]);
    const toldOnce = await told();
    const again = await post(`/calls/${call.id}/open`);
    expect([again.status, again.body.status, again.body.repeated]).toEqual([200, 'open', true]);
    expect(await told()).toBe(toldOnce);
    expect((await post(`/calls/${call.id}/close`)).body.repeated).toBe(false);
    expect((await post(`/calls/${call.id}/close`)).body.repeated).toBe(true);
    // Closed is not open: a program asking to open it hears why not.
    expect((await post(`/calls/${call.id}/open`)).status).toBe(409);

    const { id } = await newCampaign(t.db, { region, open: false });
    expect((await post(`/campaigns/${id}/open`)).body.repeated).toBe(false);
    const reopened = await post(`/campaigns/${id}/open`);
    expect([reopened.status, reopened.body.status, reopened.body.repeated]).toEqual([
      200,
      'open',
      true,
    ]);
  });
});
