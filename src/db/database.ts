import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ReferenceTables } from '../modules/reference/reference.tables';
import type { SurveyTables } from '../modules/survey/survey.tables';
import type { ImportTables } from '../modules/imports/imports.tables';
import type { NeedsTables } from '../modules/needs/needs.tables';
import type { FundingTables } from '../modules/funding/funding.tables';
import type { ReviewTables } from '../modules/funding/review.tables';
import type { BoundaryTables } from '../modules/boundaries/boundaries.tables';
import type { PactsTables } from '../modules/pacts/pacts.tables';
import type { NegotiationTables } from '../modules/pacts/negotiation.tables';
import type { NotificationTables } from '../modules/notifications/notifications.tables';
import type { ExecutionTables } from '../modules/pacts/execution.tables';

/** Timestamps come back as Date and may be written as Date or ISO text. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateOnly = ColumnType<string, string, string>;

export const ROLES = ['firm', 'local_authority', 'social_partner', 'region', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PARTNER_TYPES = [
  'employer_association',
  'trade_union',
  'chamber_of_commerce',
] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export const TERRITORY_LEVELS = ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3', 'LAU'] as const;
export type TerritoryLevel = (typeof TERRITORY_LEVELS)[number];

export interface TerritoriesTable {
  code: string;
  level: TerritoryLevel;
  parent_code: string | null;
  name: string;
  names: ColumnType<Record<string, string>, string | undefined, string>;
  version: string;
  valid_from: ColumnType<string, string | undefined, string>;
  valid_to: DateOnly | null;
  cadastral_code: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OrganisationsTable {
  id: Generated<string>;
  kind: Role;
  partner_type: PartnerType | null;
  name: string;
  territory_code: string;
  created_at: Generated<Timestamp>;
}

export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  full_name: string;
  password_hash: string;
  locale: string | null;
  created_at: Generated<Timestamp>;
  last_login_at: Timestamp | null;
  disabled_at: Timestamp | null;
}

export interface InvitationsTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  token_hash: string;
  created_by: string;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_user_id: string | null;
  revoked_at: Timestamp | null;
}

export const ACCOUNT_EVENTS = [
  'disabled',
  'enabled',
  'reset_issued',
  'reset_requested',
  'reset_used',
  'email_changed',
] as const;
export type AccountEvent = (typeof ACCOUNT_EVENTS)[number];

/** What was done to an account, and by whom (append-only). */
export interface AccountEventsTable {
  id: Generated<number>;
  user_id: string;
  event: AccountEvent;
  /** null when the account's own user did it (a reset asked for by e-mail, or used). */
  actor_id: string | null;
  /** Why an account was disabled (required then, absent otherwise). */
  reason: string | null;
  /** The address before and after an e-mail correction (only then). */
  old_value: string | null;
  new_value: string | null;
  created_at: Generated<Timestamp>;
}

export const ORGANISATION_EVENTS = ['renamed', 'territory_changed'] as const;
export type OrganisationEvent = (typeof ORGANISATION_EVENTS)[number];

/**
 * An admin's corrections of an organisation: the name, or the territory's code, before and after;
 * who and why (append-only).
 */
export interface OrganisationEventsTable {
  id: Generated<number>;
  organisation_id: string;
  event: OrganisationEvent;
  old_value: string;
  new_value: string;
  actor_id: string;
  reason: string | null;
  created_at: Generated<Timestamp>;
}

/** Single-use links to set a new password (only the secret's SHA-256 is kept). */
export interface PasswordResetsTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  /** The admin who issued it; null when the user asked for it by e-mail. */
  created_by: string | null;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Timestamp>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** Chosen at creation (TOKEN_LIFETIMES); the API refuses the token from then on. */
  expires_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** When its owner was told it is about to expire (once: REMIND_BEFORE_DAYS). */
  reminded_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: Timestamp;
}

/** A creation form's one-time key and the record its first post made (http/form-key.ts). */
export interface FormSubmissionsTable {
  user_id: string;
  form_key: string;
  record_id: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** An API client's Idempotency-Key and the answer its request got (modules/api/idempotency.ts). */
export interface ApiIdempotencyKeysTable {
  user_id: string;
  idempotency_key: string;
  operation_id: string;
  fingerprint: string;
  /** The answer kept, once a request with the key succeeded. */
  status: number | null;
  body: unknown;
  /** A request with the key is under way (since claimed_at); else done, or freed by a failure. */
  running: Generated<boolean>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  claimed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database
  extends
    ReferenceTables,
    ImportTables,
    SurveyTables,
    NeedsTables,
    FundingTables,
    ReviewTables,
    BoundaryTables,
    PactsTables,
    NegotiationTables,
    NotificationTables,
    ExecutionTables {
  territories: TerritoriesTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  account_events: AccountEventsTable;
  password_resets: PasswordResetsTable;
  organisation_events: OrganisationEventsTable;
  form_submissions: FormSubmissionsTable;
  api_idempotency_keys: ApiIdempotencyKeysTable;
}

export type Territory = Selectable<TerritoriesTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type NewOrganisation = Insertable<OrganisationsTable>;
export type User = Selectable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Invitation = Selectable<InvitationsTable>;
