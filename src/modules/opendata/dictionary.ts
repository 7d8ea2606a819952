/**
 * The columns of the open datasets, in order: the same names in CSV headers and JSON records.
 * Meanings and units are in locales (openData.dictionary.*, openData.units.*), so the page's
 * data dictionary and the files can never disagree on what a column is.
 */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  unit?: 'firms' | 'workers' | 'eur' | 'actions' | 'participants';
}

export const DATASETS = ['needs', 'pacts'] as const;
export type Dataset = (typeof DATASETS)[number];

export const COLUMNS: Record<Dataset, readonly ColumnDef[]> = {
  needs: [
    { name: 'campaign_id', type: 'string' },
    { name: 'territory_code', type: 'string' },
    { name: 'territory_name', type: 'string' },
    { name: 'territory_level', type: 'string' },
    { name: 'skill_area_code', type: 'string' },
    { name: 'skill_area_name', type: 'string' },
    { name: 'firms', type: 'integer', unit: 'firms' },
    { name: 'workers', type: 'integer', unit: 'workers' },
    { name: 'suppressed', type: 'boolean' },
    { name: 'suppression_reason', type: 'string' },
  ],
  pacts: [
    { name: 'campaign_id', type: 'string' },
    { name: 'pact_id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'territory_code', type: 'string' },
    { name: 'territory_name', type: 'string' },
    { name: 'promoter', type: 'string' },
    { name: 'title', type: 'string' },
    { name: 'call_id', type: 'string' },
    { name: 'call_title', type: 'string' },
    { name: 'approved_eur', type: 'decimal', unit: 'eur' },
    { name: 'actions', type: 'integer', unit: 'actions' },
    { name: 'participants', type: 'integer', unit: 'participants' },
    { name: 'decided_on', type: 'date' },
    // Added after the first columns, so a reuser's column positions still hold.
    { name: 'spent_eur', type: 'decimal', unit: 'eur' },
    { name: 'spent_up_to', type: 'string' },
  ],
};

export type Cell = string | number | boolean | null;
export type OpenRecord = Record<string, Cell>;
