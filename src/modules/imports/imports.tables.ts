import type { ColumnType, Generated } from 'kysely';
import type { ImportReport } from '../reference/importers/report';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type ImportKind = 'istat' | 'nuts' | 'esco';

export interface ImportJobsTable {
  id: Generated<string>;
  kind: ImportKind;
  version: string | null;
  file_name: string;
  file_bytes: number;
  status: 'running' | 'done' | 'failed';
  rows_done: Generated<number>;
  report: ColumnType<ImportReport | null, string | null | undefined, string | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface ImportTables {
  import_jobs: ImportJobsTable;
}
