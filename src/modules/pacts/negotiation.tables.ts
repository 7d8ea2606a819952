import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export const AMENDMENT_KINDS = [
  'change_action',
  'add_action',
  'remove_action',
  'change_pact',
] as const;
export type AmendmentKind = (typeof AMENDMENT_KINDS)[number];

export const AMENDMENT_STATUSES = [
  'open',
  'accepted',
  'declined',
  'outdated',
  'withdrawn',
  /** Still open when the pact left negotiation (submitted, withdrawn): nobody decided it. */
  'lapsed',
] as const;
export type AmendmentStatus = (typeof AMENDMENT_STATUSES)[number];

export const POSITIONS = ['agree', 'amend', 'object'] as const;
export type Position = (typeof POSITIONS)[number];

/** The fields an amendment may propose, by form name (see amendments.fields.ts). */
export type AmendmentFields = Record<string, string | number | string[] | null>;

export interface PactSignaturesTable {
  pact_id: string;
  organisation_id: string;
  revision: number;
  revision_hash: string;
  signed_by: string;
  signed_at: DefaultedTimestamp;
}

export interface PactCommentsTable {
  id: Generated<string>;
  pact_id: string;
  action_id: string | null;
  action_title: string | null;
  revision: number;
  author_id: string;
  organisation_id: string;
  body: string;
  created_at: DefaultedTimestamp;
}

export interface PactAmendmentsTable {
  id: Generated<string>;
  pact_id: string;
  kind: AmendmentKind;
  action_id: string | null;
  base_revision: number;
  base: Json<AmendmentFields>;
  proposal: Json<AmendmentFields>;
  rationale: ColumnType<string, string | undefined, string>;
  proposed_by: string;
  organisation_id: string;
  created_at: DefaultedTimestamp;
  status: ColumnType<AmendmentStatus, AmendmentStatus | undefined, AmendmentStatus>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  result_revision: number | null;
}

export interface PactPositionsTable {
  pact_id: string;
  action_id: string;
  organisation_id: string;
  position: Position;
  note: ColumnType<string, string | undefined, string>;
  revision: number;
  set_by: string;
  set_at: DefaultedTimestamp;
}

/** The negotiation's tables, composed into Database in db/database.ts. */
export interface NegotiationTables {
  pact_signatures: PactSignaturesTable;
  pact_comments: PactCommentsTable;
  pact_amendments: PactAmendmentsTable;
  pact_positions: PactPositionsTable;
}

export type Amendment = Selectable<PactAmendmentsTable>;
