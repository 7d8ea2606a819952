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
import { maintained, recomputed } from './oracle';

// Comuni of two provinces of Tuscany and one outside the region: several levels share cells.
const PLACES = ['048014', '048017', '100005', '100001', '099030'];
const FIRMS = 5;

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
      items: fc.array(fc.record({ firm: fc.nat(FIRMS - 1), answer }), { maxLength: 3 }),
    }),
  },
);

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('need_cells, maintained by applyResponseChange', () => {
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
          else
            await importAnswers(
              t.db,
              campaign.id,
              user,
              c.items.map((i) => ({ firmId: firms[i.firm]!, answer: i.answer })),
            );
          expect(await maintained(t.db, campaign.id)).toEqual(await recomputed(t.db, campaign.id));
        }
      }),
      { numRuns: 25 },
    );
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
