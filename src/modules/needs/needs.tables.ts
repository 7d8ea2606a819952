import type { ColumnType } from 'kysely';

export const NEED_DIMS = ['total', 'area', 'skill', 'section', 'size'] as const;
export type NeedDim = (typeof NEED_DIMS)[number];

/** Every (territory, ancestor) pair of the tree, self included; kept by triggers on territories. */
export interface TerritoryAncestorsTable {
  code: string;
  ancestor_code: string;
  ancestor_level: string;
  depth: number;
}

/**
 * The maintained aggregate: one row per campaign × territory × dim value × priority × period,
 * holding the answers given at that territory only; a level's figure sums its closure.
 */
export interface NeedCellsTable {
  campaign_id: string;
  dim: NeedDim;
  /** '*' = every priority. */
  priority: string;
  /** '*' = every period, else 'YYYY-Qn'. */
  period: string;
  territory_code: string;
  /** '*' for dim 'total'. */
  value: string;
  firms: number;
  workers: ColumnType<number, number, number>;
  /** Sum over the cell's firms of (the firm's workers)²: bounds the largest firm's share. */
  workers_sq: ColumnType<number, number, number>;
  /**
   * The largest firm shares, exact, descending (at most 4; all while the cell has <= 4 firms);
   * empty only while workers_sq proves no firm holds more than half the cell.
   */
  top_shares: number[];
}

/** Bumped with every fold of changes into a campaign's cells: what a cached pattern is valid for. */
export interface NeedCampaignVersionsTable {
  campaign_id: string;
  version: ColumnType<number, number | undefined, number>;
}

/** A response version that starts (+1) or stops (-1) counting, until a fold takes it. */
export interface NeedChangesTable {
  response_id: string;
  sign: 1 | -1;
  campaign_id: string;
  queued_at: ColumnType<Date, Date | undefined, never>;
}

/** A protected pattern (cell id → reason, hidden cells only) solved at one campaign version. */
export interface NeedProtectionCacheTable {
  campaign_id: string;
  root_code: string;
  k: number;
  priority: string;
  period: string;
  version: number;
  hidden: ColumnType<Record<string, string>, string, string>;
}

/** The needs module's tables, composed into Database in db/database.ts. */
export interface NeedsTables {
  territory_ancestors: TerritoryAncestorsTable;
  need_cells: NeedCellsTable;
  need_campaign_versions: NeedCampaignVersionsTable;
  need_changes: NeedChangesTable;
  need_protection_cache: NeedProtectionCacheTable;
}
