import { sql } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Executor } from '../../db';
import type { BoundarySource } from './boundaries.tables';

/** Every territory code Patto holds, current or past: a boundary may outline either. */
export async function knownCodes(db: Executor): Promise<Set<string>> {
  const rows = await db.selectFrom('territories').select('code').execute();
  return new Set(rows.map((r) => r.code));
}

/**
 * Historic province code → NUTS-3 as the comuni Patto holds say it (the first three digits of a
 * comune's ISTAT code are its historic province); the most common parent wins.
 */
export async function provinceNuts3FromComuni(db: Executor): Promise<Map<string, string>> {
  const { rows } = await sql<{ prov: string; nuts3: string }>`
    SELECT left(c.code, 3) AS prov, mode() WITHIN GROUP (ORDER BY c.parent_code) AS nuts3
    FROM territories c JOIN territories p ON p.code = c.parent_code AND p.level = 'NUTS3'
    WHERE c.level = 'LAU' AND c.valid_to IS NULL AND c.code ~ '^[0-9]{6}$'
    GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [r.prov, r.nuts3]));
}

export interface BoundaryRow {
  territory_code: string;
  geometry: Polygon | MultiPolygon;
  points: number;
  centroid_lon: number;
  centroid_lat: number;
}

/**
 * Writes the outlines of one file in one statement; a row whose outline and source are the same
 * as stored is left alone, so a re-import reports what changed (nothing, the second time).
 */
export async function upsertBoundaries(
  db: Executor,
  rows: BoundaryRow[],
  meta: { source: BoundarySource; version: string; fileName: string; userId: string | null },
): Promise<number> {
  const { rows: written } = await sql<{ territory_code: string }>`
    INSERT INTO territory_boundaries AS b (territory_code, source, version, file_name, geometry,
      points, centroid_lon, centroid_lat, imported_by)
    SELECT x.territory_code, ${meta.source}, ${meta.version}, ${meta.fileName}, x.geometry,
      x.points, x.centroid_lon, x.centroid_lat, ${meta.userId}::uuid
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(territory_code text,
      geometry jsonb, points integer, centroid_lon double precision, centroid_lat double precision)
    ON CONFLICT (territory_code) DO UPDATE SET source = excluded.source,
      version = excluded.version, file_name = excluded.file_name, geometry = excluded.geometry,
      points = excluded.points, centroid_lon = excluded.centroid_lon,
      centroid_lat = excluded.centroid_lat, imported_at = now(), imported_by = excluded.imported_by
    WHERE b.geometry IS DISTINCT FROM excluded.geometry OR b.source IS DISTINCT FROM excluded.source
      OR b.version IS DISTINCT FROM excluded.version
    RETURNING territory_code`.execute(db);
  return written.length;
}

export interface StoredBoundary extends BoundaryRow {
  code: string;
}

/**
 * The outlines of the given territories. A territory with no outline of its own but a single
 * child that has one borrows it (Trentino's two NUTS-2 are each one province).
 */
export async function boundariesFor(
  db: Executor,
  codes: readonly string[],
): Promise<StoredBoundary[]> {
  if (!codes.length) return [];
  const { rows } = await sql<StoredBoundary>`
    SELECT t.code, b.territory_code, b.geometry, b.points, b.centroid_lon, b.centroid_lat
    FROM territories t
    JOIN LATERAL (
      SELECT * FROM territory_boundaries own WHERE own.territory_code = t.code
      UNION ALL
      SELECT cb.* FROM territory_boundaries cb
      WHERE cb.territory_code = (SELECT min(c.code) FROM territories c WHERE c.parent_code = t.code
                                 HAVING count(*) = 1)
        AND NOT EXISTS (SELECT 1 FROM territory_boundaries o WHERE o.territory_code = t.code)
    ) b ON true
    WHERE t.code = ANY(${codes as string[]}::text[])`.execute(db);
  return rows;
}

/** What is imported, by source, file and level: for the admin page. */
export async function importedSummary(db: Executor) {
  const { rows } = await sql<{
    source: BoundarySource;
    version: string;
    file_name: string;
    level: string;
    territories: number;
    points: number;
    imported_at: Date;
  }>`
    SELECT b.source, b.version, b.file_name, t.level, count(*)::int AS territories,
      sum(b.points)::int AS points, max(b.imported_at) AS imported_at
    FROM territory_boundaries b JOIN territories t ON t.code = b.territory_code
    GROUP BY 1, 2, 3, 4 ORDER BY max(b.imported_at) DESC, t.level`.execute(db);
  return rows;
}
