import { seedDemo } from '../../src/db/seed-demo';
import { DEMO_CAMPAIGN, DEMO_CLOSED_CAMPAIGN } from '../../src/modules/survey/survey.demo';
import { DEMO_FIRMS } from '../../src/modules/survey/demo-responses';
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
      .where('title', 'in', [DEMO_CAMPAIGN, DEMO_CLOSED_CAMPAIGN])
      .orderBy('created_at')
      .execute();
    expect(campaigns.map((c) => [c.title, c.status])).toEqual([
      [DEMO_CLOSED_CAMPAIGN, 'closed'],
      [DEMO_CAMPAIGN, 'open'],
    ]);
    expect(campaigns[1]).toMatchObject({ territory_code: 'ITI1', readiness: true });
    // The open one is the visitor's firm's to answer: nobody else has.
    const answered = await t.db
      .selectFrom('responses')
      .select('id')
      .where('campaign_id', '=', campaigns[1]!.id)
      .execute();
    expect(answered).toEqual([]);
    const firm = await t.db
      .selectFrom('firms')
      .innerJoin('users', 'users.organisation_id', 'firms.organisation_id')
      .select(['firms.vat_number', 'firms.size_class'])
      .where('users.email', '=', 'firm@demo.patto.test')
      .executeTakeFirstOrThrow();
    expect(firm).toEqual({ vat_number: 'IT01234567897', size_class: 'small' });
  });

  it('answers the closed demo campaign with made-up firms of Florence and Prato, once', async () => {
    await seedDemo(t.db);
    const campaign = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('title', '=', DEMO_CLOSED_CAMPAIGN)
      .executeTakeFirstOrThrow();
    // One current version per firm (a re-run imports nothing twice).
    const answers = await t.db
      .selectFrom('responses')
      .select(['responses.territory_code'])
      .where('responses.campaign_id', '=', campaign.id)
      .where('responses.status', '=', 'current')
      .execute();
    expect(answers).toHaveLength(DEMO_FIRMS);
    const provinces = await t.db
      .selectFrom('territories')
      .select('parent_code')
      .distinct()
      .where(
        'code',
        'in',
        answers.map((a) => a.territory_code),
      )
      .execute();
    expect(provinces.map((p) => p.parent_code).sort()).toEqual(['ITI14', 'ITI15']);
    // The aggregate was kept by the import: the region's total equals the lines' sum.
    const { workers } = await t.db
      .selectFrom('response_needs')
      .innerJoin('responses', 'responses.id', 'response_needs.response_id')
      .select((eb) => eb.fn.sum<number>('response_needs.workers').as('workers'))
      .where('responses.campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(Number(workers)).toBeGreaterThan(DEMO_FIRMS);
  });

  it('funds a Florence pact signed by both sides, starts it, leaves another in negotiation', async () => {
    await seedDemo(t.db);
    const pacts = await t.db
      .selectFrom('pacts')
      .innerJoin('campaigns', 'campaigns.id', 'pacts.campaign_id')
      .select([
        'pacts.id',
        'pacts.status',
        'pacts.territory_code',
        'pacts.approved_cents',
        'pacts.requested_cents',
        'campaigns.title as campaign',
      ])
      .orderBy('pacts.created_at')
      .execute();
    // Drawn from the closed survey, whose needs everyone reads.
    expect(new Set(pacts.map((p) => p.campaign))).toEqual(new Set([DEMO_CLOSED_CAMPAIGN]));
    expect(pacts.map((p) => [p.status, p.territory_code])).toEqual([
      ['in_progress', 'ITI14'],
      ['negotiation', 'ITI14'],
    ]);
    expect(pacts[0]!.approved_cents).toBeGreaterThan(0);
    // The approval went through the ledger: the call's running total is the pact's amount.
    const call = await t.db
      .selectFrom('funding_calls')
      .select(['committed_cents', 'status'])
      .executeTakeFirstOrThrow();
    expect(call).toEqual({ committed_cents: pacts[0]!.approved_cents, status: 'open' });
    const signers = await t.db
      .selectFrom('pact_signatures')
      .innerJoin('organisations', 'organisations.id', 'pact_signatures.organisation_id')
      .select('organisations.partner_type')
      .where('pact_signatures.pact_id', '=', pacts[0]!.id)
      .execute();
    expect(signers.map((s) => s.partner_type).sort()).toEqual([
      'employer_association',
      'trade_union',
    ]);
    // Its first course reported for this quarter, every ESF+ breakdown adding up.
    const outcomes = await t.db
      .selectFrom('action_outcomes')
      .selectAll()
      .where('pact_id', '=', pacts[0]!.id)
      .execute();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.enrolled).toBeGreaterThan(0);
    expect(outcomes[0]!.spent_cents).toBeGreaterThan(0);
  });
});
