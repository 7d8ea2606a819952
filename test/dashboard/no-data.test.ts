import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from '../needs/factories';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('GET /dashboard of a campaign with no answers yet', () => {
  it('says there is no data yet instead of drawing an empty chart', async () => {
    const { id: campaignId, region } = await newCampaign(t.db, { territory: 'ITI1' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await agent.get(`/dashboard?campaign=${campaignId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      '<p class="alert alert-info" id="dashboard-series-empty">Ancora nessun dato: il grafico comparirà',
    );
    expect(res.text).not.toContain('id="dashboard-series-title"');
    const en = await agent.get(`/dashboard?campaign=${campaignId}&lang=en`);
    expect(en.text).toContain('id="dashboard-series-empty">No data yet: the chart will appear');
  });
});
