import type { Executor } from '../../db';
import { DEFAULT_RULES, primaryReason } from '../../lib/disclosure';
import { campaignProtection } from '../needs/campaign-protection';
import * as needsRepo from '../needs/needs.repository';
import { cellId } from '../needs/protection';
import { needsPublishedTo } from '../needs/publication';
import type { Published } from './dashboard.figures';
import type * as repo from './dashboard.repository';
import type { Reader } from './dashboard.service';
import { campaignSummaries } from './dashboard.summary';

export interface RegionFigures {
  territory: string;
  name: string;
  names: Record<string, string>;
  campaignId: string;
  protected: boolean;
  firms: number;
  meanReadiness: Published;
  needsPerThousandEmployees: Published;
}

const perThousand = (workers: number, employees: number) =>
  Math.round((workers / employees) * 10000) / 10;

/**
 * The 40Ready comparison: every NUTS-1/NUTS-2 territory with a campaign (its latest one, or the
 * one on screen). A region reads its own unprotected and the others as everyone does: the
 * regional total of needs with its status in the campaign's pattern, and a mean readiness score
 * of fewer than k firms withheld.
 */
export async function compareRegions(
  db: Executor,
  reader: Reader,
  regions: repo.RegionCampaign[],
  current: needsRepo.CampaignForNeeds,
): Promise<RegionFigures[]> {
  const chosen = regions.map((r) =>
    r.territory_code === current.territory_code
      ? { ...r, id: current.id, disclosure_k: current.disclosure_k, closed: current.closed }
      : r,
  );
  const summaries = await campaignSummaries(
    db,
    chosen.map((r) => r.id),
  );
  const out: RegionFigures[] = [];
  for (const r of chosen) {
    const s = summaries.get(r.id);
    const open =
      !reader.protected &&
      reader.scope !== null &&
      (await needsRepo.isBelow(db, r.territory_code, reader.scope));
    const rules = { ...DEFAULT_RULES, k: r.disclosure_k };
    // An open survey's needs and scores wait for its close outside the institutions.
    const withheld = !needsPublishedTo(reader, r);
    const needReason = withheld
      ? 'unpublished'
      : open
        ? null
        : ((
            await campaignProtection(
              db,
              r.territory_code,
              { campaignId: r.id, priority: '*', period: '*' },
              rules,
            )
          ).get(cellId(r.territory_code, 'total', '*')) ?? null);
    const scored = s?.scored ?? 0;
    const readinessReason = withheld
      ? 'unpublished'
      : open
        ? null
        : primaryReason({ id: r.id, firms: scored, workers: 0, maxFirmWorkers: 0 }, rules);
    const employees = s?.employees ?? 0;
    out.push({
      territory: r.territory_code,
      name: r.name,
      names: r.names,
      campaignId: r.id,
      protected: !open,
      firms: s?.firms ?? 0,
      meanReadiness: readinessReason
        ? { suppressed: true, reason: readinessReason }
        : s?.meanReadiness !== null && s?.meanReadiness !== undefined
          ? { value: Math.round(s.meanReadiness * 10) / 10, suppressed: false }
          : { suppressed: false },
      needsPerThousandEmployees: needReason
        ? { suppressed: true, reason: needReason }
        : employees > 0
          ? { value: perThousand(Number(s?.workers ?? 0), employees), suppressed: false }
          : { suppressed: false },
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
