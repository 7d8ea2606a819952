import path from 'node:path';
import type { Db } from '../../db';
import * as repo from './boundaries.repository';
import type { BoundarySource } from './boundaries.tables';
import { centroid, countPoints, fromRings, simplifyRings, toRings } from './geometry';
import { joinFeatures, type FileKind } from './join';
import { BoundaryFileError, parseBoundaryFile } from './parse';

/**
 * Outlines are stored simplified to about 100 m (0.001°) and 4 decimals (about 10 m): finer than
 * any page draws them (a pixel of a region's map is several hundred metres), and a province
 * then weighs a few kilobytes instead of hundreds.
 */
export const STORE_TOLERANCE = 0.001;
const STORE_DIGITS = 4;
export const MAX_BOUNDARY_BYTES = 50 * 1024 * 1024;

export interface BoundaryImportReport {
  kind: FileKind;
  source: BoundarySource;
  version: string;
  format: 'geojson' | 'topojson';
  features: number;
  matched: number;
  /** Outlines written (new or different): zero when the same file is imported again. */
  changed: number;
  points: number;
  unknown: string[];
  skipped: string[];
}

export { BoundaryFileError };

/**
 * Imports one boundary file, all or nothing: it is read and checked whole before anything is
 * written, and written in one transaction. Throws BoundaryFileError for a file it refuses.
 */
export async function importBoundaries(
  db: Db,
  text: string,
  opts: { fileName: string; source?: BoundarySource; userId?: string | null },
): Promise<BoundaryImportReport> {
  const { format, features } = parseBoundaryFile(text);
  const joined = joinFeatures(features, {
    source: opts.source,
    known: await repo.knownCodes(db),
    provinceNuts3: await repo.provinceNuts3FromComuni(db),
  });
  const rows = joined.matched.map((m) => {
    const rings = simplifyRings(toRings(m.geometry), STORE_TOLERANCE, STORE_DIGITS);
    const [lon, lat] = centroid(rings);
    return {
      territory_code: m.code,
      geometry: fromRings(rings),
      points: countPoints(rings),
      centroid_lon: Math.round(lon * 1e5) / 1e5,
      centroid_lat: Math.round(lat * 1e5) / 1e5,
    };
  });
  const fileName = path.basename(opts.fileName).slice(0, 255) || 'upload';
  const version = fileName.replace(/\.(geo|topo)?\.?json$/i, '').slice(0, 120) || fileName;
  const changed = await db.transaction().execute((tx) =>
    repo.upsertBoundaries(tx, rows, {
      source: joined.source,
      version,
      fileName,
      userId: opts.userId ?? null,
    }),
  );
  return {
    kind: joined.kind,
    source: joined.source,
    version,
    format,
    features: features.length,
    matched: rows.length,
    changed,
    points: rows.reduce((n, r) => n + r.points, 0),
    unknown: joined.unknown,
    skipped: joined.skipped,
  };
}
