import type { Db, Executor } from '../../db';
import { isForeignKeyViolation } from '../../db/errors';
import type { SessionUser } from '../../http/types';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { assertInScope, inScope, scopeCodes } from '../accounts/scope';
import { findCurrentTerritory, territoryPath } from '../reference/territories.repository';
import { effectiveState, romeToday, type CampaignState } from './calendar';
import * as repo from './campaigns.repository';
import type { CampaignInput } from './campaigns.schemas';

export interface Campaign {
  id: string;
  organisationId: string;
  title: string;
  territoryCode: string;
  opensAt: string;
  closesAt: string;
  readiness: boolean;
  /** Fewest firms a cell of its aggregate may hold before it is suppressed (disclosure control). */
  disclosureK: number;
  status: 'draft' | 'open' | 'closed';
  /** When the region closed it (before its last day, or after); null while not closed by hand. */
  closedAt: Date | null;
  /** What the campaign is today: only `open` accepts answers. */
  state: CampaignState;
  areas: string[];
  createdAt: Date;
}

export function toCampaign(row: repo.CampaignRow, today = romeToday()): Campaign {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    title: row.title,
    territoryCode: row.territory_code,
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    readiness: row.readiness,
    disclosureK: row.disclosure_k,
    status: row.status,
    closedAt: row.closed_at,
    state: effectiveState(row, today),
    areas: row.areas,
    createdAt: row.created_at,
  };
}

export class CampaignNotAcceptingError extends DomainError {
  constructor(state: CampaignState) {
    super(`campaigns.errors.notAccepting.${state}`, { status: 409 });
  }
}

/** The checks a campaign's fields pass against the database, for a new one or an edited draft. */
async function checkCampaign(db: Executor, user: SessionUser, input: CampaignInput) {
  const territory = await findCurrentTerritory(db, input.territoryCode);
  if (!territory || !(await inScope(db, user, territory.code)))
    throw new DomainError('campaigns.errors.outOfScope', { field: 'territoryCode', status: 422 });
  if (input.closesAt < romeToday())
    throw new DomainError('campaigns.errors.closesInPast', { field: 'closesAt', status: 422 });
  const areas = [...new Set(input.skillAreas)];
  if ((await repo.findSkillAreas(db, areas)).length !== areas.length)
    throw new DomainError('campaigns.errors.unknownArea', { field: 'skillAreas', status: 422 });
  return { territoryCode: territory.code, areas };
}

/** The columns a survey's form sets, the same on creating and on correcting a draft. */
const formColumns = (input: CampaignInput, territoryCode: string) => ({
  title: input.title,
  territory_code: territoryCode,
  opens_at: input.opensAt,
  closes_at: input.closesAt,
  readiness: input.readiness,
  disclosure_k: input.disclosureK ?? DEFAULT_RULES.k,
});

export async function createCampaign(db: Db, user: SessionUser, input: CampaignInput) {
  const { territoryCode, areas } = await checkCampaign(db, user, input);
  return db.transaction().execute(async (tx) => {
    const { id } = await repo.insertCampaign(tx, {
      organisation_id: user.organisationId,
      ...formColumns(input, territoryCode),
      created_by: user.id,
    });
    await repo.insertCampaignAreas(tx, id, areas);
    return id;
  });
}

/**
 * Rewrites a draft (nobody has seen it yet, so nothing is lost): the row is locked, so an edit
 * and an opening take turns. Its territory stays once a funding call or a pact names it.
 */
export async function updateDraftCampaign(
  db: Db,
  user: SessionUser,
  id: string,
  input: CampaignInput,
) {
  await db.transaction().execute(async (tx) => {
    const row = await repo.lockCampaign(tx, id);
    if (!row) throw new NotFoundError();
    await assertInScope(tx, user, row.territory_code);
    if (row.status !== 'draft') throw new DomainError('campaigns.errors.notDraft', { status: 409 });
    const { territoryCode, areas } = await checkCampaign(tx, user, input);
    if (territoryCode !== row.territory_code && (await repo.isCampaignNamed(tx, id)))
      throw new DomainError('campaigns.errors.territoryInUse', {
        field: 'territoryCode',
        status: 422,
      });
    await repo.updateCampaign(tx, id, formColumns(input, territoryCode));
    await tx.deleteFrom('campaign_skill_areas').where('campaign_id', '=', id).execute();
    await repo.insertCampaignAreas(tx, id, areas);
  });
}

/** A campaign the region user may manage (its territory in the user's scope), else 404. */
export async function getManagedCampaign(db: Executor, user: SessionUser, id: string) {
  const row = await repo.findCampaign(db, id);
  if (!row) throw new NotFoundError();
  await assertInScope(db, user, row.territory_code);
  return toCampaign(row);
}

export async function listManagedCampaigns(db: Executor, user: SessionUser) {
  const today = romeToday();
  return (await repo.listCampaignsWithin(db, scopeCodes(user))).map((r) => toCampaign(r, today));
}

const TRANSITIONS = { open: 'draft', close: 'open' } as const;

/** draft → open, open → closed; the row is locked so two clicks make one transition. */
export async function transitionCampaign(
  db: Db,
  user: SessionUser,
  id: string,
  action: 'open' | 'close',
): Promise<Campaign> {
  return db.transaction().execute(async (tx) => {
    const row = await repo.lockCampaign(tx, id);
    if (!row) throw new NotFoundError();
    await assertInScope(tx, user, row.territory_code);
    if (row.status !== TRANSITIONS[action])
      throw new DomainError(`campaigns.errors.cannot.${action}`, {
        params: { status: row.status },
      });
    if (action === 'open' && row.closes_at < romeToday())
      throw new DomainError('campaigns.errors.closesInPast');
    await repo.setCampaignStatus(tx, id, action === 'open' ? 'open' : 'closed');
    return toCampaign((await repo.findCampaign(tx, id))!);
  });
}

/** The campaigns a firm may see: published, covering the territory of its main site. */
export async function listCampaignsForFirm(db: Executor, firmTerritory: string) {
  const codes = (await territoryPath(db, firmTerritory)).map((t) => t.code);
  const today = romeToday();
  return (await repo.listCampaignsCovering(db, codes)).map((r) => toCampaign(r, today));
}

/** A campaign as a firm sees it: published and covering its territory, else 404. */
export async function getCampaignForFirm(db: Executor, firmTerritory: string, id: string) {
  const row = await repo.findCampaign(db, id);
  if (!row || row.status === 'draft') throw new NotFoundError();
  const codes = (await territoryPath(db, firmTerritory)).map((t) => t.code);
  if (!codes.includes(row.territory_code)) throw new NotFoundError();
  return toCampaign(row);
}

export const campaignCounts = repo.campaignCounts;

/**
 * Deletes a draft survey (one made twice, or by mistake): no firm has seen it. Refused once it
 * is open, or while a funding call or a pact names it.
 */
export async function deleteDraftCampaign(db: Db, user: SessionUser, id: string) {
  try {
    await db.transaction().execute(async (tx) => {
      const row = await repo.lockCampaign(tx, id);
      if (!row) throw new NotFoundError();
      await assertInScope(tx, user, row.territory_code);
      if (row.status !== 'draft')
        throw new DomainError('campaigns.errors.deleteNotDraft', { status: 409 });
      if (await repo.isCampaignNamed(tx, id))
        throw new DomainError('campaigns.errors.deleteNamed', { status: 409 });
      await tx.deleteFrom('campaigns').where('id', '=', id).execute();
    });
  } catch (err) {
    if (isForeignKeyViolation(err))
      throw new DomainError('campaigns.errors.deleteNamed', { status: 409 });
    throw err;
  }
}
