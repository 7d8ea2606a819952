import type { FieldErrors } from '../../http/validate';
import { centsToInput } from '../funding/money';
import type { OutcomeRow } from './execution.repository';
import { BREAKDOWNS, COUNT_COLUMNS, type CountField } from './execution.schemas';
import type { ExecutionView } from './execution.service';

type T = (key: string, params?: Record<string, unknown>) => string;
type ActionView = ExecutionView['actions'][number];

const GROUPS: { legend: string; fields: string[] }[] = [
  {
    legend: 'quarter',
    fields: ['period', 'enrolled', 'completed', 'hoursDelivered', 'spent', 'cofinanced'],
  },
  { legend: 'gender', fields: [...BREAKDOWNS.gender] },
  { legend: 'age', fields: [...BREAKDOWNS.age] },
  { legend: 'labourMarket', fields: ['employed', 'unemployed', 'longTermUnemployed', 'inactive'] },
  { legend: 'education', fields: [...BREAKDOWNS.education] },
];
const MONEY = new Set(['spent', 'cofinanced']);
const HINTED = new Set(['period', 'spent', 'cofinanced', 'longTermUnemployed']);

/** A stored quarter as the form shows it back (euros in the user's notation). */
function valuesOf(q: OutcomeRow, lang: string): Record<string, string> {
  const values: Record<string, string> = {
    period: q.period,
    enrolled: String(q.enrolled),
    completed: String(q.completed),
    hoursDelivered: String(q.hours_delivered),
    spent: centsToInput(q.spent_cents, lang),
    cofinanced: centsToInput(q.cofinanced_cents, lang),
  };
  for (const [field, column] of Object.entries(COUNT_COLUMNS))
    values[field] = String(q[column as (typeof COUNT_COLUMNS)[CountField]]);
  return values;
}

/**
 * One action's report form: each field's id carries the action id (several forms share the
 * page), and `summary` holds its errors for the page's error summary, each naming the action
 * and the field. It shows what was typed after a refusal, else the quarter asked for (`edit`, by
 * default the current one) with its figures when already reported.
 */
export function reportForm(
  a: ActionView,
  currentQuarter: string,
  lang: string,
  t: T,
  opts: { failed?: { errors: FieldErrors; values: Record<string, unknown> }; edit?: string },
) {
  const period = opts.edit ?? currentQuarter;
  const stored = a.quarters.find((q) => q.period === period);
  const values: Record<string, unknown> =
    opts.failed?.values ?? (stored ? valuesOf(stored, lang) : { period });
  const errors = opts.failed?.errors ?? {};
  const summary: FieldErrors = {};
  const groups = GROUPS.map((g) => ({
    legend: t(`execution.groups.${g.legend}`),
    fields: g.fields.map((name) => {
      const id = `${a.action.id}-${name}`;
      const label = t(`execution.fields.${name}`);
      const error = errors[name];
      if (error) summary[id] = `${a.action.position}. ${a.action.title} · ${label}: ${error}`;
      const value = values[name];
      return {
        name,
        id,
        label,
        hint: HINTED.has(name) ? t(`execution.hints.${name}`) : undefined,
        error,
        value: typeof value === 'string' ? value : '',
        maxlength: name === 'period' ? 7 : MONEY.has(name) ? 30 : 5,
        inputmode: name === 'period' ? 'text' : MONEY.has(name) ? 'decimal' : 'numeric',
      };
    }),
  }));
  if (errors.actionId) summary._form = errors.actionId;
  return { groups, summary, open: !!opts.failed || !!opts.edit, replacing: !!stored };
}
