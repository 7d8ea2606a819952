import type { ColumnType } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type BoundarySource = 'gisco' | 'istat';

export interface TerritoryBoundariesTable {
  territory_code: string;
  source: BoundarySource;
  version: string;
  file_name: string;
  /** Read as an object, written as JSON text. */
  geometry: ColumnType<Polygon | MultiPolygon, string, string>;
  points: number;
  centroid_lon: number;
  centroid_lat: number;
  imported_at: Timestamp;
  imported_by: string | null;
}

export interface BoundaryTables {
  territory_boundaries: TerritoryBoundariesTable;
}
