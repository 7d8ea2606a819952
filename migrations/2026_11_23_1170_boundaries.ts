import { sql, type Kysely } from 'kysely';

// Frozen once landed: never edit, add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  // One outline per territory: the last import wins (a re-import of the same file is a no-op).
  // geometry is a GeoJSON Polygon or MultiPolygon in lon/lat (WGS84), already simplified at
  // import so a page draws it without reading megabytes; the centroid places tile-grid squares.
  await sql`
    CREATE TABLE territory_boundaries (
      territory_code text PRIMARY KEY REFERENCES territories(code) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('gisco','istat')),
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 120),
      file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
      geometry jsonb NOT NULL CHECK (geometry->>'type' IN ('Polygon','MultiPolygon')),
      points integer NOT NULL CHECK (points BETWEEN 4 AND 1000000),
      centroid_lon double precision NOT NULL CHECK (centroid_lon BETWEEN -180 AND 180),
      centroid_lat double precision NOT NULL CHECK (centroid_lat BETWEEN -90 AND 90),
      imported_at timestamptz NOT NULL DEFAULT now(),
      imported_by uuid REFERENCES users(id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE territory_boundaries`.execute(db);
}
