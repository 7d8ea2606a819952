import type { Executor } from '../../db';
import { TERRITORY_LEVELS, type TerritoryLevel } from '../../db/database';
import type { SessionUser } from '../../http/types';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { NotFoundError } from '../../lib/domain-error';
import { foldNeeds } from '../needs/aggregate';
import { needsPublishedTo, readsOpenSurveys } from '../needs/publication';
import * as needsRepo from '../needs/needs.repository';
import * as repo from './dashboard.repository';
import { compareRegions, type RegionFigures } from './dashboard.regions';
import {
  figuresOf,
  needStatus,
  seriesOf,
  type DashboardFigures,
  type FigureContext,
  type SeriesPoint,
} from './dashboard.figures';

/**
 * Who reads, as the dashboard sees it. A region reads its own territory unprotected; a local
 * authority or a social partner reads its territory protected, as on /needs; anyone else (the
 * public, a firm, an operator) reads any one region at a time, protected.
 */
export interface Reader {
  protected: boolean;
  /** The territory the reader is confined to; null = every region, one at a time. */
  scope: string | null;
  /** Reads the needs of a survey still open (the institutions: needs/publication.ts). */
  openSurveys: boolean;
}

export function readerOf(user: SessionUser | undefined): Reader {
  const openSurveys = readsOpenSurveys(user);
  if (user?.role === 'region') return { protected: false, scope: user.territoryCode, openSurveys };
  if (user?.role === 'local_authority' || user?.role === 'social_partner')
    return { protected: true, scope: user.territoryCode, openSurveys };
  return { protected: true, scope: null, openSurveys };
}

export interface DashboardQuery {
  campaignId?: string;
  territory?: string;
  period?: string;
}

type Territory = Awaited<ReturnType<typeof needsRepo.descendants>>[number];

export interface Dashboard {
  campaign: needsRepo.CampaignForNeeds;
  campaigns: needsRepo.CampaignForNeeds[];
  territory: string;
  path: Awaited<ReturnType<typeof needsRepo.pathFrom>>;
  level: TerritoryLevel;
  rows: (Territory & { figures: DashboardFigures })[];
  total: DashboardFigures;
  series: SeriesPoint[];
  regions: RegionFigures[];
  periods: string[];
  ctx: FigureContext;
}

/** Where a scoped reader's view of a campaign starts: the deeper of the two territories. */
async function readerTop(db: Executor, scope: string, campaignTerritory: string) {
  if (await needsRepo.isBelow(db, scope, campaignTerritory)) return scope;
  if (await needsRepo.isBelow(db, campaignTerritory, scope)) return campaignTerritory;
  return null;
}

/**
 * The campaigns a reader may open, and where an unscoped reader looks: the territory asked for,
 * else the first region (by name) that has a campaign.
 */
export async function campaignsFor(db: Executor, reader: Reader, territory?: string) {
  const regions = await repo.regionCampaigns(db);
  const place =
    reader.scope ??
    territory ??
    [...regions].sort((a, b) => a.name.localeCompare(b.name))[0]?.territory_code ??
    null;
  return { campaigns: await needsRepo.listCampaignsOverlapping(db, place), regions };
}

/** The whole dashboard of one view; null when no campaign is open to the reader. */
export async function dashboard(
  db: Executor,
  user: SessionUser | undefined,
  q: DashboardQuery,
): Promise<Dashboard | null> {
  const reader = readerOf(user);
  const { campaigns, regions } = await campaignsFor(db, reader, q.territory);
  const campaign = q.campaignId
    ? campaigns.find((c) => c.id === q.campaignId)
    : needsRepo.preferredCampaign(campaigns, reader);
  if (!campaign) {
    if (q.campaignId) throw new NotFoundError();
    return null;
  }
  // Every answer committed before this view counts in it.
  await foldNeeds(db, campaign.id);
  const top = reader.scope
    ? await readerTop(db, reader.scope, campaign.territory_code)
    : campaign.territory_code;
  if (!top) throw new NotFoundError();
  let territory = q.territory ?? top;
  if (!(await needsRepo.isBelow(db, territory, top))) {
    // Out of a scoped reader's territory is simply not found; the public just sees the campaign.
    if (reader.scope) throw new NotFoundError();
    territory = top;
  }
  const path = await needsRepo.pathFrom(db, top, territory);
  const level = path.at(-1)!.level as TerritoryLevel;
  const children = await needsRepo.descendants(db, territory, 1);
  const ctx: FigureContext = {
    campaignId: campaign.id,
    root: campaign.territory_code,
    period: q.period ?? null,
    protected: reader.protected,
    withheld: !needsPublishedTo(reader, campaign),
    rules: { ...DEFAULT_RULES, k: campaign.disclosure_k },
  };
  // Solve (or find) the campaign's protection once, before the parts below read it together.
  if (ctx.protected && !ctx.withheld) await needStatus(db, ctx, null);
  const [figures, series, compared, periods] = await Promise.all([
    figuresOf(db, ctx, [territory, ...children.map((c) => c.code)]),
    seriesOf(db, ctx, territory),
    compareRegions(db, reader, regions, campaign),
    repo.periodsOf(db, campaign.id, { needs: !ctx.withheld }),
  ]);
  return {
    campaign,
    campaigns,
    territory,
    path,
    level,
    rows: children.map((c) => ({ ...c, figures: figures.get(c.code)! })),
    total: figures.get(territory)!,
    series,
    regions: compared,
    periods,
    ctx,
  };
}

/** The NUTS-3 areas at or below the view with their figures, for the map; null below NUTS-3. */
export async function nuts3Figures(db: Executor, d: Dashboard) {
  const depth = TERRITORY_LEVELS.indexOf('NUTS3') - TERRITORY_LEVELS.indexOf(d.level);
  if (depth <= 0) return null;
  if (depth === 1) return d.rows;
  const areas = await needsRepo.descendants(db, d.territory, depth);
  const figures = await figuresOf(
    db,
    d.ctx,
    areas.map((a) => a.code),
  );
  return areas.map((a) => ({ ...a, figures: figures.get(a.code)! }));
}
