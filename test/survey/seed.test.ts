import { seedDemo } from '../../src/db/seed-demo';
import { DEMO_CAMPAIGN } from '../../src/modules/survey/survey.demo';
import { newTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('seedDemo', () => {
  it('opens a Tuscan campaign and completes the demo firm, once however often it runs', async () => {
    await seedDemo(t.db);
    await seedDemo(t.db);
    const campaigns = await t.db
      .selectFrom('campaigns')
      .selectAll()
      .where('title', '=', DEMO_CAMPAIGN)
      .execute();
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]).toMatchObject({ status: 'open', territory_code: 'ITI1', readiness: true });
    const firm = await t.db
      .selectFrom('firms')
      .innerJoin('users', 'users.organisation_id', 'firms.organisation_id')
      .select(['firms.vat_number', 'firms.size_class'])
      .where('users.email', '=', 'firm@demo.patto.test')
      .executeTakeFirstOrThrow();
    expect(firm).toEqual({ vat_number: 'IT01234567897', size_class: 'small' });
  });
});
