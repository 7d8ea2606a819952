import {
  PACT_ACTIONS,
  PACT_PARTIES,
  PACT_STATUSES,
  allowedActions,
  claimsNeeds,
  isEditable,
  nextStatus,
} from '../../src/modules/pacts/pact-workflow';
import { actionCostCents } from '../../src/lib/unit-costs';

// The workflow of DESIGN.md written out again, triple by triple: anything not listed is refused.
const ALLOWED: [string, string, string, string][] = [
  ['draft', 'open_negotiation', 'promoter', 'negotiation'],
  ['negotiation', 'agree', 'system', 'agreed'],
  ['agreed', 'reopen', 'system', 'negotiation'],
  ['agreed', 'submit', 'promoter', 'submitted'],
  ['submitted', 'approve', 'region', 'approved'],
  ['submitted', 'return', 'region', 'returned'],
  ['submitted', 'reject', 'region', 'rejected'],
  ['returned', 'reopen', 'promoter', 'negotiation'],
  ['returned', 'reopen', 'system', 'negotiation'],
  ['approved', 'start', 'promoter', 'in_progress'],
  ['approved', 'start', 'region', 'in_progress'],
  ['in_progress', 'close', 'promoter', 'closed'],
  ['in_progress', 'close', 'region', 'closed'],
  ...['draft', 'negotiation', 'agreed', 'submitted', 'returned'].map(
    (s) => [s, 'withdraw', 'promoter', 'withdrawn'] as [string, string, string, string],
  ),
];

describe('pact workflow table', () => {
  const expected = new Map(ALLOWED.map(([s, a, p, to]) => [`${s}/${a}/${p}`, to]));

  it('allows exactly the listed transitions, for every status × action × party', () => {
    let checked = 0;
    for (const s of PACT_STATUSES)
      for (const a of PACT_ACTIONS)
        for (const p of PACT_PARTIES) {
          expect([s, a, p, nextStatus(s, a, p)]).toEqual([
            s,
            a,
            p,
            expected.get(`${s}/${a}/${p}`) ?? null,
          ]);
          checked++;
        }
    expect(checked).toBe(10 * 10 * 4);
  });

  it('never lets the region withdraw, nor a signatory move the pact', () => {
    for (const s of PACT_STATUSES) {
      expect(nextStatus(s, 'withdraw', 'region')).toBeNull();
      expect(allowedActions(s, 'signatory')).toEqual([]);
    }
  });

  it('ends in closed, rejected and withdrawn', () => {
    for (const s of ['closed', 'rejected', 'withdrawn'] as const)
      for (const p of PACT_PARTIES) expect(allowedActions(s, p)).toEqual([]);
  });

  it('lists the promoter buttons of an agreed pact', () => {
    expect(allowedActions('agreed', 'promoter')).toEqual(['submit', 'withdraw']);
  });

  it('knows which states are editable and which claim needs', () => {
    expect(PACT_STATUSES.filter(isEditable)).toEqual([
      'draft',
      'negotiation',
      'agreed',
      'returned',
    ]);
    expect(PACT_STATUSES.filter((s) => !claimsNeeds(s))).toEqual(['rejected', 'withdrawn']);
  });
});

describe('actionCostCents', () => {
  it('is hours × course rate + participants × hours × participant rate', () => {
    expect(
      actionCostCents(
        { participants: 12, hours: 40 },
        { course_hour_cents: 15000, participant_hour_cents: 80 },
      ),
    ).toBe(40 * 15000 + 12 * 40 * 80);
  });
});
