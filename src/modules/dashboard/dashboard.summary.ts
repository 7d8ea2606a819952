import type { Executor } from '../../db';
import { foldNeeds } from '../needs/aggregate';
import * as repo from './dashboard.repository';

/** What the dashboard needs of a campaign's answers as a whole, at one version of them. */
export interface CampaignSummary {
  version: number;
  /** The answers by the territory they were given at (for firms surveyed per row). */
  groups: repo.ResponseGroup[];
  firms: number;
  scored: number;
  meanReadiness: number | null;
  employees: number;
  /** Workers in need over the whole campaign. */
  workers: number;
}

const MAX_ENTRIES = 500;
const cache = new Map<string, CampaignSummary>();

/**
 * Summaries of campaigns, kept per process and keyed by the campaign's version: folding a
 * submission, an amendment, a withdrawal or an import of answers bumps it (need_fold), and this
 * folds what is committed before reading it, so a summary is reused only for the very answers it was computed from,
 * whichever app instance computed it. Reading 100k responses of a region on every view (and of
 * every partner region for the comparison) is what this saves; a hit costs one indexed query.
 */
export async function campaignSummaries(
  db: Executor,
  ids: string[],
): Promise<Map<string, CampaignSummary>> {
  // The version names the answers folded so far: fold what is committed first.
  await foldNeeds(db, ids);
  const versions = await repo.campaignVersions(db, ids);
  const out = new Map<string, CampaignSummary>();
  for (const id of ids) {
    const hit = cache.get(id);
    if (hit && hit.version === (versions.get(id) ?? 0)) out.set(id, hit);
    else out.set(id, await compute(db, id));
  }
  return out;
}

async function compute(db: Executor, campaignId: string): Promise<CampaignSummary> {
  // The version and the answers from one snapshot, so the entry is exact for its version.
  const read = async (tx: Executor) => {
    const version = (await repo.campaignVersions(tx, [campaignId])).get(campaignId) ?? 0;
    const groups = await repo.responseGroups(tx, campaignId);
    const workers = await repo.campaignWorkers(tx, campaignId);
    return { version, groups, workers };
  };
  const { version, groups, workers } = db.isTransaction
    ? await read(db)
    : await db.transaction().setIsolationLevel('repeatable read').execute(read);
  const sum = (f: (g: repo.ResponseGroup) => number) => groups.reduce((a, g) => a + f(g), 0);
  const scored = sum((g) => g.scored);
  const summary: CampaignSummary = {
    version,
    groups,
    firms: sum((g) => g.firms),
    scored,
    meanReadiness: scored > 0 ? sum((g) => g.score_sum) / scored : null,
    employees: sum((g) => g.employees),
    workers,
  };
  cache.delete(campaignId);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(campaignId, summary);
  return summary;
}
