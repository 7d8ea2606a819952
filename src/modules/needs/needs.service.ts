import type { Executor } from '../../db';
import { TERRITORY_LEVELS, type TerritoryLevel } from '../../db/database';
import type { SessionUser } from '../../http/types';
import { DEFAULT_RULES, type DisclosureRules, type SuppressionReason } from '../../lib/disclosure';
import { NotFoundError } from '../../lib/domain-error';
import * as repo from './needs.repository';
import { cellId, protectTree, type PivotDim, type Status, type ViewCell } from './protection';

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
  const top = await readerTop(db, user, campaign);
  if (!top) throw new NotFoundError();
  const territory = q.territory ?? top;
  // Out of the reader's scope is simply not found.
  if (!(await repo.isBelow(db, territory, top))) throw new NotFoundError();
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
  const cells = (await load(codes, q.by)).map(toViewCell);
  const values = [...new Set(cells.filter((c) => c.dim === q.by).map((c) => c.value))].sort();

  let status: (c: ViewCell) => Status = () => null;
  if (prot) {
    const protection = await campaignProtection(db, campaign.territory_code, cut, rules);
    status = (c) => protection.get(cellId(c.territory, c.dim, c.value)) ?? null;
  }
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

function toViewCell(r: repo.CellRow): ViewCell {
  return {
    territory: r.territory_code,
    dim: r.dim,
    value: r.value,
    firms: r.firms,
    workers: Number(r.workers),
    maxFirmWorkers: r.max_firm_workers,
  };
}

function publish(c: ViewCell, status: Status): PublishedCell {
  const value = c.dim === 'total' ? '*' : c.value;
  if (status) return { territory: c.territory, value, suppressed: true, reason: status };
  return { territory: c.territory, value, firms: c.firms, workers: c.workers, suppressed: false };
}

/**
 * The protection pattern of the whole campaign under one cut: every reader (and every page,
 * export and API call) sees the same status for the same cell. Reads the maintained cells of the
 * campaign's subtree only.
 */
async function campaignProtection(
  db: Executor,
  root: string,
  cut: { campaignId: string; priority: string; period: string },
  rules: DisclosureRules,
): Promise<Map<string, Status>> {
  const tree = await repo.subtree(db, root);
  const childrenOf = new Map<string, string[]>();
  for (const t of tree) {
    const list = childrenOf.get(t.parent_code) ?? [];
    list.push(t.code);
    childrenOf.set(t.parent_code, list);
  }
  const cells = await repo.cellsOf(db, {
    ...cut,
    territories: [root, ...tree.map((t) => t.code)],
    dims: 'all',
  });
  return protectTree({ root, childrenOf, cells: cells.map(toViewCell), rules }).status;
}
