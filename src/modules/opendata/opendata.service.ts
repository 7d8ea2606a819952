import type { Executor } from '../../db';
import { TERRITORY_LEVELS, type TerritoryLevel } from '../../db/database';
import type { SessionUser } from '../../http/types';
import { NotFoundError } from '../../lib/domain-error';
import * as needsRepo from '../needs/needs.repository';
import { needsAggregate } from '../needs/needs.service';
import { needsPublishedTo } from '../needs/publication';
import { localName } from '../reference/territories.repository';
import { COLUMNS, type Dataset, type OpenRecord } from './dictionary';
import { fundedPacts } from './opendata.repository';

export const LICENCE = {
  name: 'CC BY 4.0',
  title: 'Creative Commons Attribution 4.0 International',
  url: 'https://creativecommons.org/licenses/by/4.0/',
} as const;

export interface OpenDataset {
  dataset: Dataset;
  campaign: { id: string; title: string; territory_code: string };
  licence: typeof LICENCE;
  /** The disclosure threshold the needs were protected with (needs only). */
  k?: number;
  /**
   * Needs only: false while the survey is open, when no record is published (see
   * needs/publication.ts); they are published once it closes, on `closesAt` at the latest.
   */
  published?: boolean;
  closesAt?: string;
  columns: string[];
  records: OpenRecord[];
}

/** Every published campaign (not drafts), newest first: what the public may pick. */
export function publicCampaigns(db: Executor) {
  return needsRepo.listCampaignsOverlapping(db, null);
}

async function publishedCampaign(db: Executor, id: string) {
  const campaign = (await publicCampaigns(db)).find((c) => c.id === id);
  if (!campaign) throw new NotFoundError();
  return campaign;
}

/**
 * The public reads the needs exactly as a local authority of the campaign's whole territory
 * does: through needsAggregate, so the same cached protection pattern (threshold, dominance,
 * secondary suppression) applies and no second implementation can drift from it.
 */
const publicReader = (territoryCode: string): SessionUser => ({
  id: 'public',
  email: '',
  fullName: '',
  role: 'local_authority',
  partnerType: null,
  organisationId: 'public',
  organisationName: '',
  territoryCode,
});

async function needsRecords(db: Executor, campaignId: string, lang: string) {
  const campaign = await publishedCampaign(db, campaignId);
  // The public reads a survey's needs once it has closed: not one cell before (not even which
  // territories and areas have any), so that no two readings differ by one firm's answer.
  if (!needsPublishedTo(undefined, campaign))
    return { campaign, records: [], k: campaign.disclosure_k, published: false };
  const reader = publicReader(campaign.territory_code);
  const names = new Map<string, { name: string; level: string }>();
  const cells = new Map<string, OpenRecord>();
  const areas = await needsRepo.valueLabels(db, 'area');
  // One table per level below the campaign's territory (the territory's own row in each). Not
  // in a transaction of ours: campaignProtection reads the cells and its cached pattern in one
  // snapshot of its own, which an outer read-committed transaction would break.
  const read = async (level?: TerritoryLevel) => {
    const a = await needsAggregate(db, reader, {
      campaignId,
      by: 'area',
      priority: '*',
      period: '*',
      level,
    });
    // Defence in depth: an unprotected aggregate must never reach the public.
    if (!a.protected) throw new Error('open data read an unprotected aggregate');
    for (const t of [...a.path, ...a.rows])
      names.set(t.code, { name: localName(t, lang), level: t.level });
    for (const c of a.cells) {
      const area = areas.get(c.value);
      cells.set(`${c.territory}|${c.value}`, {
        campaign_id: campaign.id,
        territory_code: c.territory,
        territory_name: names.get(c.territory)?.name ?? c.territory,
        territory_level: names.get(c.territory)?.level ?? null,
        skill_area_code: c.value,
        skill_area_name: c.value === '*' ? null : area ? localName(area, lang) : null,
        firms: c.suppressed ? null : (c.firms ?? null),
        workers: c.suppressed ? null : (c.workers ?? null),
        suppressed: c.suppressed,
        suppression_reason: c.reason ?? null,
      });
    }
    return a;
  };
  const top = await read();
  const own = TERRITORY_LEVELS.indexOf(top.path.at(-1)!.level as TerritoryLevel);
  for (const level of TERRITORY_LEVELS.slice(own + 2)) await read(level);
  const k = top.rules.k;
  const depth = (r: OpenRecord) => TERRITORY_LEVELS.indexOf(r.territory_level as never);
  const records = [...cells.values()].sort(
    (x, y) =>
      depth(x) - depth(y) ||
      String(x.territory_code).localeCompare(String(y.territory_code)) ||
      Number(y.skill_area_code === '*') - Number(x.skill_area_code === '*') ||
      String(x.skill_area_code).localeCompare(String(y.skill_area_code)),
  );
  return { campaign, records, k, published: true };
}

const romeDate = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(d);

async function pactsRecords(db: Executor, campaignId: string, lang: string) {
  const campaign = await publishedCampaign(db, campaignId);
  const rows = await fundedPacts(db, campaign.id);
  const records: OpenRecord[] = rows.map((p) => ({
    campaign_id: campaign.id,
    pact_id: p.id,
    status: p.status,
    territory_code: p.territory_code,
    territory_name: localName({ name: p.territory_name, names: p.territory_names }, lang),
    promoter: p.promoter,
    title: p.title,
    call_id: p.call_id,
    call_title: p.call_title,
    approved_eur: p.approved_cents === null ? null : p.approved_cents / 100,
    actions: p.actions,
    participants: p.participants,
    decided_on: p.decided_at ? romeDate(p.decided_at) : null,
    spent_eur: Number(p.spent_cents) / 100,
    spent_up_to: p.spent_up_to,
  }));
  return { campaign, records };
}

/**
 * One open dataset of a published campaign, as the files and the API publish it. Funded pacts
 * are read from the replica (`readDb`, the primary when there is none); the protected needs from
 * the primary, because solving a campaign's suppression pattern writes it to its cache.
 */
export async function openDataset(
  dbs: { db: Executor; readDb: Executor },
  dataset: Dataset,
  campaignId: string,
  lang: string,
): Promise<OpenDataset> {
  const r =
    dataset === 'needs'
      ? await needsRecords(dbs.db, campaignId, lang)
      : {
          ...(await pactsRecords(dbs.readDb, campaignId, lang)),
          k: undefined,
          published: undefined,
        };
  return {
    dataset,
    campaign: {
      id: r.campaign.id,
      title: r.campaign.title,
      territory_code: r.campaign.territory_code,
    },
    licence: LICENCE,
    ...(r.k === undefined ? {} : { k: r.k }),
    ...(r.published === undefined
      ? {}
      : { published: r.published, closesAt: r.campaign.closes_at }),
    columns: COLUMNS[dataset].map((c) => c.name),
    records: r.records,
  };
}
