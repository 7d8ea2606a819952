import type { ColumnType, Generated, Selectable } from 'kysely';

type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export const DECISION_KINDS = ['approve', 'return', 'reject', 'reduce'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** What one decision granted per action (approve, reduce); empty for return and reject. */
export interface DecidedAction {
  actionId: string;
  title: string;
  costCents: number;
  approvedCents: number;
  /** Planned and funded participants (decisions before funded participants lack them). */
  participants?: number;
  fundedParticipants?: number;
}

export interface PactDecisionsTable {
  id: Generated<string>;
  pact_id: string;
  call_id: string | null;
  kind: DecisionKind;
  revision: number;
  remarks: ColumnType<string, string | undefined, string>;
  approved_cents: number | null;
  actions: Json<DecidedAction[]>;
  eligibility: Json<Record<string, unknown>>;
  decided_by: string;
  decided_at: DefaultedTimestamp;
}

export type LedgerKind = 'commit' | 'release';

/** The commitments ledger: commits > 0, releases < 0, append-only (a trigger refuses edits). */
export interface BudgetCommitmentsTable {
  id: Generated<number>;
  call_id: string;
  allocation_territory: string | null;
  pact_id: string;
  action_id: string;
  /** The pact's territory, so sums per territory need no join. */
  territory_code: string;
  decision_id: string | null;
  kind: LedgerKind;
  amount_cents: number;
  reason: string;
  at: DefaultedTimestamp;
  by_user: string | null;
}

export interface ReviewTables {
  pact_decisions: PactDecisionsTable;
  budget_commitments: BudgetCommitmentsTable;
}

export type PactDecision = Selectable<PactDecisionsTable>;
