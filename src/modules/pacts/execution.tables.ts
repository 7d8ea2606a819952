import type { ColumnType } from 'kysely';

type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DefaultedCount = ColumnType<number, number | undefined, number>;

/** The ESF+ participant breakdowns (counts at entry); each group adds up to `enrolled`. */
export const ESF_BREAKDOWNS = {
  gender: ['women', 'men', 'non_binary'],
  age: ['age_under_30', 'age_30_54', 'age_55_plus'],
  labourMarket: ['employed', 'unemployed', 'inactive'],
  education: ['isced_0_2', 'isced_3_4', 'isced_5_8'],
} as const;

export type EsfCount =
  (typeof ESF_BREAKDOWNS)[keyof typeof ESF_BREAKDOWNS][number] | 'long_term_unemployed';

/** One action's flows in one reporting quarter (migration 2026_12_06_0900). */
export interface ActionOutcomesTable extends Record<EsfCount, DefaultedCount> {
  action_id: string;
  /** 'YYYY-Qn' */
  period: string;
  pact_id: string;
  enrolled: number;
  completed: number;
  hours_delivered: number;
  spent_cents: number;
  cofinanced_cents: DefaultedCount;
  reported_by: string;
  reported_at: DefaultedTimestamp;
}

export interface ExecutionTables {
  action_outcomes: ActionOutcomesTable;
}
