import type { MultiPolygon, Polygon } from 'geojson';
import type { BoundarySource } from './boundaries.tables';
import { ISTAT_PROVINCE_NUTS3, ISTAT_REGION_NUTS2, ISTAT_SPLIT_REGIONS } from './istat-codes';
import { BoundaryFileError, type RawFeature } from './parse';

export type FileKind = 'gisco' | 'istat-provinces' | 'istat-regions';

export interface Joined {
  code: string;
  name: string;
  geometry: Polygon | MultiPolygon;
}

export interface JoinResult {
  kind: FileKind;
  source: BoundarySource;
  matched: Joined[];
  /** Features naming a code Patto's territories do not hold: "name (code)". */
  unknown: string[];
  /** Features deliberately left out, with why (an ISTAT region that is two NUTS-2). */
  skipped: string[];
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const pick = (p: Record<string, unknown>, keys: string[]) =>
  keys.map((k) => text(p[k])).find((v) => v !== '') ?? '';

/** ISTAT and openpolis spell the same codes several ways: "048", 48, "COD_PROV". */
const PROVINCE_KEYS = ['prov_istat_code', 'COD_PROV', 'cod_prov', 'prov_istat_code_num'];
const REGION_KEYS = ['reg_istat_code', 'COD_REG', 'cod_reg', 'reg_istat_code_num'];
const NAME_KEYS = [
  'NUTS_NAME',
  'NAME_LATN',
  'prov_name',
  'DEN_PROV',
  'DEN_UTS',
  'reg_name',
  'DEN_REG',
];

export function detectKind(props: Record<string, unknown>): FileKind | null {
  if (text(props.NUTS_ID)) return 'gisco';
  if (pick(props, PROVINCE_KEYS)) return 'istat-provinces';
  if (pick(props, REGION_KEYS)) return 'istat-regions';
  return null;
}

const pad = (code: string, width: number) =>
  /^[0-9]+$/.test(code) ? code.padStart(width, '0') : code;

/**
 * Which territory each feature outlines. GISCO features carry their NUTS code; ISTAT ones the
 * historic province (or region) code, joined to NUTS through `provinceNuts3` (from the comuni
 * Patto holds, which wins) and ISTAT's table. A GISCO file covers all of Europe at every level,
 * so codes outside Patto's territories are listed but do not stop the import; an ISTAT file
 * covers Italy only, so any province or region it cannot place refuses the file.
 */
export function joinFeatures(
  features: RawFeature[],
  opts: {
    source?: BoundarySource;
    known: ReadonlySet<string>;
    provinceNuts3: ReadonlyMap<string, string>;
  },
): JoinResult {
  if (features.length === 0) throw new BoundaryFileError('boundaries.errors.empty');
  const kind = detectKind(features[0]!.props);
  if (!kind)
    throw new BoundaryFileError('boundaries.errors.unknownProperties', {
      keys: Object.keys(features[0]!.props).slice(0, 12).join(', '),
    });
  const source: BoundarySource = kind === 'gisco' ? 'gisco' : 'istat';
  if (opts.source && opts.source !== source)
    throw new BoundaryFileError('boundaries.errors.wrongSource', {
      expected: opts.source,
      found: source,
    });

  const matched = new Map<string, Joined>();
  const unknown: string[] = [];
  const skipped: string[] = [];
  for (const f of features) {
    const name = pick(f.props, NAME_KEYS);
    const key =
      kind === 'gisco'
        ? text(f.props.NUTS_ID)
        : kind === 'istat-provinces'
          ? pad(pick(f.props, PROVINCE_KEYS), 3)
          : pad(pick(f.props, REGION_KEYS), 2);
    const split = kind === 'istat-regions' ? ISTAT_SPLIT_REGIONS[key] : undefined;
    if (split) {
      skipped.push(`${name || key} (${key} → ${split.join(', ')})`);
      continue;
    }
    const code =
      kind === 'gisco'
        ? key
        : kind === 'istat-provinces'
          ? (opts.provinceNuts3.get(key) ?? ISTAT_PROVINCE_NUTS3[key])
          : ISTAT_REGION_NUTS2[key];
    if (!code || !opts.known.has(code)) {
      unknown.push(`${name || '?'} (${key || '?'})`);
      continue;
    }
    if (matched.has(code))
      throw new BoundaryFileError('boundaries.errors.duplicate', { code, name });
    matched.set(code, { code, name, geometry: f.geometry });
  }
  if (kind !== 'gisco' && unknown.length)
    throw new BoundaryFileError('boundaries.errors.unknownCodes', {
      count: unknown.length,
      list: unknown.slice(0, 20).join('; '),
    });
  if (matched.size === 0)
    throw new BoundaryFileError('boundaries.errors.noneMatched', {
      list: unknown.slice(0, 10).join('; '),
    });
  return { kind, source, matched: [...matched.values()], unknown, skipped };
}
