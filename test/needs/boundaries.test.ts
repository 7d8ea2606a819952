import fs from 'node:fs';
import path from 'node:path';
import { csrfFrom, loginAs, testApp, type Agent } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newUser, PASSWORD } from '../helpers/factories';
import {
  BoundaryFileError,
  importBoundaries,
} from '../../src/modules/boundaries/boundaries.service';
import { boundariesFor } from '../../src/modules/boundaries/boundaries.repository';
import { toRings } from '../../src/modules/boundaries/geometry';
import { fitMercator, pathOf } from '../../src/modules/needs/map/projection';

const DIR = path.resolve(__dirname, '../../../shared/data/boundaries');
const real = (name: string) => {
  const file = path.join(DIR, name);
  if (fs.existsSync(file)) return file;
  console.log(`skipped: ${file} is absent (the shared boundary files are not on this machine)`);
  return null;
};

/** A square outline around (lon, lat): enough to stand for a territory in a fixture. */
const square = (lon: number, lat: number, r = 0.2) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon - r, lat - r],
      [lon + r, lat - r],
      [lon + r, lat + r],
      [lon - r, lat + r],
      [lon - r, lat - r],
    ],
  ],
});
const fc = (features: { props: Record<string, unknown>; geometry: unknown }[]) =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', properties: f.props, geometry: f.geometry })),
  });

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const stored = async () =>
  (await t.db.selectFrom('territory_boundaries').select('territory_code').execute()).length;

async function refused(text: string, opts: Parameters<typeof importBoundaries>[2]) {
  const before = await stored();
  const err = await importBoundaries(t.db, text, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BoundaryFileError);
  expect(await stored()).toBe(before);
  return err as BoundaryFileError;
}

describe('importBoundaries on small fixtures', () => {
  it('refuses what is not JSON, not a FeatureCollection or Topology, or has no polygon', async () => {
    expect((await refused('not json {', { fileName: 'x.json' })).messageKey).toBe(
      'boundaries.errors.notJson',
    );
    expect((await refused('{"type":"Feature"}', { fileName: 'x.json' })).messageKey).toBe(
      'boundaries.errors.notBoundaries',
    );
    expect(
      (
        await refused('{"type":"Topology","objects":{"a":{"type":"Point"}},"arcs":[]}', {
          fileName: 'x.json',
        })
      ).messageKey,
    ).toBe('boundaries.errors.badObject');
    const line = fc([
      {
        props: { NUTS_ID: 'ITI14' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [11, 43],
            [12, 44],
          ],
        },
      },
    ]);
    expect((await refused(line, { fileName: 'x.json' })).messageKey).toBe(
      'boundaries.errors.badGeometry',
    );
    const far = fc([{ props: { NUTS_ID: 'ITI14' }, geometry: square(11, 95) }]);
    expect((await refused(far, { fileName: 'x.json' })).messageKey).toBe(
      'boundaries.errors.badGeometry',
    );
  });

  it('refuses a whole ISTAT file for one province it cannot place, naming it', async () => {
    const text = fc([
      { props: { prov_istat_code: '048', prov_name: 'Firenze' }, geometry: square(11.2, 43.8) },
      { props: { prov_istat_code: '104', prov_name: 'Olbia-Tempio' }, geometry: square(9.4, 40.9) },
    ]);
    const err = await refused(text, { fileName: 'old-provinces.json' });
    expect(err.messageKey).toBe('boundaries.errors.unknownCodes');
    expect(err.params.list).toContain('Olbia-Tempio (104)');
  });

  it('refuses a file of the other source, and a territory twice', async () => {
    const text = fc([{ props: { NUTS_ID: 'ITI14' }, geometry: square(11.2, 43.8) }]);
    expect((await refused(text, { fileName: 'a.json', source: 'istat' })).messageKey).toBe(
      'boundaries.errors.wrongSource',
    );
    const twice = fc([
      { props: { NUTS_ID: 'ITI14' }, geometry: square(11.2, 43.8) },
      { props: { NUTS_ID: 'ITI14' }, geometry: square(11.3, 43.8) },
    ]);
    expect((await refused(twice, { fileName: 'a.json' })).messageKey).toBe(
      'boundaries.errors.duplicate',
    );
  });

  it('joins ISTAT provinces on the historic code (metropolitan cities too), idempotently', async () => {
    const text = fc([
      // Firenze is UTS 248 but historic 048; Prato 100; the number form is accepted too.
      { props: { prov_istat_code: '048', prov_name: 'Firenze' }, geometry: square(11.2, 43.8) },
      {
        props: { prov_istat_code_num: 100, prov_name: 'Prato' },
        geometry: square(11.05, 43.95, 0.1),
      },
    ]);
    const first = await importBoundaries(t.db, text, {
      fileName: 'tiny.topo.json',
      source: 'istat',
    });
    expect(first).toMatchObject({ kind: 'istat-provinces', matched: 2, changed: 2, unknown: [] });
    const rows = await t.db
      .selectFrom('territory_boundaries')
      .selectAll()
      .where('territory_code', 'in', ['ITI14', 'ITI15'])
      .orderBy('territory_code')
      .execute();
    expect(rows.map((r) => [r.territory_code, r.source])).toEqual([
      ['ITI14', 'istat'],
      ['ITI15', 'istat'],
    ]);
    expect(rows[0]!.centroid_lon).toBeCloseTo(11.2, 2);
    expect(rows[0]!.geometry.type).toBe('Polygon');
    const again = await importBoundaries(t.db, text, { fileName: 'tiny.topo.json' });
    expect(again.changed).toBe(0);
  });

  it('keeps GISCO codes Patto does not hold out, listed, and imports the rest', async () => {
    const text = fc([
      {
        props: { NUTS_ID: 'ITI17', NUTS_NAME: 'Pisa', LEVL_CODE: 3 },
        geometry: square(10.6, 43.5),
      },
      {
        props: { NUTS_ID: 'AT111', NUTS_NAME: 'Mittelburgenland', LEVL_CODE: 3 },
        geometry: square(16.5, 47.5),
      },
    ]);
    const report = await importBoundaries(t.db, text, { fileName: 'gisco.geojson' });
    expect(report).toMatchObject({
      source: 'gisco',
      matched: 1,
      unknown: ['Mittelburgenland (AT111)'],
    });
    const none = fc([{ props: { NUTS_ID: 'AT111' }, geometry: square(16.5, 47.5) }]);
    expect((await refused(none, { fileName: 'x.json' })).messageKey).toBe(
      'boundaries.errors.noneMatched',
    );
  });
});

describe('importBoundaries on the official files', () => {
  it('imports GISCO NUTS GeoJSON and TopoJSON alike', async () => {
    for (const name of ['NUTS_RG_20M_2024_4326.geojson', 'NUTS_RG_20M_2024_4326.topo.json']) {
      const file = real(name);
      if (!file) return;
      const r = await importBoundaries(t.db, fs.readFileSync(file, 'utf8'), {
        fileName: name,
        source: 'gisco',
      });
      expect(r.kind).toBe('gisco');
      expect(r.matched).toBeGreaterThan(150); // every built-in NUTS 0–3 the file has
      expect(r.unknown.length).toBeGreaterThan(0); // Europe beyond the built-in set
    }
    const it3 = await boundariesFor(t.db, ['ITI14', 'ITC4C', 'ITG2H', 'IT']);
    expect(it3.map((b) => b.code).sort()).toEqual(['IT', 'ITC4C', 'ITG2H', 'ITI14']);
  });

  it('imports the openpolis provinces (107, on the historic code) and regions (Trentino left out)', async () => {
    const provinces = real('openpolis_limits_IT_provinces.topo.json');
    const regions = real('openpolis_limits_IT_regions.topo.json');
    if (!provinces || !regions) return;
    const p = await importBoundaries(t.db, fs.readFileSync(provinces, 'utf8'), {
      fileName: 'openpolis_limits_IT_provinces.topo.json',
    });
    expect(p).toMatchObject({
      kind: 'istat-provinces',
      source: 'istat',
      features: 107,
      matched: 107,
      unknown: [],
    });
    const again = await importBoundaries(t.db, fs.readFileSync(provinces, 'utf8'), {
      fileName: 'openpolis_limits_IT_provinces.topo.json',
    });
    expect(again.changed).toBe(0);
    const r = await importBoundaries(t.db, fs.readFileSync(regions, 'utf8'), {
      fileName: 'openpolis_limits_IT_regions.topo.json',
      source: 'istat',
    });
    expect(r).toMatchObject({ kind: 'istat-regions', matched: 19 });
    expect(r.skipped[0]).toContain('ITH1, ITH2');
    // Trentino's NUTS-2 borrow the outline of their one province.
    await t.db.deleteFrom('territory_boundaries').where('territory_code', '=', 'ITH1').execute();
    expect((await boundariesFor(t.db, ['ITH1'])).map((b) => b.territory_code)).toEqual(['ITH10']);

    // Italy's 107 provinces drawn as one SVG stay small.
    const codes = (
      await t.db
        .selectFrom('territories')
        .select('code')
        .where('level', '=', 'NUTS3')
        .where('code', 'like', 'IT%')
        .execute()
    ).map((c) => c.code);
    const outlines = await boundariesFor(t.db, codes);
    expect(outlines).toHaveLength(107);
    const rings = outlines.map((o) => toRings(o.geometry));
    const fit = fitMercator(
      rings.flatMap((x) => x.flatMap((poly) => poly[0]!.map((pt) => [pt[0]!, pt[1]!] as const))),
      600,
      720,
    );
    const bytes = rings.reduce((n, x) => n + pathOf(x, fit.project).length, 0);
    console.log(`Italy, 107 provinces: ${bytes} bytes of SVG path`);
    expect(bytes).toBeLessThan(150 * 1024);
  });
});

describe('/admin/boundaries', () => {
  let admin: Agent;
  beforeAll(async () => {
    const user = await newUser(t.db, { role: 'admin' });
    admin = await loginAs(testApp(t), user.email, PASSWORD);
  });

  async function upload(fields: Record<string, string>, file?: { name: string; content: string }) {
    const token = await csrfFrom(admin, '/admin/boundaries');
    let req = admin.post(`/admin/boundaries?_csrf=${encodeURIComponent(token)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file) req = req.attach('file', Buffer.from(file.content), file.name);
    return req;
  }

  it('is for admins only', async () => {
    const region = await newUser(t.db, { role: 'region', territory: 'ITI1' });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    expect((await agent.get('/admin/boundaries')).status).toBe(403);
  });

  it('imports an uploaded file and lists it', async () => {
    const text = fc([
      { props: { NUTS_ID: 'ITI18', NUTS_NAME: 'Arezzo' }, geometry: square(11.9, 43.5) },
    ]);
    const res = await upload({ source: 'gisco' }, { name: 'arezzo.geojson', content: text });
    expect(res.status).toBe(303);
    const page = await admin.get('/admin/boundaries');
    expect(page.text).toContain('Confini importati da arezzo.geojson: 1 territori');
    expect(page.text).toContain('arezzo.geojson');
    const row = await t.db
      .selectFrom('territory_boundaries')
      .selectAll()
      .where('territory_code', '=', 'ITI18')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'gisco', file_name: 'arezzo.geojson' });
  });

  it('re-renders with the error next to the file, writing nothing', async () => {
    const before = await stored();
    const noFile = await upload({ source: 'auto' });
    expect(noFile.status).toBe(422);
    expect(noFile.text).toContain('Scegli un file di confini.');
    const empty = await upload({ source: 'auto' }, { name: 'confini.geojson', content: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('File: Il file è vuoto.');
    const csv = await upload({ source: 'auto' }, { name: 'a.csv', content: 'a,b' });
    expect(csv.status).toBe(422);
    const bad = await upload(
      { source: 'istat' },
      {
        name: 'p.json',
        content: fc([
          { props: { prov_istat_code: '999', prov_name: 'Atlantide' }, geometry: square(10, 40) },
        ]),
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Atlantide (999)');
    expect(bad.text).toMatch(/id="field-source-istat" value="istat" checked/);
    const other = await upload(
      { source: 'istat' },
      {
        name: 'nuts.geojson',
        content: fc([{ props: { NUTS_ID: 'ITI14' }, geometry: square(11, 43) }]),
      },
    );
    expect(other.status).toBe(422);
    expect(other.text).toContain(
      'Hai indicato la fonte «ISTAT / openpolis (province o regioni)», ma il file sembra di «Eurostat GISCO (NUTS)».',
    );
    const wrong = await upload({ source: 'nope' }, { name: 'p.json', content: '{}' });
    expect(wrong.status).toBe(422);
    expect(await stored()).toBe(before);
  });
});
