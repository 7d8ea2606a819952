import { importBoundaries } from '../../src/modules/boundaries/boundaries.service';
import { BUILTIN_CENTROIDS } from '../../src/modules/needs/map/centroids';
import { loginAs, testApp } from '../helpers/app';
import { newUser, PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign, newFirm, submitVersion } from '../needs/factories';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

describe('GET /dashboard map', () => {
  it('tells a province with needs and no coverage apart from one with no needs, in map, legend and text', async () => {
    const { id: campaignId, region } = await newCampaign(t.db, { territory: 'ITI1', k: 1 });
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaignId, firm, region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 6, priority: 'high', period: '2027-Q1' }],
    });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await agent.get(`/dashboard?campaign=${campaignId}&map=coverage`);
    expect(res.status).toBe(200);
    const fill = (name: string) =>
      new RegExp(`<title>${name}: [^<]*</title><rect [^>]*fill="([^"]+)"`).exec(res.text)?.[1];
    expect(fill('Firenze')).toBe('#fdd0a2');
    expect(fill('Arezzo')).toBe('#f7f7f7');
    expect(res.text).toContain(
      '<title>Firenze: fabbisogni, nessun lavoratore ancora coperto</title>',
    );
    expect(res.text).toMatch(
      /fill="#fdd0a2"[^<]*<\/rect><\/svg> fabbisogni, nessun lavoratore ancora coperto/,
    );
    expect(res.text).toMatch(/fill="#f7f7f7"[^<]*<\/rect><\/svg> nessun fabbisogno dichiarato/);
    expect(res.text).toMatch(/<desc id="dashboard-map-desc">[^<]*in arancione[^<]*grigio chiaro/i);
    const en = await agent.get(`/dashboard?campaign=${campaignId}&map=coverage&lang=en`);
    expect(en.text).toMatch(/<desc id="dashboard-map-desc">[^<]*Orange provinces[^<]*Light grey/);
  });

  it('offers the map colour only where a map is drawn, keeping the choice through the form below', async () => {
    const { id: campaignId, region } = await newCampaign(t.db, { territory: 'ITI1', k: 1 });
    const firm = await newFirm(t.db, '048017');
    await submitVersion(t.db, campaignId, firm, region.id, {
      territory: '048017',
      sector: 0,
      employees: 30,
      lines: [{ skill: 0, occupation: 0, eqf: 4, workers: 6, priority: 'high', period: '2027-Q1' }],
    });
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const regional = await agent.get(`/dashboard?campaign=${campaignId}&map=need`);
    expect(regional.text).toContain('needs-map.css');
    expect(regional.text).toContain('<select class="form-select" id="field-map" name="map">');
    // A province: its rows are comuni, no map is drawn, so no colour to choose.
    const province = await agent.get(`/dashboard?campaign=${campaignId}&territory=ITI14&map=need`);
    expect(province.status).toBe(200);
    expect(province.text).not.toContain('needs-map.css');
    expect(province.text).not.toContain('id="field-map"');
    expect(province.text).not.toContain('Colore della mappa');
    expect(province.text).toContain('<input type="hidden" name="map" value="need">');
    expect(province.text).toContain('La mappa per provincia si vede dal livello regionale in su');
    // The province's own authority cannot go up to the region: it is told where its figures are.
    const authority = await newUser(t.db, { role: 'local_authority', territory: 'ITI14' });
    const own = await loginAs(testApp(t), authority.email, PASSWORD);
    const mine = await own.get(`/dashboard?campaign=${campaignId}`);
    expect(mine.status).toBe(200);
    expect(mine.text).not.toContain('dal livello regionale in su');
    expect(mine.text).toContain(
      'La mappa colora le province: per Firenze le righe sono comuni, e i loro valori sono nella tabella qui sopra.',
    );
    const en = await own.get(`/dashboard?campaign=${campaignId}&lang=en`);
    expect(en.text).toContain(
      'The map colours provinces: for Florence the rows are municipalities',
    );
  });

  it('names the provinces whose outlines are missing when only some were imported', async () => {
    const { id: campaignId, region } = await newCampaign(t.db, { territory: 'ITI1', k: 1 });
    const square = (code: string) => {
      const [lon, lat] = BUILTIN_CENTROIDS[code]!;
      const ring = [
        [lon - 0.1, lat - 0.1],
        [lon + 0.1, lat - 0.1],
        [lon + 0.1, lat + 0.1],
        [lon - 0.1, lat + 0.1],
        [lon - 0.1, lat - 0.1],
      ];
      return {
        type: 'Feature',
        properties: { NUTS_ID: code },
        geometry: { type: 'Polygon', coordinates: [ring] },
      };
    };
    const codes = ['ITI11', 'ITI12', 'ITI13', 'ITI14', 'ITI15', 'ITI16', 'ITI17', 'ITI18'];
    await importBoundaries(
      t.db,
      JSON.stringify({ type: 'FeatureCollection', features: codes.map(square) }),
      { fileName: 'part.geojson' },
    );
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const res = await agent.get(`/dashboard?campaign=${campaignId}`);
    expect(res.text).toContain(
      'Mappa a tessere: mancano i confini ufficiali di Grosseto, Siena (un amministratore può importarli da Importazioni › Confini territoriali).',
    );
    expect(res.text).not.toContain('non sono ancora stati importati');
    const en = await agent.get(`/dashboard?campaign=${campaignId}&lang=en`);
    expect(en.text).toContain('Tile map: the official boundaries of Grosseto, Siena are missing');
  });
});
