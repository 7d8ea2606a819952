import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { postStep, reachNeeds, submitLines } from '../survey/flow';
import { needLine, needsBody, newCampaign, newFirmUser } from '../survey/helpers';
import { maintained, recomputed } from './oracle';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('the survey keeps the needs aggregate current', () => {
  it('on submit, amend and withdraw, in the same transaction', async () => {
    const { id } = await newCampaign(t.db);
    const app = testApp(t);
    const firms = [];
    for (const workers of ['5', '7']) {
      const firm = await newFirmUser(t.db, 40);
      const agent = await loginAs(app, firm.email, PASSWORD);
      await reachNeeds(agent, t.db, id, firm.organisationId);
      expect((await submitLines(agent, id, needsBody([needLine({ workers })]))).status).toBe(302);
      firms.push({ firm, agent });
    }
    const cells = await maintained(t.db, id);
    expect(cells).toEqual(await recomputed(t.db, id));
    expect(cells.find((c) => c.key === 'ITI1|total|*|*|*')).toMatchObject({
      firms: 2,
      workers: 12,
      max_firm_workers: 7,
    });

    const { firm, agent } = firms[1]!;
    await postStep(agent, `/survey/${id}/receipt`, {}, `/survey/${id}/amend`);
    await reachNeeds(agent, t.db, id, firm.organisationId);
    const amended = needsBody([needLine({ workers: '3' }), needLine({ skill: 'DC1.1' })]);
    expect((await submitLines(agent, id, amended)).status).toBe(302);
    expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    expect((await maintained(t.db, id)).find((c) => c.key === 'ITI1|total|*|*|*')).toMatchObject({
      firms: 2,
      workers: 13,
      max_firm_workers: 8,
    });

    const current = await t.db
      .selectFrom('responses')
      .select('id')
      .where('firm_id', '=', firm.organisationId)
      .where('status', '=', 'current')
      .executeTakeFirstOrThrow();
    const res = await postStep(
      agent,
      `/survey/${id}/receipt`,
      {},
      `/survey/${id}/versions/${current.id}/withdraw`,
    );
    expect(res.status).toBe(302);
    expect(await maintained(t.db, id)).toEqual(await recomputed(t.db, id));
    expect((await maintained(t.db, id)).find((c) => c.key === 'ITI1|total|*|*|*')).toMatchObject({
      firms: 1,
      workers: 5,
      max_firm_workers: 5,
    });
  });
});
