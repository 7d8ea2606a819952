import type { Executor } from '../../db';
import { localName } from '../reference/territories.repository';
import { regionCampaigns } from '../dashboard/dashboard.repository';
import { dashboard, type Dashboard } from '../dashboard/dashboard.service';
import { dashboardTable } from '../dashboard/dashboard.view';

/** How long the landing page's figures are reused before they are read again. */
const TTL_MS = 60_000;
/** Regions shown on the landing page at most (by name); the dashboard has every one. */
const MAX_REGIONS = 12;

/**
 * The public figures on the landing page: for each region with a survey, what the public
 * dashboard shows for it (its newest survey whose needs are published, protected as there),
 * reduced to the region's total. Read at most once a minute per process: the landing page is
 * the busiest public page, and a closed survey's figures change only as pacts are funded.
 */
export function landingFigures(db: Executor) {
  let cached: { at: number; views: Dashboard[] } | null = null;

  async function views(): Promise<Dashboard[]> {
    if (cached && Date.now() - cached.at < TTL_MS) return cached.views;
    const regions = (await regionCampaigns(db))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, MAX_REGIONS);
    const out: Dashboard[] = [];
    for (const r of regions) {
      const d = await dashboard(db, undefined, { territory: r.territory_code });
      if (d && !d.ctx.withheld) out.push(d);
    }
    cached = { at: Date.now(), views: out };
    return out;
  }

  return async (lang: string) =>
    (await views())
      .map((d) => {
        const { total } = dashboardTable(d, lang, { needs: false, pacts: false });
        const region = d.path.at(-1)!;
        return {
          region: localName(region, lang),
          survey: d.campaign.title,
          cells: total.cells,
          href: `/dashboard?${new URLSearchParams({ campaign: d.campaign.id, territory: region.code }).toString()}`,
        };
      })
      .sort((a, b) => a.region.localeCompare(b.region, lang));
}
