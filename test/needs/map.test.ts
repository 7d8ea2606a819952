import type { Express } from 'express';
import { sql } from 'kysely';
import { foldNeeds } from '../../src/modules/needs/aggregate';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { importBoundaries } from '../../src/modules/boundaries/boundaries.service';
import { classOf, PALETTE, quantileClasses } from '../../src/modules/needs/map/classes';
import { fitMercator, pathOf } from '../../src/modules/needs/map/projection';
import { abbreviations, tileGrid } from '../../src/modules/needs/map/tilegrid';
import { BUILTIN_CENTROIDS } from '../../src/modules/needs/map/centroids';
import { newFirm, submitVersion } from './factories';
import { tuscanScenario } from './scenario';
import { decodeEntities } from '../helpers/html';

describe('map geometry', () => {
  it('fits outlines into the box and writes compact relative paths', () => {
    const ring = [
      [10, 43],
      [11, 43],
      [11, 44],
      [10, 44],
      [10, 43],
    ];
    const fit = fitMercator(ring as [number, number][], 200, 400, 0);
    expect(fit.width).toBe(200);
    expect(fit.height).toBeGreaterThan(200); // a degree of latitude is longer at 43° N
    expect(fit.project(10, 44)).toEqual([0, 0]);
    const d = pathOf([[ring]], fit.project);
    expect(d).toMatch(/^M0 (\d+)l200 0 0-\1-200 0z$/);
    // A speck next to a large area is dropped; alone, it is kept.
    const speck = [
      [
        [10.5, 43.5],
        [10.5001, 43.5],
        [10.5001, 43.5001],
        [10.5, 43.5],
      ],
    ];
    expect(pathOf([[ring], speck], fit.project).match(/M/g)).toHaveLength(1);
  });

  it('makes up to five quantile classes of the published values, light to dark', () => {
    const classes = quantileClasses([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(classes.map((c) => [c.from, c.to])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
    expect(classes.map((c) => c.fill)).toEqual([...PALETTE]);
    expect(classOf(classes, 6)!.index).toBe(2);
    const two = quantileClasses([5, 5, 9]);
    expect(two.map((c) => [c.from, c.to, c.fill])).toEqual([
      [5, 5, PALETTE[0]],
      [6, 9, PALETTE[4]],
    ]);
    expect(quantileClasses([0, 0])).toEqual([]);
  });

  it('places every Italian province on its own tile, north above south', () => {
    const centres = Object.entries(BUILTIN_CENTROIDS)
      .filter(([code]) => code.startsWith('IT'))
      .map(([code, [lon, lat]]) => ({ code, lon, lat }));
    const tiles = tileGrid(centres);
    expect(tiles).toHaveLength(107);
    expect(new Set(tiles.map((x) => `${x.col},${x.row}`)).size).toBe(107);
    const at = (code: string) => tiles.find((x) => x.code === code)!;
    expect(at('ITH10').row).toBeLessThan(at('ITI14').row); // Bolzano above Firenze
    expect(at('ITI14').row).toBeLessThan(at('ITG12').row); // Firenze above Palermo
    expect(at('ITC11').col).toBeLessThan(at('ITF47').col); // Torino left of Bari
    expect(tileGrid(centres)).toEqual(tiles);
    expect(abbreviations(['Bari', 'Barletta-Andria-Trani', 'Firenze', "L'Aquila"])).toEqual([
      'BAR',
      'BAL',
      'FIR',
      'LAQ',
    ]);
  });
});

describe('GET /needs: the map', () => {
  let t: TestDb;
  let app: Express;
  let s: Awaited<ReturnType<typeof tuscanScenario>>;

  beforeAll(async () => {
    t = await newTestDb();
    app = testApp(t);
    s = await tuscanScenario(t.db);
    // One firm in Pisa: a province of one firm, protected for every reader but the region.
    await sql`INSERT INTO territories (code, level, parent_code, name, version)
              VALUES ('050026', 'LAU', 'ITI17', 'Pisa', 'ISTAT2025')`.execute(t.db);
    const firm = await newFirm(t.db, '050026');
    await submitVersion(t.db, s.campaign.id, firm, s.region.id, {
      territory: '050026',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 9, priority: 'high', period: '2027-Q1' }],
    });
  });
  afterAll(() => t.close());

  const page = async (
    role: 'region' | 'social_partner' | 'local_authority',
    territory: string,
    query = '',
  ) => {
    const user = role === 'region' ? s.region : await newUser(t.db, { role, territory });
    const agent = await loginAs(app, user.email, PASSWORD);
    const res = await agent.get(`/needs?campaign=${s.campaign.id}${query}`);
    expect(res.status).toBe(200);
    return res.text;
  };
  const workers = async (code: string) => {
    await foldNeeds(t.db, s.campaign.id);
    const { rows } = await sql<{ w: number }>`
      SELECT sum(n.workers)::int AS w FROM need_cells n
      JOIN territory_ancestors a ON a.code = n.territory_code AND a.ancestor_code = ${code}
      WHERE n.campaign_id = ${s.campaign.id} AND n.dim = 'total' AND n.priority = '*' AND n.period = '*'`.execute(
      t.db,
    );
    return rows[0]!.w;
  };
  /** The map section, with Handlebars' attribute escapes undone so links read as written. */
  const mapOf = (html: string) => {
    const start = html.indexOf('<section class="needs-map');
    return decodeEntities(html.slice(start, html.indexOf('</section>', start)));
  };

  it('shows the region a tile map of its provinces with values, links, legend and table', async () => {
    const html = await page('region', 'ITI1');
    const map = mapOf(html);
    // A group, not an image: its provinces are links (axe: no focusable content inside an img).
    expect(map).toContain('role="group"');
    expect(map).toMatch(/<desc id="needs-map-desc">Mappa a tessere/);
    expect(map.match(/<rect x="\d+" y="\d+" width="40"/g)).toHaveLength(10); // Tuscany's provinces
    const florence = await workers('ITI14');
    expect(map).toContain(`<title>Firenze: ${florence} lavoratori da formare</title>`);
    expect(map).toContain(`<title>Pisa: ${await workers('ITI17')} lavoratori da formare</title>`);
    expect(map).toContain('<title>Siena: nessun fabbisogno dichiarato</title>');
    expect(map).toMatch(
      new RegExp(
        `<a href="\\?campaign=${s.campaign.id}&territory=ITI14[^"]*" class="needs-map-area">`,
      ),
    );
    expect(map).toContain('aria-label="Legenda della mappa"');
    expect(map).toContain(
      '<caption>Lavoratori da formare per provincia: gli stessi dati della mappa</caption>',
    );
    expect(map).not.toContain('is-protected');
    expect(map).not.toContain('protetto');
    // CSP: nothing inline.
    expect(html).not.toMatch(/ style=|<script/);
    expect(html).toContain('<link rel="stylesheet" href="/assets/css/needs-map.css">');
  });

  it('shows a regional partner the same map with Pisa hatched as protected, and why', async () => {
    const map = mapOf(await page('social_partner', 'ITI1'));
    expect(map).toMatch(
      /<a href="[^"]*territory=ITI17[^"]*" class="needs-map-area is-protected"><title>Pisa: protetto \(meno di 3 imprese\)<\/title><rect [^>]*fill="url\(#needs-map-hatch\)"/,
    );
    expect(map).not.toContain(`Pisa: ${await workers('ITI17')}`);
    expect(map).toContain('Le aree tratteggiate sono protette');
    expect(map).toContain('Le province tratteggiate hanno il valore protetto.');
    // Whatever is hidden on the map is hidden in its table, and vice versa: same cells.
    const hidden = map.match(/is-protected/g)!.length;
    expect(hidden).toBeGreaterThanOrEqual(2); // Pisa and a complement so it can't be subtracted
    expect(
      map.match(/<td class="text-end"><abbr title="[^"]+">protetto<\/abbr><\/td>/g),
    ).toHaveLength(hidden);
  });

  it('shows no map where the rows are comuni, saying so', async () => {
    // The region, on a province's page, can go up the breadcrumb to the map.
    const region = await page('region', 'ITI1', '&territory=ITI14');
    expect(region).not.toContain('needs-map-svg');
    expect(region).toContain('La mappa per provincia si vede dal livello della regione in su');
    // A province's authority cannot go up: it is not sent where it may not go.
    const html = await page('local_authority', 'ITI14');
    expect(html).not.toContain('needs-map-svg');
    expect(html).not.toContain('dal livello della regione in su');
    expect(html).toContain(
      'La mappa colora le province: per Firenze le righe sono comuni, e i loro valori sono nella tabella e nel grafico qui sopra.',
    );
    const en = await page('local_authority', 'ITI14', '&lang=en');
    expect(en).toContain('The map colours provinces: for Florence the rows are municipalities');
  });

  it('draws a choropleth from imported outlines, in English too', async () => {
    const provinces = [
      'ITI11',
      'ITI12',
      'ITI13',
      'ITI14',
      'ITI15',
      'ITI16',
      'ITI17',
      'ITI18',
      'ITI19',
      'ITI1A',
    ];
    const features = provinces.map((code, i) => {
      const [lon, lat] = BUILTIN_CENTROIDS[code]!;
      const r = 0.1 + i / 100;
      const ring = [
        [lon - r, lat - r],
        [lon + r, lat - r],
        [lon + r, lat + r],
        [lon - r, lat + r],
        [lon - r, lat - r],
      ];
      return {
        type: 'Feature',
        properties: { NUTS_ID: code },
        geometry: { type: 'Polygon', coordinates: [ring] },
      };
    });
    await importBoundaries(t.db, JSON.stringify({ type: 'FeatureCollection', features }), {
      fileName: 'tuscany.geojson',
    });
    const user = await newUser(t.db, { role: 'social_partner', territory: 'ITI1' });
    const agent = await loginAs(app, user.email, PASSWORD);
    const map = mapOf((await agent.get(`/needs?campaign=${s.campaign.id}&lang=en`)).text);
    expect(map.match(/<path d="M\d+ \d+l[^"]+z"/g)).toHaveLength(10);
    expect(map).not.toContain('<rect x=');
    expect(map).toContain(
      'class="needs-map-area is-protected"><title>Pisa: protected (fewer than 3 firms)</title>',
    );
    expect(map).toMatch(/<desc id="needs-map-desc">Choropleth map/);
  });
});
