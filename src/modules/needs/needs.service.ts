import type { Executor } from '../../db';
import { TERRITORY_LEVELS, type TerritoryLevel } from '../../db/database';
import type { SessionUser } from '../../http/types';
import { DEFAULT_RULES, type DisclosureRules, type SuppressionReason } from '../../lib/disclosure';
import { NotFoundError } from '../../lib/domain-error';
import { foldNeeds } from './aggregate';
import * as repo from './needs.repository';
import { campaignProtection, toViewCell } from './campaign-protection';
import { filteredReason } from './filter-protection';
import { cellId, type PivotDim, type Status, type ViewCell } from './protection';
import { SIZE_CLASSES } from '../survey/survey.tables';

export interface NeedsQuery {
  campaignId: string;
  territory?: string;
  by: PivotDim;
  priority: string; // '*' or high|medium|low
  period: string; // '*' or YYYY-Qn
  /** The level of the rows (default: the territory's children). */
  level?: TerritoryLevel;
}

/** One published number pair: absent numbers when suppressed. */
export interface PublishedCell {
  territory: string;
  value: string; // '*' = the territory's total
  firms?: number;
  workers?: number;
  suppressed: boolean;
  reason?: SuppressionReason;
}

export interface NeedsAggregate {
  campaign: repo.CampaignForNeeds;
  territory: string;
  /** Breadcrumbs from the campaign's territory (or the reader's) down to `territory`. */
  path: { code: string; level: string; name: string; names: Record<string, string> }[];
  rows: Awaited<ReturnType<typeof repo.descendants>>;
  values: string[];
  cells: PublishedCell[];
  protected: boolean;
  rules: DisclosureRules;
}

/** Region users read the unprotected numbers of their territory; every other reader is protected. */
export const isProtectedReader = (user: SessionUser) => user.role !== 'region';

/** The campaigns a reader may open: published ones overlapping the reader's territory. */
export function campaignsFor(db: Executor, user: SessionUser) {
  return repo.listCampaignsOverlapping(db, user.role === 'admin' ? null : user.territoryCode);
}

/** Where a reader's view of a campaign starts: the deeper of the campaign's and its own territory. */
async function readerTop(db: Executor, user: SessionUser, campaign: repo.CampaignForNeeds) {
  if (user.role === 'admin') return campaign.territory_code;
  if (await repo.isBelow(db, user.territoryCode, campaign.territory_code))
    return user.territoryCode;
  if (await repo.isBelow(db, campaign.territory_code, user.territoryCode))
    return campaign.territory_code;
  return null;
}

export async function needsAggregate(
  db: Executor,
  user: SessionUser,
  q: NeedsQuery,
): Promise<NeedsAggregate> {
  const campaign = (await campaignsFor(db, user)).find((c) => c.id === q.campaignId);
  if (!campaign) throw new NotFoundError();
  // Every answer committed before this read counts in it.
  await foldNeeds(db, campaign.id);
  const top = await readerTop(db, user, campaign);
  if (!top) throw new NotFoundError();
  const territory = q.territory ?? top;
  // Out of the reader's scope is not found, saying whose figures the reader can see (territory
  // codes are public reference data: nothing of the survey's answers is told).
  if (!(await repo.isBelow(db, territory, top)))
    throw new NotFoundError('needs.errors.outOfScope', { territory, top });
  const path = await repo.pathFrom(db, top, territory);
  const own = TERRITORY_LEVELS.indexOf(path.at(-1)!.level as TerritoryLevel);
  const depth = q.level ? TERRITORY_LEVELS.indexOf(q.level) - own : 1;
  const rows = depth > 0 ? await repo.descendants(db, territory, depth) : [];
  const rules = { ...DEFAULT_RULES, k: campaign.disclosure_k };
  const cut = { campaignId: campaign.id, priority: q.priority, period: q.period };
  const prot = isProtectedReader(user);

  const codes = [territory, ...rows.map((r) => r.code)];
  const load = (territories: string[], dim: PivotDim | 'all') =>
    repo.cellsOf(db, { ...cut, territories, dims: dim === 'all' ? 'all' : [dim] });
  const cells = (await load(codes, q.by)).map((r) => toViewCell({ ...r, priority: undefined }));
  let status: (c: ViewCell) => Status = () => null;
  if (prot) {
    const protection = await campaignProtection(db, campaign.territory_code, cut, rules);
    const filtered = q.priority !== '*' || q.period !== '*';
    status = (c) => {
      const s = protection.get(cellId(c.territory, c.dim, c.value)) ?? null;
      return s && filtered ? filteredReason(c, rules) : s;
    };
    // A filtered view shows the hidden cells it has no firm in as hidden too: zero would tell.
    const shown = new Set(cells.map((c) => cellId(c.territory, c.dim, c.value)));
    const wanted = new Set(codes);
    for (const id of protection.keys()) {
      const [code, d, v] = id.split('|') as [string, string, string | undefined];
      const [dim, value] = v === undefined ? ['total', '*'] : [d, v];
      if (shown.has(id) || !wanted.has(code) || (dim !== 'total' && dim !== q.by)) continue;
      cells.push({ territory: code, dim, value, firms: 0, workers: 0, maxFirmWorkers: 0 });
    }
  }
  const values = orderValues(q.by, [
    ...new Set(cells.filter((c) => c.dim === q.by).map((c) => c.value)),
  ]);
  return {
    campaign,
    territory,
    path,
    rows,
    values,
    cells: cells.map((c) => publish(c, status(c))),
    protected: prot,
    rules,
  };
}

/** The columns of a pivot: size classes from micro to large, every other dim by its code. */
function orderValues(dim: string, values: string[]): string[] {
  if (dim !== 'size') return values.sort();
  const rank = (v: string) => SIZE_CLASSES.indexOf(v as (typeof SIZE_CLASSES)[number]);
  return values.sort((a, b) => rank(a) - rank(b));
}

function publish(c: ViewCell, status: Status): PublishedCell {
  const value = c.dim === 'total' ? '*' : c.value;
  if (status) return { territory: c.territory, value, suppressed: true, reason: status };
  return { territory: c.territory, value, firms: c.firms, workers: c.workers, suppressed: false };
}
