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

/** The maintained aggregate: one row per campaign × territory × dim value × priority × period. */
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
  max_firm_workers: number | null;
}

/** The needs module's tables, composed into Database in db/database.ts. */
export interface NeedsTables {
  territory_ancestors: TerritoryAncestorsTable;
  need_cells: NeedCellsTable;
}
