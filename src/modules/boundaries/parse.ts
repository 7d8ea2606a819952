import type { Feature, GeoJsonProperties, Geometry, MultiPolygon, Polygon } from 'geojson';
import { feature as topoFeature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/** A problem with the file as a whole: its message key and parameters, shown to the importer. */
export class BoundaryFileError extends Error {
  constructor(
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(messageKey);
  }
}

export interface RawFeature {
  props: Record<string, unknown>;
  geometry: Polygon | MultiPolygon;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A coordinate array nested `depth` deep ends in finite [lon, lat] pairs. */
function validCoordinates(v: unknown, depth: number): boolean {
  if (!Array.isArray(v)) return false;
  if (depth === 0)
    return (
      v.length >= 2 &&
      typeof v[0] === 'number' &&
      typeof v[1] === 'number' &&
      Math.abs(v[0]) <= 180 &&
      Math.abs(v[1]) <= 90
    );
  return v.every((x) => validCoordinates(x, depth - 1));
}

function polygonal(g: Geometry | null): Polygon | MultiPolygon | null {
  if (!g) return null;
  if (g.type === 'Polygon' && validCoordinates(g.coordinates, 2)) return g;
  if (g.type === 'MultiPolygon' && validCoordinates(g.coordinates, 3)) return g;
  return null;
}

function fromFeatures(features: Feature<Geometry | null, GeoJsonProperties>[]): RawFeature[] {
  const out: RawFeature[] = [];
  features.forEach((f, i) => {
    const geometry = polygonal(f?.geometry ?? null);
    // A feature with no usable outline is named in the error: the file is refused whole.
    if (!geometry)
      throw new BoundaryFileError('boundaries.errors.badGeometry', {
        index: i + 1,
        props: JSON.stringify(f?.properties ?? {}).slice(0, 120),
      });
    out.push({ props: isObject(f.properties) ? f.properties : {}, geometry });
  });
  return out;
}

/**
 * Reads a GeoJSON FeatureCollection or a TopoJSON Topology (every object of it, each a
 * GeometryCollection) into features with their properties. Anything else is refused.
 */
export function parseBoundaryFile(text: string): {
  format: 'geojson' | 'topojson';
  features: RawFeature[];
} {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new BoundaryFileError('boundaries.errors.notJson');
  }
  if (!isObject(doc)) throw new BoundaryFileError('boundaries.errors.notBoundaries');
  if (doc.type === 'FeatureCollection' && Array.isArray(doc.features))
    return {
      format: 'geojson',
      features: fromFeatures(doc.features as Feature<Geometry | null, GeoJsonProperties>[]),
    };
  if (doc.type === 'Topology' && isObject(doc.objects) && Array.isArray(doc.arcs)) {
    const topology = doc as unknown as Topology;
    const features: Feature<Geometry | null, GeoJsonProperties>[] = [];
    for (const [name, object] of Object.entries(topology.objects)) {
      if (
        !isObject(object) ||
        object.type !== 'GeometryCollection' ||
        !Array.isArray(object.geometries)
      )
        throw new BoundaryFileError('boundaries.errors.badObject', { name });
      try {
        const fc = topoFeature(topology, object as GeometryCollection);
        features.push(
          ...(fc as { features: Feature<Geometry | null, GeoJsonProperties>[] }).features,
        );
      } catch {
        throw new BoundaryFileError('boundaries.errors.badObject', { name });
      }
    }
    return { format: 'topojson', features: fromFeatures(features) };
  }
  throw new BoundaryFileError('boundaries.errors.notBoundaries');
}
