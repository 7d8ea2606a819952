import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Euro cents. int8 is parsed as a JS number (db/index.ts): amounts stay far below 2^53. */
type Cents = number;
type DefaultedCents = ColumnType<number, number | undefined, number>;

export const CALL_STATUSES = ['draft', 'open', 'closed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export interface FundingCallsTable {
  id: Generated<string>;
  organisation_id: string;
  territory_code: string;
  campaign_id: string | null;
  title: string;
  description: string | null;
  budget_cents: Cents;
  committed_cents: DefaultedCents;
  course_hour_cents: number;
  participant_hour_cents: number;
  max_hours_per_action: number | null;
  min_participants: number | null;
  max_participants: number | null;
  max_cost_per_participant_cents: number | null;
  cofinancing_percent: ColumnType<number, number | undefined, number>;
  deadline: ColumnType<string, string, string>;
  /** The deadline first published, once the region has extended it; null before. */
  first_deadline: ColumnType<string | null, never, string | null>;
  /** The budget first published, once the region has raised it; null before. */
  first_budget_cents: ColumnType<number | null, never, number | null>;
  status: Generated<CallStatus>;
  created_by: string;
  created_at: DefaultedTimestamp;
  opened_at: Timestamp | null;
  closed_at: Timestamp | null;
}

export interface FundingCallAllocationsTable {
  call_id: string;
  territory_code: string;
  amount_cents: Cents;
  committed_cents: DefaultedCents;
}

export interface FundingCallSkillAreasTable {
  call_id: string;
  area_code: string;
}

/** A reserve raised with the budget: its amount before and after. */
export interface RaisedAllocation {
  territoryCode: string;
  fromCents: number;
  toCents: number;
}

/** Every raise of an open call's budget (a "rifinanziamento"), append-only (a trigger). */
export interface FundingCallBudgetRaisesTable {
  id: Generated<string>;
  call_id: string;
  from_cents: Cents;
  to_cents: Cents;
  allocations: ColumnType<RaisedAllocation[], string | undefined, never>;
  reason: string;
  by_user: string;
  at: DefaultedTimestamp;
}

/** The funding module's tables, composed into Database in db/database.ts. */
export interface FundingTables {
  funding_calls: FundingCallsTable;
  funding_call_allocations: FundingCallAllocationsTable;
  funding_call_skill_areas: FundingCallSkillAreasTable;
  funding_call_budget_raises: FundingCallBudgetRaisesTable;
}
