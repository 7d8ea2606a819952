import type { ColumnType, Generated, Selectable } from 'kysely';
import type { PactStatus } from './pact-workflow';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Euro cents. int8 is parsed as a JS number (db/index.ts): amounts stay far below 2^53. */
type DefaultedCents = ColumnType<number, number | undefined, number>;

export const MODALITIES = ['classroom', 'online', 'blended', 'on_the_job'] as const;
export type Modality = (typeof MODALITIES)[number];

export interface PactsTable {
  id: Generated<string>;
  campaign_id: string;
  territory_code: string;
  promoter_org_id: string;
  call_id: string | null;
  title: string;
  summary: ColumnType<string, string | undefined, string>;
  status: ColumnType<PactStatus, PactStatus | undefined, PactStatus>;
  revision: ColumnType<number, number | undefined, number>;
  revision_hash: string;
  requested_cents: DefaultedCents;
  approved_cents: number | null;
  created_by: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  submitted_at: Timestamp | null;
  decided_at: Timestamp | null;
}

export interface PactActionsTable {
  id: Generated<string>;
  pact_id: string;
  position: number;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  skill_codes: string[];
  participants: number;
  hours: number;
  modality: Modality;
  eqf_level: number;
  /** 'YYYY-Qn' */
  period: string;
  provider: string | null;
  cost_cents: number | null;
  approved_cents: number | null;
  /** Participants the approved amount funds: null until approved (see the migration). */
  funded_participants: ColumnType<number | null, number | null | undefined, number | null>;
  cofinancing_cents: number | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface PactRevisionsTable {
  pact_id: string;
  number: number;
  hash: string;
  content: ColumnType<unknown, string, string>;
  reason: ColumnType<string, string | undefined, string>;
  created_by: string;
  created_at: DefaultedTimestamp;
}

export interface PactSignatoriesTable {
  pact_id: string;
  organisation_id: string;
  invited_by: string;
  invited_at: DefaultedTimestamp;
  removed_at: Timestamp | null;
}

export interface PactAuditTable {
  id: Generated<number>;
  pact_id: string;
  seq: number;
  at: DefaultedTimestamp;
  actor_id: string | null;
  actor_org_id: string | null;
  event: string;
  from_status: PactStatus | null;
  to_status: PactStatus | null;
  revision: number;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
  prev_hash: string | null;
  hash: string;
}

/** The pact core's tables, composed into Database in db/database.ts. */
export interface PactsTables {
  pacts: PactsTable;
  pact_actions: PactActionsTable;
  pact_revisions: PactRevisionsTable;
  pact_signatories: PactSignatoriesTable;
  pact_audit: PactAuditTable;
}

export type Pact = Selectable<PactsTable>;
export type PactActionRow = Selectable<PactActionsTable>;
