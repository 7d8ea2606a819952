import request from 'supertest';
import type { Express } from 'express';
import { DEFAULT_RULES, primaryReason } from '../../src/lib/disclosure';
import { testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { bySubtraction, byElimination, type Knowledge } from './attacker';
import { tuscanScenario } from './scenario';

let t: TestDb;
let app: Express;
let s: Awaited<ReturnType<typeof tuscanScenario>>;

beforeAll(async () => {
  t = await newTestDb();
  app = testApp(t);
  s = await tuscanScenario(t.db);
});
afterAll(() => t.close());

type Cell = {
  territory: string;
  value: string;
  firms?: number;
  workers?: number;
  suppressed: boolean;
};
const BY = ['area', 'skill', 'sector', 'size'] as const;

/** Every table the reader can fetch: its territory and each of its comuni, in every pivot. */
async function everythingVisible(token: string) {
  const tables: { by: string; territory: string; cells: Cell[] }[] = [];
  const get = async (by: string, territory?: string) => {
    const res = await request(app)
      .get(
        `/api/v1/needs/aggregate?campaignId=${s.campaign.id}&by=${by}${territory ? `&territory=${territory}` : ''}`,
      )
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body as { territory: string; cells: Cell[] };
  };
  for (const by of BY) {
    const top = await get(by);
    tables.push({ by, territory: top.territory, cells: top.cells });
    for (const code of new Set(top.cells.map((c) => c.territory)))
      if (code !== top.territory)
        tables.push({ by, territory: code, cells: (await get(by, code)).cells });
  }
  return tables;
}

/** What the reader knows: published workers, hidden cells, and the additive lines between them. */
function knowledgeOf(tables: Awaited<ReturnType<typeof everythingVisible>>): Knowledge {
  const published = new Map<string, number>();
  const hidden = new Set<string>();
  const lines: Knowledge['lines'] = [];
  const id = (by: string, c: { territory: string; value: string }) =>
    c.value === '*' ? `${c.territory}|*` : `${c.territory}|${by}|${c.value}`;
  for (const { by, territory, cells } of tables) {
    for (const c of cells) {
      if (c.suppressed) hidden.add(id(by, c));
      else published.set(id(by, c), c.workers!);
    }
    const rows = [...new Set(cells.map((c) => c.territory))];
    const values = [...new Set(cells.filter((c) => c.value !== '*').map((c) => c.value))];
    const children = rows.filter((r) => r !== territory);
    for (const r of rows)
      lines.push({ total: `${r}|*`, parts: values.map((v) => id(by, { territory: r, value: v })) });
    if (children.length) {
      lines.push({ total: `${territory}|*`, parts: children.map((r) => `${r}|*`) });
      for (const v of values)
        lines.push({
          total: id(by, { territory, value: v }),
          parts: children.map((r) => id(by, { territory: r, value: v })),
        });
    }
  }
  for (const h of hidden) published.delete(h);
  return { published, hidden, lines };
}

describe('the attacker, with everything a local authority can see', () => {
  it('recovers no hidden value, by subtraction or by solving all the lines together', async () => {
    const tables = await everythingVisible(s.authorityToken);
    const k = knowledgeOf(tables);
    expect(k.hidden.size).toBeGreaterThan(0);
    expect([...bySubtraction(k).keys()]).toEqual([]);
    expect([...byElimination(k)]).toEqual([]);
  });

  it('would recover values if only the sensitive cells were hidden (the test has teeth)', async () => {
    // The region's unprotected view of the same province, hiding only the cells of < k firms.
    const province = [];
    for (const by of BY) {
      const res = await request(app)
        .get(`/api/v1/needs/aggregate?campaignId=${s.campaign.id}&territory=ITI14&by=${by}`)
        .set('Authorization', `Bearer ${s.regionToken}`);
      const cells = (res.body.cells as Required<Cell>[]).map((c) => ({
        ...c,
        suppressed:
          primaryReason(
            { id: '', firms: c.firms, workers: c.workers, maxFirmWorkers: 0 },
            DEFAULT_RULES,
          ) !== null,
      }));
      province.push({ by, territory: 'ITI14', cells });
    }
    const k = knowledgeOf(province);
    expect(k.hidden.size).toBeGreaterThan(0);
    expect(bySubtraction(k).size).toBeGreaterThan(0);
  });
});
