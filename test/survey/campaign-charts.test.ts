import { loginAs, testApp } from '../helpers/app';
import { PASSWORD } from '../helpers/factories';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { newCampaign } from './helpers';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t.close());

const unescape = (s: string) => s.replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

/** Each chart of the page: its id, the drawing's attributes, its labels, what shows without it. */
function figures(html: string) {
  return [
    ...html.matchAll(/<figure[^>]*aria-labelledby="(chart-[^"]+)-title"[\s\S]*?<\/figure>/g),
  ].map((m) => {
    const svg = /<svg[^>]*>/.exec(m[0])?.[0];
    const labels = [
      ...m[0].matchAll(/<text x="(\d+)"[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g),
    ];
    return {
      id: m[1]!,
      svg,
      width: svg ? Number(/ width="(\d+)"/.exec(svg)?.[1]) : undefined,
      viewBox: svg ? /viewBox="([^"]*)"/.exec(svg)?.[1] : undefined,
      labels: labels.map((l) => ({ x: Number(l[1]), text: unescape(l[2]!) })),
      shown: m[0].replace(/<svg[\s\S]*<\/svg>/, '').replace(/<details[\s\S]*<\/details>/, ''),
    };
  });
}

describe('GET /campaigns/:id — the charts', () => {
  it('fits the longest label and draws every chart at the same scale', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const page = await agent.get(`/campaigns/${id}`);
    const charts = figures(page.text);
    const tech = charts.find((c) => c.id === 'chart-tech')!;
    const longest = tech.labels.find((l) => l.text.startsWith('Soluzioni manifatturiere'))!;
    expect(longest.text).toBe('Soluzioni manifatturiere avanzate e robot collaborativi');
    // A 12px label needs about 5px a character: drawn from its column's right edge leftwards, a
    // narrower column cut "Soluzioni manifatturiere" off at the left of the picture.
    for (const c of charts.filter((x) => x.svg))
      for (const l of c.labels) expect(l.x).toBeGreaterThanOrEqual(l.text.length * 5);
    // Drawn 1:1: a full-width chart's text no longer twice the size of a half-width one's.
    for (const c of charts.filter((x) => x.svg)) {
      expect(c.viewBox).toBe(`0 0 ${c.width} ${c.viewBox!.split(' ')[3]}`);
      expect(c.svg).toContain('class="d-block mb-2 bar-chart"');
    }
  });

  it('says there are no answers yet where a chart has nothing to draw', async () => {
    const { id, region } = await newCampaign(t.db);
    const agent = await loginAs(testApp(t), region.email, PASSWORD);
    const charts = figures((await agent.get(`/campaigns/${id}`)).text);
    const byArea = charts.find((c) => c.id === 'chart-area')!;
    // Before, an empty picture: the sentence was only in the drawing's hidden description.
    expect(byArea.svg).toBeUndefined();
    expect(byArea.shown).toContain('Nessuna risposta ancora.');
    // A chart with rows (every priority, at 0) is still drawn.
    expect(charts.find((c) => c.id === 'chart-priority')!.svg).toBeDefined();
  });
});
