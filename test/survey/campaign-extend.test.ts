import { sql } from 'kysely';
import { loginAs, submitForm, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { formatDate } from '../../src/lib/format';
import { romeToday } from '../../src/modules/survey/calendar';
import { addDays, newCampaign, newFirmUser } from './helpers';
import { italianOnDay } from '../helpers/dates';

// A region could not move an open survey's closing day: a "proroga", common when answers come
// slowly, meant a new survey, and the firms' begun answers were lost with the old one.

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const long = (day: string) => formatDate(day, 'it', { style: 'long' });
const campaignRow = (id: string) =>
  t.db
    .selectFrom('campaigns')
    .select(['closes_at', 'first_closes_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const toldOf = (userId: string) =>
  t.db
    .selectFrom('notifications')
    .select(['kind', 'params', 'link'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'survey_extended')
    .execute();

async function setUp(closesIn = 10) {
  const region = await newUser(t.db, { role: 'region' });
  const closesAt = addDays(romeToday(), closesIn);
  const { id } = await newCampaign(t.db, { region, closesAt });
  const firm = await newFirmUser(t.db);
  const firmAgent = await loginAs(testApp(t), firm.email, PASSWORD);
  await firmAgent.get(`/survey/${id}`); // the firm begins its answer
  const agent = await loginAs(testApp(t), region.email, PASSWORD);
  return { region, firm, firmAgent, agent, id, closesAt };
}

describe("extending an open survey's closing day", () => {
  it('moves the day later, keeps the first one, and tells the firms with an unsent answer', async () => {
    const { agent, firm, id, closesAt } = await setUp();
    const show = await agent.get(`/campaigns/${id}`);
    expect(show.text).toContain(`href="/campaigns/${id}/extend"`);
    const form = await agent.get(`/campaigns/${id}/extend`);
    expect(form.text).toContain(italianOnDay(`Oggi l&#x27;indagine chiude il ${long(closesAt)}.`));
    expect(form.text).toContain('L&#x27;unica impresa che ha iniziato la risposta');
    // Still open: nothing has been published yet, so nothing is said about it.
    expect(form.text).not.toContain('già pubblici');

    const later = addDays(closesAt, 21);
    const done = await submitForm(agent, `/campaigns/${id}/extend`, { closesAt: later });
    expect(done.status).toBe(302);
    expect(await campaignRow(id)).toEqual({ closes_at: later, first_closes_at: closesAt });
    const page = await agent.get(`/campaigns/${id}`);
    expect(page.text).toContain(italianOnDay(`Indagine prorogata: ora chiude il ${long(later)}.`));
    expect(page.text).toContain(italianOnDay(`prorogata: chiudeva il ${long(closesAt)}`));
    expect((await agent.get('/campaigns')).text).toContain('(prorogata)');
    expect(await toldOf(firm.id)).toEqual([
      {
        kind: 'survey_extended',
        params: expect.objectContaining({ date: later }),
        link: `/survey/${id}`,
      },
    ]);

    // The same day sent again (a double click) lands as done, telling nobody twice.
    const again = await submitForm(agent, `/campaigns/${id}/extend`, { closesAt: later });
    expect(again.status).toBe(302);
    expect(await toldOf(firm.id)).toHaveLength(1);
    expect(await campaignRow(id)).toEqual({ closes_at: later, first_closes_at: closesAt });
  });

  it('refuses a day not later than the current one, or none, keeping what was typed', async () => {
    const { agent, id, closesAt } = await setUp();
    const earlier = addDays(closesAt, -3);
    const refused = await submitForm(agent, `/campaigns/${id}/extend`, { closesAt: earlier });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(
      italianOnDay(
        `Scegli un giorno dopo l&#x27;attuale chiusura, il ${long(closesAt)}: per chiudere prima, chiudi l&#x27;indagine`,
      ),
    );
    expect(refused.text).toContain(`value="${earlier}"`);
    expect(refused.text).toContain('href="#field-closesAt"');
    const empty = await submitForm(agent, `/campaigns/${id}/extend`, { closesAt: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('href="#field-closesAt"');
    expect(await campaignRow(id)).toEqual({ closes_at: closesAt, first_closes_at: null });
  });

  it('reopens the answers of a survey whose day went by without anyone closing it', async () => {
    const { agent, firmAgent, id } = await setUp();
    await sql`UPDATE campaigns SET opens_at = ${addDays(romeToday(), -20)},
      closes_at = ${addDays(romeToday(), -2)} WHERE id = ${id}`.execute(t.db);
    expect((await firmAgent.get(`/survey/${id}/step/1`)).text).toContain('è chiusa');
    // Its needs are public by now: the page says extending withholds them again.
    const page = await agent.get(`/campaigns/${id}/extend`);
    expect(page.text).toContain('i fabbisogni dell&#x27;indagine sono già pubblici');
    const later = addDays(romeToday(), 7);
    expect((await submitForm(agent, `/campaigns/${id}/extend`, { closesAt: later })).status).toBe(
      302,
    );
    const step = await firmAgent.get(`/survey/${id}/step/1`);
    expect(step.status).toBe(200);
    expect(step.text).not.toContain('è chiusa');
  });

  it('is not offered, and refused, once the region closed the survey', async () => {
    const { agent, id, closesAt } = await setUp();
    expect((await submitForm(agent, `/campaigns/${id}/close`, {})).status).toBe(302);
    expect((await agent.get(`/campaigns/${id}`)).text).not.toContain(`/campaigns/${id}/extend"`);
    expect((await agent.get(`/campaigns/${id}/extend`)).headers.location).toBe(`/campaigns/${id}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await agent.get(`/campaigns/${id}`)).text,
    )![1]!;
    const refused = await agent
      .post(`/campaigns/${id}/extend`)
      .type('form')
      .send({ _csrf: csrf, closesAt: addDays(closesAt, 10) });
    expect(refused.status).toBe(302);
    expect((await agent.get(`/campaigns/${id}`)).text).toContain(
      'Si può prorogare solo un&#x27;indagine aperta',
    );
    expect((await campaignRow(id)).closes_at).toBe(closesAt);
  });
});
