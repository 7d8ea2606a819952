import type { Express } from 'express';
import { loginAs, submitForm, testApp, type Agent } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from '../survey/helpers';
import { newCall } from './helpers';
import { decodeEntities } from '../helpers/html';

let t: TestDb;
let app: Express;
let region: Awaited<ReturnType<typeof newUser>>;
let agent: Agent;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  region = await newUser(t.db, { role: 'region' });
  agent = await loginAs(app, region.email, PASSWORD);
});
afterAll(() => t.close());

const exists = async (table: 'campaigns' | 'funding_calls', id: string) =>
  !!(await t.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst());
const remove = (path: string) => submitForm(agent, path, {}, path);

describe('deleting a draft survey', () => {
  it('asks first, then deletes it with its areas and says so on the list', async () => {
    const draft = await newCampaign(t.db, { region, open: false });
    const page = decodeEntities((await agent.get(`/campaigns/${draft.id}`)).text);
    expect(page).toContain(`href="/campaigns/${draft.id}/delete"`);
    const confirm = await agent.get(`/campaigns/${draft.id}/delete`);
    expect(confirm.status).toBe(200);
    expect(decodeEntities(confirm.text)).toContain('Nessuna impresa l');

    const res = await remove(`/campaigns/${draft.id}/delete`);
    expect(res.headers.location).toBe('/campaigns');
    expect((await agent.get('/campaigns')).text).toContain('Bozza eliminata.');
    expect(await exists('campaigns', draft.id)).toBe(false);
    const areas = await t.db
      .selectFrom('campaign_skill_areas')
      .select('campaign_id')
      .where('campaign_id', '=', draft.id)
      .execute();
    expect(areas).toEqual([]);
  });

  it('keeps an open survey, and a draft that a funding call names, saying why', async () => {
    const open = await newCampaign(t.db, { region });
    expect((await agent.get(`/campaigns/${open.id}/delete`)).headers.location).toBe(
      `/campaigns/${open.id}`,
    );
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await agent.get(`/campaigns/${open.id}`)).text,
    )![1]!;
    const refused = await agent
      .post(`/campaigns/${open.id}/delete`)
      .type('form')
      .send({ _csrf: csrf });
    expect(refused.headers.location).toBe(`/campaigns/${open.id}`);
    expect(decodeEntities((await agent.get(refused.headers.location!)).text)).toContain(
      "Solo un'indagine in bozza si può eliminare",
    );
    expect(await exists('campaigns', open.id)).toBe(true);

    const named = await newCampaign(t.db, { region, open: false });
    await newCall(t.db, region, { status: 'draft', campaignId: named.id });
    await remove(`/campaigns/${named.id}/delete`);
    expect(decodeEntities((await agent.get(`/campaigns/${named.id}`)).text)).toContain(
      'un avviso o un patto la cita',
    );
    expect(await exists('campaigns', named.id)).toBe(true);
  });

  it("is not another region's to delete", async () => {
    const other = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const draft = await newCampaign(t.db, { region: other, territory: 'ITC4', open: false });
    expect((await agent.get(`/campaigns/${draft.id}/delete`)).status).toBe(404);
    expect(await exists('campaigns', draft.id)).toBe(true);
  });
});

describe('deleting a draft funding call', () => {
  it('asks first, then deletes it with its reserves and areas', async () => {
    const draft = await newCall(t.db, region, {
      status: 'draft',
      areas: ['F40'],
      allocations: [{ territory: 'ITI14', cents: 10_000_00 }],
    });
    expect((await agent.get(`/calls/${draft.id}`)).text).toContain(
      `href="/calls/${draft.id}/delete"`,
    );
    expect((await agent.get(`/calls/${draft.id}/delete`)).status).toBe(200);
    const res = await remove(`/calls/${draft.id}/delete`);
    expect(res.headers.location).toBe('/calls');
    expect((await agent.get('/calls')).text).toContain('Bozza eliminata.');
    expect(await exists('funding_calls', draft.id)).toBe(false);
  });

  it('keeps an open call, saying why, and is not another region’s to delete', async () => {
    const open = await newCall(t.db, region, { status: 'open' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await agent.get(`/calls/${open.id}`)).text,
    )![1]!;
    const refused = await agent.post(`/calls/${open.id}/delete`).type('form').send({ _csrf: csrf });
    expect(decodeEntities((await agent.get(refused.headers.location!)).text)).toContain(
      'Solo un avviso in bozza si può eliminare',
    );
    expect(await exists('funding_calls', open.id)).toBe(true);

    const other = await newUser(t.db, { role: 'region', territory: 'ITC4' });
    const theirs = await newCall(t.db, other, { status: 'draft' });
    expect((await agent.get(`/calls/${theirs.id}/delete`)).status).toBe(404);
  });
});
