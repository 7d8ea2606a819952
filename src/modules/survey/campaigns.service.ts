import type { Db, Executor } from '../../db';
import { isForeignKeyViolation } from '../../db/errors';
import { createOnce, forgetForms } from '../../http/form-key';
import type { SessionUser } from '../../http/types';
import { invalidInput } from '../../http/validate';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { checkExtension } from '../../lib/extension';
import { assertInScope, inScope, scopeCodes } from '../accounts/scope';
import { findCurrentTerritory, territoryPath } from '../reference/territories.repository';
import { effectiveState, romeToday, type CampaignState } from './calendar';
import { notify } from '../notifications/notify';
import * as repo from './campaigns.repository';
import { campaignSchema, type CampaignInput, type CampaignPatch } from './campaigns.schemas';

export interface Campaign {
  id: string;
  organisationId: string;
  title: string;
  territoryCode: string;
  opensAt: string;
  closesAt: string;
  /** The closing day first published, when the region has since extended it. */
  firstClosesAt: string | null;
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
    firstClosesAt: row.first_closes_at,
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

export interface CampaignProblem {
  field: string;
  key: string;
}

/**
 * Every check a campaign's fields fail against the database, each on its field, so the form
 * shows them all at once. A field missing from `input` (the form refused it already) is skipped.
 */
export async function campaignProblems(
  db: Executor,
  user: SessionUser,
  input: Partial<CampaignInput>,
): Promise<CampaignProblem[]> {
  const problems: CampaignProblem[] = [];
  if (input.territoryCode) {
    const territory = await findCurrentTerritory(db, input.territoryCode);
    if (!territory || !(await inScope(db, user, territory.code)))
      problems.push({ field: 'territoryCode', key: 'campaigns.errors.outOfScope' });
  }
  if (input.closesAt && input.closesAt < romeToday())
    problems.push({ field: 'closesAt', key: 'campaigns.errors.closesInPast' });
  const areas = [...new Set(input.skillAreas ?? [])];
  if (areas.length && (await repo.findSkillAreas(db, areas)).length !== areas.length)
    problems.push({ field: 'skillAreas', key: 'campaigns.errors.unknownArea' });
  return problems;
}

/** Every broken rule as one 422 naming each field (the API lists them all). */
function refuse(problems: CampaignProblem[]) {
  if (problems.length)
    throw new DomainError(problems[0]!.key, {
      field: problems[0]!.field,
      status: 422,
      details: problems,
    });
}

/** The checks a campaign's fields pass against the database, for a new one or an edited draft. */
async function checkCampaign(db: Executor, user: SessionUser, input: CampaignInput) {
  refuse(await campaignProblems(db, user, input));
  return { territoryCode: input.territoryCode, areas: [...new Set(input.skillAreas)] };
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

/** A draft survey; a form posted twice (`formKey`, see http/form-key) makes one. */
export async function createCampaign(
  db: Db,
  user: SessionUser,
  input: CampaignInput,
  formKey?: string,
) {
  const { territoryCode, areas } = await checkCampaign(db, user, input);
  return db.transaction().execute((tx) =>
    createOnce(tx, user.id, formKey, async () => {
      const { id } = await repo.insertCampaign(tx, {
        organisation_id: user.organisationId,
        ...formColumns(input, territoryCode),
        created_by: user.id,
      });
      await repo.insertCampaignAreas(tx, id, areas);
      return id;
    }),
  );
}

/**
 * Rewrites a draft (nobody has seen it yet, so nothing is lost): the row is locked, so an edit
 * and an opening take turns. Its territory stays once a funding call or a pact names it. An API
 * patch is laid over the locked row: two patches of different fields both count.
 */
export async function updateDraftCampaign(
  db: Db,
  user: SessionUser,
  id: string,
  change: CampaignInput | ((row: repo.CampaignRow) => CampaignInput),
) {
  await db.transaction().execute(async (tx) => {
    const row = await repo.lockCampaign(tx, id);
    if (!row) throw new NotFoundError();
    await assertInScope(tx, user, row.territory_code);
    if (row.status !== 'draft') throw new DomainError('campaigns.errors.notDraft', { status: 409 });
    const input = typeof change === 'function' ? change(row) : change;
    const problems = await campaignProblems(tx, user, input);
    if (
      !problems.some((p) => p.field === 'territoryCode') &&
      input.territoryCode !== row.territory_code &&
      (await repo.isCampaignNamed(tx, id))
    )
      problems.unshift({ field: 'territoryCode', key: 'campaigns.errors.territoryInUse' });
    refuse(problems);
    const territoryCode = input.territoryCode;
    const areas = [...new Set(input.skillAreas)];
    await repo.updateCampaign(tx, id, formColumns(input, territoryCode));
    await tx.deleteFrom('campaign_skill_areas').where('campaign_id', '=', id).execute();
    await repo.insertCampaignAreas(tx, id, areas);
  });
}

/** A stored draft with an API patch over it, checked as a whole new campaign would be. */
export function patchedCampaign(row: repo.CampaignRow, patch: CampaignPatch): CampaignInput {
  const merged = {
    title: patch.title ?? row.title,
    territoryCode: patch.territoryCode ?? row.territory_code,
    opensAt: patch.opensAt ?? row.opens_at,
    closesAt: patch.closesAt ?? row.closes_at,
    skillAreas: patch.skillAreas ?? row.areas,
    readiness: patch.readiness ?? row.readiness,
    ...(patch.disclosureK !== null ? { disclosureK: patch.disclosureK ?? row.disclosure_k } : {}),
  };
  const parsed = campaignSchema.safeParse(merged);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
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
  /** The button's one-time key (http/form-key): its second post finds the step taken. */
  formKey?: string,
): Promise<Campaign> {
  return db.transaction().execute(async (tx) => {
    const row = await repo.lockCampaign(tx, id);
    if (!row) throw new NotFoundError();
    await assertInScope(tx, user, row.territory_code);
    await createOnce(tx, user.id, formKey, async () => {
      if (row.status !== TRANSITIONS[action])
        throw new DomainError(`campaigns.errors.cannot.${action}`, {
          params: { status: row.status },
        });
      if (action === 'open' && row.closes_at < romeToday())
        throw new DomainError('campaigns.errors.closesInPast');
      await repo.setCampaignStatus(tx, id, action === 'open' ? 'open' : 'closed');
      return id;
    });
    return toCampaign((await repo.findCampaign(tx, id))!);
  });
}

/**
 * Extends an open survey's closing day (a "proroga"), also once the day has gone by while nobody
 * closed it (the answers reopen). Only later, never earlier (closing early is closing); the day
 * first published is kept. The firms with an answer begun and not sent are told. The same day
 * asked again (a double click) is done already: `extended: false`, nobody told twice.
 */
export async function extendCampaign(
  db: Db,
  user: SessionUser,
  id: string,
  closesAt: string,
): Promise<{ campaign: Campaign; extended: boolean }> {
  return db.transaction().execute(async (tx) => {
    const row = await repo.lockCampaign(tx, id);
    if (!row) throw new NotFoundError();
    await assertInScope(tx, user, row.territory_code);
    const now = { status: row.status, day: row.closes_at, firstDay: row.first_closes_at };
    const refusal = {
      namespace: 'campaigns',
      field: 'closesAt',
      past: 'campaigns.errors.closesInPast',
    };
    if (!checkExtension(now, closesAt, romeToday(), refusal))
      return { campaign: toCampaign(row), extended: false };
    await tx
      .updateTable('campaigns')
      .set({ closes_at: closesAt, first_closes_at: row.first_closes_at ?? row.closes_at })
      .where('id', '=', id)
      .execute();
    await notify(tx, {
      organisationIds: await repo.firmsWithUnsentDrafts(tx, id),
      kind: 'survey_extended',
      params: { survey: row.title, date: closesAt },
      link: `/survey/${id}`,
    });
    return { campaign: toCampaign((await repo.findCampaign(tx, id))!), extended: true };
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
export async function deleteDraftCampaign(
  db: Db,
  user: SessionUser,
  id: string,
  /** The confirmation's one-time key: its second post (a double click) finds it deleted. */
  formKey?: string,
) {
  try {
    await db.transaction().execute((tx) =>
      createOnce(tx, user.id, formKey, async () => {
        const row = await repo.lockCampaign(tx, id);
        if (!row) throw new NotFoundError();
        await assertInScope(tx, user, row.territory_code);
        if (row.status !== 'draft')
          throw new DomainError('campaigns.errors.deleteNotDraft', { status: 409 });
        if (await repo.isCampaignNamed(tx, id))
          throw new DomainError('campaigns.errors.deleteNamed', { status: 409 });
        await tx.deleteFrom('campaigns').where('id', '=', id).execute();
        // The forms that made it; this deletion's own key is kept after it (createOnce).
        await forgetForms(tx, id);
        return id;
      }),
    );
  } catch (err) {
    if (isForeignKeyViolation(err))
      throw new DomainError('campaigns.errors.deleteNamed', { status: 409 });
    throw err;
  }
}
