import request from 'supertest';
import type { Express } from 'express';
import { DEFAULT_RULES, primaryReason } from '../../src/lib/disclosure';
import { toViewCell } from '../../src/modules/needs/campaign-protection';
import { foldNeeds } from '../../src/modules/needs/aggregate';
import { subtree, subtreeCellsAllCuts } from '../../src/modules/needs/needs.repository';
import {
  cellId,
  cutId,
  linkedId,
  protectTree,
  PRIORITIES,
} from '../../src/modules/needs/protection';
import { testApp } from '../helpers/app';
import { newTestDb, type TestDb } from '../helpers/test-db';
import { bySubtraction, byElimination, type Knowledge } from './attacker';
import { PERIODS, SKILLS } from './factories';
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
type Table = { cut: string; by: string; territory: string; cells: Cell[] };
const BY = ['area', 'skill', 'sector', 'size'] as const;
/** Every filter a reader can ask for: none, by priority, by period, by both. */
const CUTS = ['*', ...PRIORITIES].flatMap((p) => ['*', ...PERIODS].map((q) => [p, q] as const));

/** Every table the reader can fetch: its territory and each of its comuni, every pivot, every filter. */
async function everythingVisible(token: string, cuts = CUTS) {
  const tables: Table[] = [];
  for (const [priority, period] of cuts) {
    const filter = `${priority === '*' ? '' : `&priority=${priority}`}${period === '*' ? '' : `&period=${period}`}`;
    const get = async (by: string, territory?: string) => {
      const res = await request(app)
        .get(
          `/api/v1/needs/aggregate?campaignId=${s.campaign.id}&by=${by}${filter}${territory ? `&territory=${territory}` : ''}`,
        )
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      return res.body as { territory: string; cells: Cell[] };
    };
    const cut = cutId(priority, period);
    for (const by of BY) {
      const top = await get(by);
      tables.push({ cut, by, territory: top.territory, cells: top.cells });
      for (const code of new Set(top.cells.map((c) => c.territory)))
        if (code !== top.territory)
          tables.push({ cut, by, territory: code, cells: (await get(by, code)).cells });
    }
  }
  return tables;
}

const BY_DIM: Record<string, string> = { sector: 'section' };
const idIn = (cut: string, by: string, c: { territory: string; value: string }) =>
  linkedId(
    cut,
    c.value === '*'
      ? cellId(c.territory, 'total', '*')
      : cellId(c.territory, BY_DIM[by] ?? by, c.value),
  );

/**
 * What the reader knows: published workers, hidden cells, and the additive lines between them:
 * inside each table, between the area and skill tables, and across filters (a cell's priorities
 * add up to its figure for all priorities, its periods to its figure for all periods).
 */
function knowledgeOf(tables: Table[], crossFilter = true): Knowledge {
  const published = new Map<string, number>();
  const hidden = new Set<string>();
  const lines: Knowledge['lines'] = [];
  const keys = new Set<string>();
  for (const { cut, by, territory, cells } of tables) {
    for (const c of cells) {
      const id = idIn(cut, by, c);
      if (c.suppressed) hidden.add(id);
      else published.set(id, c.workers!);
      keys.add(idIn(cutId('*', '*'), by, c));
    }
    const rows = [...new Set(cells.map((c) => c.territory))];
    const values = [...new Set(cells.filter((c) => c.value !== '*').map((c) => c.value))];
    const children = rows.filter((r) => r !== territory);
    const id = (r: string, v: string) => idIn(cut, by, { territory: r, value: v });
    for (const r of rows) lines.push({ total: id(r, '*'), parts: values.map((v) => id(r, v)) });
    if (children.length) {
      lines.push({ total: id(territory, '*'), parts: children.map((r) => id(r, '*')) });
      for (const v of values)
        lines.push({ total: id(territory, v), parts: children.map((r) => id(r, v)) });
    }
  }
  // The list of skills is public: a territory's area figure is the sum of its skills' figures.
  for (const area of tables.filter((t) => t.by === 'area'))
    for (const skill of tables.filter(
      (t) => t.by === 'skill' && t.cut === area.cut && t.territory === area.territory,
    ))
      for (const r of new Set(area.cells.map((c) => c.territory)))
        for (const a of new Set(SKILLS.map(([, a]) => a)))
          lines.push({
            total: idIn(area.cut, 'area', { territory: r, value: a }),
            parts: SKILLS.filter(([, x]) => x === a).map(([code]) =>
              idIn(skill.cut, 'skill', { territory: r, value: code }),
            ),
          });
  if (crossFilter)
    for (const key of keys) {
      for (const q of ['*', ...PERIODS])
        lines.push({
          total: linkedId(cutId('*', q), key),
          parts: PRIORITIES.map((p) => linkedId(cutId(p, q), key)),
        });
      for (const p of ['*', ...PRIORITIES])
        lines.push({
          total: linkedId(cutId(p, '*'), key),
          parts: PERIODS.map((q) => linkedId(cutId(p, q), key)),
        });
    }
  for (const h of hidden) published.delete(h);
  return { published, hidden, lines };
}

describe('the attacker, with everything a local authority can see', () => {
  it('recovers no hidden value, by subtraction or by solving all the lines together', async () => {
    const k = knowledgeOf(await everythingVisible(s.authorityToken, [['*', '*']]), false);
    expect(k.hidden.size).toBeGreaterThan(0);
    expect([...bySubtraction(k).keys()]).toEqual([]);
    expect([...byElimination(k)]).toEqual([]);
  });

  it('recovers none either by subtracting the views filtered by priority and period', async () => {
    const k = knowledgeOf(await everythingVisible(s.authorityToken));
    expect([...k.hidden].filter((id) => id.includes('#')).length).toBeGreaterThan(0);
    expect([...bySubtraction(k).keys()]).toEqual([]);
    expect([...byElimination(k)]).toEqual([]);
  });

  it('would recover values if only the sensitive cells were hidden (the test has teeth)', async () => {
    // The region's unprotected view of the same province, hiding only the cells of < k firms.
    const province: Table[] = [];
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
      province.push({ cut: cutId('*', '*'), by, territory: 'ITI14', cells });
    }
    const k = knowledgeOf(province, false);
    expect(k.hidden.size).toBeGreaterThan(0);
    expect(bySubtraction(k).size).toBeGreaterThan(0);
  });

  it('would recover values if each filter were protected on its own (cross-filter teeth)', async () => {
    // Each filter protected alone, as one table system: safe inside, but the filters add up.
    const tree = await subtree(t.db, 'ITI1');
    const childrenOf = new Map<string, string[]>();
    for (const r of tree)
      childrenOf.set(r.parent_code, [...(childrenOf.get(r.parent_code) ?? []), r.code]);
    await foldNeeds(t.db, s.campaign.id);
    const all = (await subtreeCellsAllCuts(t.db, { campaignId: s.campaign.id, root: 'ITI1' })).map(
      toViewCell,
    );
    const published = new Map<string, number>();
    const hidden = new Set<string>();
    for (const [p, q] of CUTS) {
      const cells = all.filter((c) => c.cut === cutId(p, q)).map((c) => ({ ...c, cut: undefined }));
      const { status } = protectTree({ root: 'ITI1', childrenOf, cells, rules: DEFAULT_RULES });
      for (const c of cells) {
        const id = cellId(c.territory, c.dim, c.value);
        if (status.get(id)) hidden.add(linkedId(cutId(p, q), id));
        else published.set(linkedId(cutId(p, q), id), c.workers);
      }
    }
    const lines: Knowledge['lines'] = [];
    for (const key of new Set(all.map((c) => cellId(c.territory, c.dim, c.value))))
      for (const q of ['*', ...PERIODS])
        lines.push({
          total: linkedId(cutId('*', q), key),
          parts: PRIORITIES.map((p) => linkedId(cutId(p, q), key)),
        });
    expect(bySubtraction({ published, hidden, lines }).size).toBeGreaterThan(0);
  });
});
