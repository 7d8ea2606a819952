import type { Executor } from '../../db';
import type { DisclosureRules } from '../../lib/disclosure';
import * as repo from './needs.repository';
import * as cache from './pattern-cache.repository';
import { protectViews } from './filter-protection';
import { cutId, type Status, type ViewCell } from './protection';

export interface Cut {
  campaignId: string;
  priority: string;
  period: string;
}

export const toViewCell = (r: repo.CellRow & { priority?: string; period?: string }): ViewCell => ({
  territory: r.territory_code,
  dim: r.dim,
  value: r.value,
  firms: r.firms,
  workers: Number(r.workers),
  maxFirmWorkers: r.max_firm_workers,
  cut: r.priority === undefined ? undefined : cutId(r.priority, r.period!),
});

/** The cache row of the unfiltered pattern, and of the one shared by every filtered view. */
const UNFILTERED = { priority: '*', period: '*' };
const FILTERED = { priority: 'filtered', period: '*' };

/**
 * The protection pattern of a whole campaign: every reader (and every page, export and API
 * call) sees the same status for the same cell, and the views a reader can open by priority and
 * period are protected together with the unfiltered one (see protection.ts: otherwise all minus
 * high minus medium gives low). Returns the hidden cells (cellId → reason) of the unfiltered
 * view, or the set G every filtered view hides (empty cells included; the reason a filtered
 * cell shows is its own, see filteredReason).
 *
 * Solving costs far more than reading the cells, so both patterns are cached in PostgreSQL per
 * campaign × root × k at the campaign's version, which every fold of changes into its cells
 * bumps in its own transaction: all app instances share the cache, and a pattern is never used for numbers
 * other than those it was solved for. The version and the cells are read in one snapshot
 * (repeatable read); the cache is written after it. The caller folds the campaign's pending
 * answers first (foldNeeds: needsAggregate, the dashboard, campaignSummaries for compared
 * regions), once per request rather than once per pattern read.
 */
export async function campaignProtection(
  db: Executor,
  root: string,
  cut: Cut,
  rules: DisclosureRules,
): Promise<Map<string, Status>> {
  const key = { campaignId: cut.campaignId, root, k: rules.k };
  const read = async (tx: Executor) => {
    // With one period answered, "that period" is the unfiltered view itself.
    const periods = cut.period === '*' ? [] : await repo.periodsOf(tx, cut.campaignId);
    const single = periods.length === 1 && periods[0] === cut.period;
    const wanted = cut.priority === '*' && (cut.period === '*' || single) ? UNFILTERED : FILTERED;
    const version = await cache.campaignVersion(tx, cut.campaignId);
    const hit = await cache.cachedPattern(tx, { ...key, ...wanted, version });
    if (hit) return { version, hidden: hit, solved: null };
    const solved = await solve(tx, root, cut.campaignId, rules);
    return { version, hidden: wanted === UNFILTERED ? solved[0].hidden : solved[1].hidden, solved };
  };
  // Inside a caller's transaction its snapshot rules; else one snapshot of our own.
  const result = db.isTransaction
    ? await read(db)
    : await db.transaction().setIsolationLevel('repeatable read').execute(read);
  if (result.solved)
    await cache.storePatterns(db, { ...key, version: result.version }, [...result.solved]);
  return new Map(Object.entries(result.hidden) as [string, Status][]);
}

async function solve(tx: Executor, root: string, campaignId: string, rules: DisclosureRules) {
  const tree = await repo.subtree(tx, root);
  const childrenOf = new Map<string, string[]>();
  for (const t of tree) {
    const list = childrenOf.get(t.parent_code) ?? [];
    list.push(t.code);
    childrenOf.set(t.parent_code, list);
  }
  const [base, sensitive] = await Promise.all([
    repo.subtreeCells(tx, { campaignId, root, ...UNFILTERED }),
    repo.sensitiveFilteredCells(tx, { campaignId, root, ...rules }),
  ]);
  const skills = [...new Set(base.filter((r) => r.dim === 'skill').map((r) => r.value))];
  const { unfiltered, filtered } = protectViews({
    root,
    childrenOf,
    base: base.map((r) => toViewCell({ ...r, priority: undefined })),
    sensitive,
    rules,
    areaOf: await repo.skillAreas(tx, skills),
  });
  return [
    { ...UNFILTERED, hidden: Object.fromEntries(unfiltered) as Record<string, string> },
    { ...FILTERED, hidden: Object.fromEntries(filtered) as Record<string, string> },
  ] as const;
}
