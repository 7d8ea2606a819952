import { DomainError } from '../../lib/domain-error';
import { euros } from '../funding/money';
import { BREAKDOWNS, type OutcomeInput } from './execution.schemas';

/** One broken rule of a report: the field it belongs next to, an i18n key and its numbers. */
export interface OutcomeIssue {
  field: string;
  key: string;
  params: Record<string, string | number | null>;
}

/** A report that breaks rules: every issue at once, so the form can mark each field. */
export class OutcomeRejectedError extends DomainError {
  constructor(readonly issues: OutcomeIssue[]) {
    super(issues[0]!.key, { status: 422, field: issues[0]!.field, params: issues[0]!.params });
  }
}

/** The action's figures across its other quarters (the one reported is replaced, not added). */
export interface OtherQuarters {
  enrolled: number;
  completed: number;
  hoursDelivered: number;
  spentCents: number;
  cofinancedCents: number;
}

export interface PlannedAction {
  participants: number;
  hours: number;
  approved_cents: number | null;
  cost_cents: number | null;
}

/**
 * The rules one report must keep on its own: a quarter from the pact's approval (nothing is
 * funded before it; `approvedQuarter` null: unknown, not checked) to the current one, and each
 * breakdown adds up to the participants enrolled.
 */
export function reportIssues(
  o: OutcomeInput,
  currentQuarter: string,
  approvedQuarter: string | null = null,
): OutcomeIssue[] {
  const issues: OutcomeIssue[] = [];
  if (o.period > currentQuarter)
    issues.push({
      field: 'period',
      key: 'execution.errors.futurePeriod',
      params: { current: currentQuarter },
    });
  if (approvedQuarter && o.period < approvedQuarter)
    issues.push({
      field: 'period',
      key: 'execution.errors.beforeApproval',
      params: { approved: approvedQuarter },
    });
  for (const [group, fields] of Object.entries(BREAKDOWNS)) {
    const sum = fields.reduce((s, f) => s + o[f], 0);
    if (sum !== o.enrolled)
      issues.push({
        field: fields[0],
        key: `execution.errors.breakdown.${group}`,
        params: {
          sum,
          enrolled: o.enrolled,
          diff: Math.abs(sum - o.enrolled),
          context: sum > o.enrolled ? 'over' : 'under',
        },
      });
  }
  if (o.longTermUnemployed > o.unemployed)
    issues.push({
      field: 'longTermUnemployed',
      key: 'execution.errors.longTerm',
      params: { longTerm: o.longTermUnemployed, unemployed: o.unemployed },
    });
  return issues;
}

/**
 * The rules across every quarter of the action, with this report in place of the quarter's old
 * figures: no more participants than planned, no more completions than entries, no more hours
 * than planned, no more money spent than approved, and no more money in all (spent and the
 * firms' co-financing) than the action costs.
 */
export function cumulativeIssues(
  o: OutcomeInput,
  others: OtherQuarters,
  action: PlannedAction,
): OutcomeIssue[] {
  const issues: OutcomeIssue[] = [];
  const enrolled = others.enrolled + o.enrolled;
  if (enrolled > action.participants)
    issues.push({
      field: 'enrolled',
      key: 'execution.errors.enrolledAbovePlanned',
      params: {
        total: enrolled,
        planned: action.participants,
        max: Math.max(0, action.participants - others.enrolled),
      },
    });
  const completed = others.completed + o.completed;
  if (completed > enrolled)
    issues.push({
      field: 'completed',
      key: 'execution.errors.completedAboveEnrolled',
      params: { completed, enrolled, max: Math.max(0, enrolled - others.completed) },
    });
  const hours = others.hoursDelivered + o.hoursDelivered;
  if (hours > action.hours)
    issues.push({
      field: 'hoursDelivered',
      key: 'execution.errors.hoursAbovePlanned',
      params: {
        total: hours,
        planned: action.hours,
        max: Math.max(0, action.hours - others.hoursDelivered),
      },
    });
  const approved = action.approved_cents ?? 0;
  const spent = others.spentCents + o.spentCents;
  if (spent > approved)
    issues.push({
      field: 'spent',
      key: 'execution.errors.spentAboveApproved',
      params: {
        total: euros(spent),
        approved: euros(approved),
        max: euros(Math.max(0, approved - others.spentCents)),
      },
    });
  const cofinanced = others.cofinancedCents + o.cofinancedCents;
  // Spending above the approved amount is the error to fix first: measured against it, even a
  // co-financing of zero would be "too much" (and its "at most" would rest on the wrong spending).
  if (spent <= approved && action.cost_cents !== null && spent + cofinanced > action.cost_cents)
    issues.push({
      field: 'cofinanced',
      key: 'execution.errors.cofinancedAboveCost',
      params: {
        spent: euros(spent),
        cofinanced: euros(cofinanced),
        cost: euros(action.cost_cents),
        max: euros(Math.max(0, action.cost_cents - spent - others.cofinancedCents)),
      },
    });
  return issues;
}
