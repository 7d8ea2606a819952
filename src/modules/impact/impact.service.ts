import type { Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { DomainError } from '../../lib/domain-error';
import { isProtectedReader } from '../needs/needs.service';
import * as repo from './impact.repository';
import { group, type Group } from './impact.stats';

export interface ImpactQuery {
  before?: string;
  after?: string;
}

export interface Impact {
  campaigns: repo.ReadinessCampaign[];
  before?: repo.ReadinessCampaign;
  after?: repo.ReadinessCampaign;
  territory: string;
  protected: boolean;
  k: number;
  covered?: Group;
  notCovered?: Group;
  /** Median change of the covered minus that of the others; null when either is unknown. */
  difference?: number | null;
}

/**
 * The change in readiness between two campaigns of firms whose needs a funded action covered,
 * against firms whose needs none covered. A region reads its territory unprotected; every other
 * reader only its own territory, with groups under k firms suppressed. The later campaign is the
 * one that opened later, whichever order the reader picked them in.
 */
export async function impactComparison(
  db: Executor,
  user: SessionUser,
  q: ImpactQuery,
): Promise<Impact> {
  return db.transaction().execute(async (tx) => {
    const campaigns = await repo.readinessCampaigns(tx, user.territoryCode);
    const prot = isProtectedReader(user);
    const base = { campaigns, territory: user.territoryCode, protected: prot, k: DEFAULT_RULES.k };
    // With fewer than two surveys there is nothing to compare, whatever the link asked for.
    if (campaigns.length < 2) return base;
    // One survey picked (either list): the other is the newest survey that is not it.
    const afterId = q.after ?? campaigns.find((c) => c.id !== q.before)!.id;
    const ids = [afterId, q.before ?? campaigns.find((c) => c.id !== afterId)!.id];
    const [chosenAfter, chosenBefore] = ids.map((id) => campaigns.find((c) => c.id === id));
    // An id from an old link or another territory: said next to the list it should come from.
    if (!chosenBefore)
      throw new DomainError('impact.errors.unknownCampaign', { field: 'before', status: 422 });
    if (!chosenAfter)
      throw new DomainError('impact.errors.unknownCampaign', { field: 'after', status: 422 });
    if (chosenAfter.id === chosenBefore.id)
      throw new DomainError('impact.errors.sameCampaign', { field: 'before', status: 422 });
    const [before, after] =
      chosenBefore.opens_at <= chosenAfter.opens_at
        ? [chosenBefore, chosenAfter]
        : [chosenAfter, chosenBefore];
    const k = Math.max(DEFAULT_RULES.k, before.disclosure_k, after.disclosure_k);
    const pairs = await repo.readinessPairs(tx, {
      before: before.id,
      after: after.id,
      scope: user.territoryCode,
    });
    const change = (covered: boolean) =>
      pairs.filter((p) => p.covered === covered).map((p) => p.after - p.before);
    const covered = group(change(true), k, prot);
    const notCovered = group(change(false), k, prot);
    const difference =
      covered.median === null || notCovered.median === null
        ? null
        : covered.median - notCovered.median;
    return { ...base, k, before, after, covered, notCovered, difference };
  });
}
