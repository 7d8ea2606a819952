import fc from 'fast-check';
import { cumulativeIssues, reportIssues } from '../../src/modules/pacts/execution.rules';
import { BREAKDOWNS, type OutcomeInput } from '../../src/modules/pacts/execution.schemas';

const none = { enrolled: 0, completed: 0, hoursDelivered: 0, spentCents: 0, cofinancedCents: 0 };

/** Splits n into three counts. */
const split = (n: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }))
    .map(([a, b]) => [Math.min(a, b), Math.abs(a - b), n - Math.max(a, b)] as const);

const report = fc.integer({ min: 0, max: 200 }).chain((enrolled) =>
  fc
    .tuple(split(enrolled), split(enrolled), split(enrolled), split(enrolled))
    .chain(([g, a, l, e]) =>
      fc.integer({ min: 0, max: l[1] }).map((longTerm): OutcomeInput => ({
        actionId: '00000000-0000-4000-8000-000000000000',
        period: '2026-Q3',
        enrolled,
        completed: 0,
        hoursDelivered: 0,
        spentCents: 0,
        cofinancedCents: 0,
        women: g[0],
        men: g[1],
        nonBinary: g[2],
        ageUnder30: a[0],
        age30to54: a[1],
        age55plus: a[2],
        employed: l[0],
        unemployed: l[1],
        inactive: l[2],
        longTermUnemployed: longTerm,
        isced02: e[0],
        isced34: e[1],
        isced58: e[2],
      })),
    ),
);

describe('reportIssues', () => {
  it('accepts every report whose breakdowns add up to enrolled', () => {
    fc.assert(fc.property(report, (o) => expect(reportIssues(o, '2026-Q4')).toEqual([])));
  });

  it('names the group that does not add up, with the difference and its direction', () => {
    fc.assert(
      fc.property(
        report,
        fc.constantFrom(...Object.values(BREAKDOWNS).flat()),
        fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0),
        (o, field, delta) => {
          fc.pre(o[field] + delta >= 0);
          const issues = reportIssues({ ...o, [field]: o[field] + delta }, '2026-Q4');
          const group = Object.entries(BREAKDOWNS).find(([, fs]) =>
            (fs as readonly string[]).includes(field),
          )!;
          const issue = issues.find((i) => i.key === `execution.errors.breakdown.${group[0]}`);
          expect(issue).toMatchObject({
            field: group[1][0],
            params: { diff: Math.abs(delta), context: delta > 0 ? 'over' : 'under' },
          });
        },
      ),
    );
  });

  it('refuses a quarter not yet begun', () => {
    fc.assert(
      fc.property(report, (o) =>
        expect(reportIssues({ ...o, period: '2027-Q1' }, '2026-Q4')).toEqual([
          expect.objectContaining({ field: 'period', key: 'execution.errors.futurePeriod' }),
        ]),
      ),
    );
  });
});

describe('cumulativeIssues', () => {
  const action = { participants: 10, hours: 40, approved_cents: 4800_00, cost_cents: 6000_00 };
  const o = (over: Partial<OutcomeInput>) => ({ ...fc.sample(report, 1)[0]!, ...over });

  it('allows exactly the plan, and says how much is left when above it', () => {
    expect(
      cumulativeIssues(
        o({ enrolled: 4, completed: 10, hoursDelivered: 30, spentCents: 4000_00 }),
        { enrolled: 6, completed: 0, hoursDelivered: 10, spentCents: 800_00, cofinancedCents: 0 },
        action,
      ),
    ).toEqual([]);
    const issues = cumulativeIssues(
      o({ enrolled: 5, completed: 12, hoursDelivered: 31, spentCents: 4000_01 }),
      { enrolled: 6, completed: 0, hoursDelivered: 10, spentCents: 800_00, cofinancedCents: 0 },
      action,
    );
    expect(Object.fromEntries(issues.map((i) => [i.field, i.params.max]))).toEqual({
      enrolled: 4,
      completed: 11,
      hoursDelivered: 30,
      spent: 4000,
    });
  });

  it('refuses co-financing that, with the money spent, would exceed what the action costs', () => {
    const others = { ...none, spentCents: 1000_00, cofinancedCents: 200_00 };
    expect(
      cumulativeIssues(
        o({ enrolled: 0, spentCents: 3800_00, cofinancedCents: 1000_00 }),
        others,
        action,
      ),
    ).toEqual([]);
    const issues = cumulativeIssues(
      o({ enrolled: 0, spentCents: 3800_00, cofinancedCents: 999_999_00 }),
      others,
      action,
    );
    expect(issues).toEqual([
      {
        field: 'cofinanced',
        key: 'execution.errors.cofinancedAboveCost',
        params: { spent: 4800, cofinanced: 1_000_199, cost: 6000, max: 1000 },
      },
    ]);
  });

  it('blames only the spending when it alone goes past the approved amount and the cost', () => {
    const issues = cumulativeIssues(
      o({ enrolled: 0, spentCents: 6500_00, cofinancedCents: 0 }),
      none,
      action,
    );
    expect(issues.map((i) => i.field)).toEqual(['spent']);
  });

  it('refuses any spending when the action has no approved amount', () => {
    expect(
      cumulativeIssues(o({ enrolled: 0, spentCents: 1 }), none, {
        ...action,
        approved_cents: null,
      }),
    ).toEqual([expect.objectContaining({ field: 'spent' })]);
  });
});
