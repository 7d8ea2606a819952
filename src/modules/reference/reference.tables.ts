import type { ColumnType } from 'kysely';

type DateOnly = ColumnType<string, string, string>;
/** Read as an object, written as JSON text (or left to the column default). */
type Names = ColumnType<Record<string, string>, string | undefined, string>;

export type TerritoryLevelName = 'NUTS0' | 'NUTS1' | 'NUTS2' | 'NUTS3' | 'LAU';

export interface TerritoryVersionsTable {
  code: string;
  valid_from: DateOnly;
  valid_to: DateOnly | null;
  version: string;
  level: TerritoryLevelName;
  parent_code: string | null;
  name: string;
  names: Names;
}

export interface TerritorySuccessorsTable {
  old_code: string;
  new_code: string;
  since: DateOnly;
  kind: 'renumbered' | 'merged' | 'split' | 'recoded';
}

export interface SectorsTable {
  version: 'NACE2' | 'NACE2.1';
  code: string;
  level: 'section' | 'division';
  parent_code: string | null;
  name: string;
  names: Names;
  ateco_version: 'ATECO2007' | 'ATECO2025';
  position: number;
}

export type SkillFramework = 'formazione40' | 'digcomp' | 'esco' | 'custom';

export interface SkillAreasTable {
  code: string;
  framework: SkillFramework;
  name: string;
  names: Names;
  esco_uri: string | null;
  version: string;
  position: ColumnType<number, number | undefined, number>;
}

export interface SkillsTable {
  code: string;
  area_code: string;
  name: string;
  names: Names;
  description: string | null;
  esco_uri: string | null;
  version: string;
  position: ColumnType<number, number | undefined, number>;
  valid_from: ColumnType<string, string | undefined, string>;
  valid_to: DateOnly | null;
}

export interface OccupationsTable {
  code: string;
  level: 'major' | 'sub-major';
  parent_code: string | null;
  name: string;
  names: Names;
  esco_uri: string | null;
  version: ColumnType<string, string | undefined, string>;
}

export interface EqfLevelsTable {
  level: number;
  descriptor: Names;
  knowledge: string;
  skills: string;
  responsibility_autonomy: string;
}

/** The reference tables beyond `territories` (which the foundation migration created). */
export interface ReferenceTables {
  territory_versions: TerritoryVersionsTable;
  territory_successors: TerritorySuccessorsTable;
  sectors: SectorsTable;
  skill_areas: SkillAreasTable;
  skills: SkillsTable;
  occupations: OccupationsTable;
  eqf_levels: EqfLevelsTable;
}
