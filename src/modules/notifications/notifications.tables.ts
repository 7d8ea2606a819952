import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export const EMAIL_MODES = ['immediate', 'digest', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'uncertain'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  params: ColumnType<Record<string, string | number>, string, string>;
  link: string;
  created_at: DefaultedTimestamp;
  read_at: Timestamp | null;
  /** The e-mail (immediate or digest) that carried this notification, if any. */
  email_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NotificationPreferencesTable {
  user_id: string;
  email_mode: ColumnType<EmailMode, EmailMode | undefined, EmailMode>;
  /** The (Europe/Rome) day the last digest was assembled: at most one digest a day. */
  digest_sent_on: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: DefaultedTimestamp;
}

export interface EmailOutboxTable {
  id: Generated<string>;
  user_id: string | null;
  to_address: string;
  subject: string;
  body: string;
  kind: string;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  created_at: DefaultedTimestamp;
  claimed_at: Timestamp | null;
  sent_at: Timestamp | null;
  last_error: string | null;
  message_id: string | null;
}

export interface NotificationTables {
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  email_outbox: EmailOutboxTable;
}
