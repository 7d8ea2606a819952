import fc from 'fast-check';
import { sql } from 'kysely';
import { newTestDb, type TestDb } from '../helpers/test-db';
import {
  importAnswers,
  newCampaign,
  newFirm,
  OCCUPATIONS,
  PERIODS,
  PRIORITIES,
  SECTORS,
  SKILLS,
  submitVersion,
  withdraw,
  type FirmAnswer,
} from './factories';
import { foldNeeds } from '../../src/modules/needs/aggregate';
import { maintained, recomputed } from './oracle';

// Comuni of two provinces of Tuscany and one outside the region: several levels share cells.
const PLACES = ['048014', '048017', '100005', '100001', '099030'];
const FIRMS = 7;

const line = fc.record({
  skill: fc.nat(SKILLS.length - 1),
  occupation: fc.nat(OCCUPATIONS.length - 1),
  eqf: fc.integer({ min: 3, max: 6 }),
  workers: fc.integer({ min: 1, max: 40 }),
  priority: fc.constantFrom(...PRIORITIES),
  period: fc.constantFrom(...PERIODS),
});
const answer: fc.Arbitrary<FirmAnswer> = fc.record({
  territory: fc.constantFrom(...PLACES),
  sector: fc.nat(SECTORS.length - 1),
  employees: fc.constantFrom(5, 30, 120, 400),
  lines: fc.array(line, { minLength: 0, maxLength: 4 }),
});
const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('submit' as const), firm: fc.nat(FIRMS - 1), answer }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('withdraw' as const), firm: fc.nat(FIRMS - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('import' as const),
      items: fc.array(fc.record({ firm: fc.nat(FIRMS - 1), answer }), { maxLength: 6 }),
    }),
  },
  // Changes pile up between folds: a fold takes several at once (a firm's add and removal
  // included), and a rebuild may run while some are still pending.
  { weight: 2, arbitrary: fc.constant({ kind: 'check' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rebuild' as const }) },
);

/**
 * need_cells row by row against the raw lines of each territory: counts, sums and sums of
 * squares exact; top_shares an exact prefix of the firms' shares in descending order, empty only
 * where the squares prove no firm holds more than half the cell (what dominance relies on).
 */
async function ownCellsBroken(db: TestDb['db'], campaignId: string) {
  const { rows } = await sql<{ key: string }>`
    WITH per_firm AS (
      SELECT r.territory_code, cut.dim, cut.value, p.priority, q.period, r.firm_id,
             sum(n.workers)::int AS workers
      FROM responses r JOIN response_needs n ON n.response_id = r.id
      CROSS JOIN LATERAL (SELECT 'total' AS dim, '*' AS value
        UNION ALL SELECT 'area', n.area_code UNION ALL SELECT 'skill', n.skill_code
        UNION ALL SELECT 'section', r.nace_section UNION ALL SELECT 'size', r.size_class) cut
      CROSS JOIN LATERAL (SELECT '*' AS priority UNION ALL SELECT n.priority) p
      CROSS JOIN LATERAL (SELECT '*' AS period UNION ALL SELECT n.period) q
      WHERE r.campaign_id = ${campaignId} AND r.status = 'current'
      GROUP BY 1, 2, 3, 4, 5, 6
    ), raw AS (
      SELECT territory_code, dim, value, priority, period, count(*) AS firms,
             sum(workers) AS workers, sum(workers * workers) AS sq,
             array_agg(workers ORDER BY workers DESC) AS shares
      FROM per_firm GROUP BY 1, 2, 3, 4, 5
    ), kept AS (SELECT * FROM need_cells WHERE campaign_id = ${campaignId})
    SELECT concat_ws('|', coalesce(r.territory_code, k.territory_code), coalesce(r.dim, k.dim),
             coalesce(r.value, k.value), coalesce(r.priority, k.priority),
             coalesce(r.period, k.period)) AS key
    FROM raw r FULL JOIN kept k USING (territory_code, dim, value, priority, period)
    WHERE r.firms IS NULL OR k.firms IS NULL
       OR (r.firms, r.workers, r.sq) <> (k.firms, k.workers, k.workers_sq)
       OR cardinality(k.top_shares) > 4
       OR k.top_shares <> r.shares[1:cardinality(k.top_shares)]
       OR (cardinality(k.top_shares) = 0 AND 4 * r.sq > r.workers * r.workers)`.execute(db);
  return rows;
}

/** Folds what is pending (maintained does), then compares every cell with the raw lines. */
async function check(campaignId: string) {
  expect(await maintained(t.db, campaignId)).toEqual(await recomputed(t.db, campaignId));
  expect(await ownCellsBroken(t.db, campaignId)).toEqual([]);
  const pending = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM need_changes WHERE campaign_id = ${campaignId}`.execute(t.db);
  expect(pending.rows[0]!.n).toBe(0);
}

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('need_cells, maintained by applyResponseChange and foldNeeds', () => {
  it('always equals a from-scratch GROUP BY over the current lines, at every level and cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 10 }), async (commands) => {
        const campaign = await newCampaign(t.db);
        const firms: string[] = [];
        for (let i = 0; i < FIRMS; i++) firms.push(await newFirm(t.db, PLACES[i % PLACES.length]!));
        const user = campaign.region.id;
        for (const c of commands) {
          if (c.kind === 'submit')
            await submitVersion(t.db, campaign.id, firms[c.firm]!, user, c.answer);
          else if (c.kind === 'withdraw') await withdraw(t.db, campaign.id, firms[c.firm]!, user);
          else if (c.kind === 'import')
            await importAnswers(
              t.db,
              campaign.id,
              user,
              c.items.map((i) => ({ firmId: firms[i.firm]!, answer: i.answer })),
            );
          else if (c.kind === 'rebuild')
            await sql`SELECT need_cells_rebuild(${campaign.id}::uuid)`.execute(t.db);
          else await check(campaign.id);
        }
        await check(campaign.id);
      }),
      { numRuns: 25 },
    );
    // Many transactions per run: generous on the embedded database of a busy machine.
  }, 180_000);

  it('keeps the top shares exact, and lets them run out only where no firm can hold half', async () => {
    const campaign = await newCampaign(t.db);
    const user = campaign.region.id;
    const answer = (workers: number): FirmAnswer => ({
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers, priority: 'high', period: '2027-Q1' }],
    });
    const firms: string[] = [];
    for (let i = 0; i < 6; i++) {
      firms.push(await newFirm(t.db, '048017'));
      await submitVersion(t.db, campaign.id, firms[i]!, user, answer(2));
    }
    const check = async (expected: object) => {
      await foldNeeds(t.db, campaign.id);
      const total = await t.db
        .selectFrom('need_cells')
        .select(['firms', 'workers', 'workers_sq', 'top_shares'])
        .where('campaign_id', '=', campaign.id)
        .where('dim', '=', 'total')
        .where('priority', '=', '*')
        .where('period', '=', '*')
        .executeTakeFirstOrThrow();
      expect(total).toEqual(expected);
      expect(await maintained(t.db, campaign.id)).toEqual(await recomputed(t.db, campaign.id));
      expect(await ownCellsBroken(t.db, campaign.id)).toEqual([]);
    };
    await check({ firms: 6, workers: 12, workers_sq: 24, top_shares: [2, 2, 2, 2] });
    // Four of the largest declare less: the top runs out, but six firms of 1 or 2 workers
    // cannot hold half of 8, and the squares say so (4 × 12 <= 8²): nothing is re-read.
    for (const f of firms.slice(0, 4)) await submitVersion(t.db, campaign.id, f, user, answer(1));
    await check({ firms: 6, workers: 8, workers_sq: 12, top_shares: [] });
    // A firm of 9 joins an unknown top: the squares no longer vouch, the comune is re-read.
    await submitVersion(t.db, campaign.id, firms[4]!, user, answer(9));
    await check({ firms: 6, workers: 15, workers_sq: 89, top_shares: [9, 2, 1, 1] });
    await withdraw(t.db, campaign.id, firms[4]!, user);
    await check({ firms: 5, workers: 6, workers_sq: 8, top_shares: [2, 1, 1] });
    for (const f of [firms[5]!, firms[0]!, firms[1]!]) await withdraw(t.db, campaign.id, f, user);
    await check({ firms: 2, workers: 2, workers_sq: 2, top_shares: [1, 1] });
  });

  it('agrees with the database rebuild function and survives a comune moving province', async () => {
    const campaign = await newCampaign(t.db);
    const user = campaign.region.id;
    for (const [i, place] of PLACES.entries()) {
      const firm = await newFirm(t.db, place);
      await submitVersion(t.db, campaign.id, firm, user, {
        territory: place,
        sector: i % SECTORS.length,
        employees: 30,
        lines: [
          {
            skill: i % SKILLS.length,
            occupation: 0,
            eqf: 4,
            workers: 3 + i,
            priority: 'high',
            period: '2027-Q1',
          },
          { skill: 1, occupation: 1, eqf: 5, workers: 2, priority: 'low', period: '2027-Q2' },
        ],
      });
    }
    const before = await maintained(t.db, campaign.id);
    await t.db
      .transaction()
      .execute((tx) => sql`SELECT need_cells_rebuild(${campaign.id}::uuid)`.execute(tx));
    expect(await maintained(t.db, campaign.id)).toEqual(before);

    // Prato's comune 100005 moves under Firenze: the closure and the campaign's cells follow.
    await sql`UPDATE territories SET parent_code = 'ITI14' WHERE code = '100005'`.execute(t.db);
    const moved = await maintained(t.db, campaign.id);
    expect(moved).toEqual(await recomputed(t.db, campaign.id));
    expect(moved).not.toEqual(before);
    await sql`UPDATE territories SET parent_code = 'ITI15' WHERE code = '100005'`.execute(t.db);
    expect(await maintained(t.db, campaign.id)).toEqual(before);
  });

  it('keeps the closure right for territories inserted child first', async () => {
    await sql`
      INSERT INTO territories (code, level, parent_code, name, version, valid_from) VALUES
        ('999001', 'LAU', 'ITZZ9', 'Child', 'T', '2025-01-01'),
        ('ITZZ9', 'NUTS3', 'ITI1', 'Parent', 'T', '2025-01-01')`.execute(t.db);
    const { rows } = await sql<{ ancestor_code: string; depth: number; ancestor_level: string }>`
      SELECT ancestor_code, depth, ancestor_level FROM territory_ancestors
      WHERE code = '999001' ORDER BY depth`.execute(t.db);
    expect(rows).toEqual([
      { ancestor_code: '999001', depth: 0, ancestor_level: 'LAU' },
      { ancestor_code: 'ITZZ9', depth: 1, ancestor_level: 'NUTS3' },
      { ancestor_code: 'ITI1', depth: 2, ancestor_level: 'NUTS2' },
      { ancestor_code: 'ITI', depth: 3, ancestor_level: 'NUTS1' },
      { ancestor_code: 'IT', depth: 4, ancestor_level: 'NUTS0' },
    ]);
  });
});
