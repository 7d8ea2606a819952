import type { Db, Executor } from '../../db';
import {
  actingFirm,
  holdDelegation,
  recordAct,
  type Delegation,
} from '../delegations/delegations.service';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import type { FirmProfileInput } from '../firms/firms.schemas';
import {
  asVatTaken,
  ensureFirmRow,
  saveFirmProfile,
  type FirmProfile,
} from '../firms/firms.service';
import { findFirm } from '../firms/firms.repository';
import { territoryPath } from '../reference/territories.repository';
import { plannableQuarters, romeToday } from './calendar';
import { CampaignNotAcceptingError, getCampaignForFirm, type Campaign } from './campaigns.service';
import { checkNeedLines, type NeedContext } from './need-rules';
import { zodProblems, type Problem } from './problems';
import {
  indexedList,
  isBlankLine,
  NEED_FORM_ORDER,
  needLineSchema,
  needsSchema,
  readinessSchema,
  type DraftPayload,
  type NeedLine,
  type ReadinessInput,
} from './questionnaire.schemas';
import * as repo from './responses.repository';

export const STEP = { profile: 1, readiness: 2, needs: 3, review: 4 } as const;

/** The steps of a campaign's questionnaire: the readiness step only when the campaign asks. */
/** The draft's payload with the readiness and/or need lines an API call sent in place of its own. */
export function withAnswers(
  payload: DraftPayload,
  answers: Pick<DraftPayload, 'readiness' | 'needs'> | undefined,
): DraftPayload {
  return {
    ...payload,
    ...(answers?.readiness ? { readiness: answers.readiness } : {}),
    ...(answers?.needs ? { needs: answers.needs } : {}),
  };
}

export function stepsOf(campaign: Pick<Campaign, 'readiness'>): number[] {
  return campaign.readiness ? [1, 2, 3, 4] : [1, 3, 4];
}

export function stepAfter(campaign: Pick<Campaign, 'readiness'>, step: number): number {
  const steps = stepsOf(campaign);
  return steps[Math.min(steps.indexOf(step) + 1, steps.length - 1)]!;
}

export function stepBefore(campaign: Pick<Campaign, 'readiness'>, step: number): number {
  const steps = stepsOf(campaign);
  return steps[Math.max(steps.indexOf(step) - 1, 0)]!;
}

/** Another window saved the draft after this form was drawn: nothing was written. */
export class StaleDraftError extends DomainError {
  constructor(readonly current: repo.DraftRow) {
    super('survey.errors.stale', { field: 'version', status: 409 });
  }
}

/** A submitted answer is changed by amending it, never by saving over it. */
export class AlreadySubmittedError extends DomainError {
  constructor() {
    super('survey.errors.alreadySubmitted', { status: 409 });
  }
}

export interface Questionnaire {
  firm: FirmProfile;
  campaign: Campaign;
  draft: repo.DraftRow;
  /** Set when an association fills the questionnaire in on the firm's behalf. */
  delegation: Delegation | null;
}

/** The firm's questionnaire for a campaign it may answer today; the draft is created on first use. */
export async function openQuestionnaire(
  db: Executor,
  user: SessionUser,
  campaignId: string,
  options: { create?: boolean; firmId?: string } = {},
): Promise<Questionnaire> {
  const { firm, campaign, delegation } = await firmCampaign(db, user, campaignId, options.firmId);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  let draft = await repo.findDraft(db, campaign.id, firm.organisationId);
  if (!draft) {
    // Only opening the questionnaire (a GET) starts a draft; a form posted without one is refused.
    if (options.create === false) throw new NotFoundError();
    await ensureFirmRow(db, firm);
    await repo.insertDraftIfMissing(db, campaign.id, firm.organisationId, user.id);
    draft = (await repo.findDraft(db, campaign.id, firm.organisationId))!;
  }
  return { firm, campaign, draft, delegation };
}

/**
 * The firm acted for (the user's own, or one that delegated the user's association) and a
 * campaign covering it (404 otherwise), whatever the campaign's state.
 */
export async function firmCampaign(
  db: Executor,
  user: SessionUser,
  campaignId: string,
  firmId?: string,
) {
  const { firm, delegation } = await actingFirm(db, user, firmId);
  const campaign = await getCampaignForFirm(
    db,
    firm.territoryCode ?? (delegation ? '' : user.territoryCode),
    campaignId,
  );
  return { firm, campaign, delegation };
}

/** What need lines are checked against, and the choices the form offers. */
export async function needContext(
  db: Executor,
  campaign: Campaign,
  employees: number,
): Promise<NeedContext & { skillRows: Awaited<ReturnType<typeof repo.skillsOfAreas>> }> {
  const [skillRows, occupations] = await Promise.all([
    repo.skillsOfAreas(db, campaign.areas),
    repo.subMajorOccupations(db),
  ]);
  return {
    skillRows,
    skills: new Map(skillRows.map((s) => [s.code, s.area_code])),
    occupations: new Set(occupations.map((o) => o.code)),
    employees,
    quarters: plannableQuarters(romeToday()),
  };
}

/** Lines as the user left them, without the blank rows the form offers. */
export function compactNeeds(raw: unknown): Record<string, unknown>[] {
  return indexedList(raw).filter(
    (l): l is Record<string, unknown> => typeof l === 'object' && l !== null && !isBlankLine(l),
  );
}

export interface CheckedDraft {
  problems: Problem[];
  readiness?: ReadinessInput;
  needs: NeedLine[];
}

/** Every rule a submission must pass, step by step; used by the review page and by submit. */
export function checkDraft(
  campaign: Campaign,
  firm: FirmProfile,
  payload: DraftPayload,
  ctx: NeedContext | null,
): CheckedDraft {
  const problems: Problem[] = [];
  if (!firm.complete)
    problems.push({ step: STEP.profile, field: '_form', key: 'survey.errors.profileIncomplete' });
  let readiness: ReadinessInput | undefined;
  if (campaign.readiness) {
    const r = readinessSchema.safeParse(payload.readiness ?? {});
    if (r.success) readiness = r.data;
    else problems.push(...zodProblems(r.error, STEP.readiness));
  }
  const { problems: needProblems, needs } = checkNeeds(payload.needs, ctx);
  return { problems: [...problems, ...needProblems], readiness, needs };
}

/**
 * The need lines as the user left them, checked in one round: each line's fields against the
 * schema, then the rules across lines over every field that reads (without a context, the schema
 * alone). Problems come in the form's order, line by line; the lines only when all of them read.
 */
export function checkNeeds(
  raw: unknown,
  ctx: NeedContext | null,
): { problems: Problem[]; needs: NeedLine[] } {
  const lines = compactNeeds(raw);
  const rules = (ls: Partial<NeedLine>[]) =>
    ctx ? checkNeedLines(ls, ctx).map((e) => ({ ...e, step: STEP.needs })) : [];
  const parsed = needsSchema.safeParse({ needs: lines });
  if (parsed.success) return { problems: rules(parsed.data.needs), needs: parsed.data.needs };
  const readable = lines.map((line) =>
    Object.fromEntries(
      NEED_FORM_ORDER.flatMap((f) => {
        const r = needLineSchema.shape[f].safeParse(line[f]);
        return r.success ? [[f, r.data]] : [];
      }),
    ),
  );
  const problems = [...zodProblems(parsed.error, STEP.needs), ...rules(readable)];
  const place = (p: Problem) => {
    const m = /^needs\.(\d+)\.(\w+)$/.exec(p.field);
    return m ? Number(m[1]) * 100 + NEED_FORM_ORDER.indexOf(m[2] as 'skill') : -1;
  };
  return { problems: problems.sort((a, b) => place(a) - place(b)), needs: [] };
}

/** Saves one step's raw values (and the step reached) if the form is not stale. */
export async function saveDraft(
  db: Executor,
  user: SessionUser,
  q: Questionnaire,
  version: number,
  changes: { payload?: DraftPayload; step?: number },
): Promise<repo.DraftRow> {
  // Under a delegation the save, its check and its audit line commit together.
  if (q.delegation && !db.isTransaction)
    return (db as Db).transaction().execute((tx) => saveDraft(tx, user, q, version, changes));
  const delegation = await holdDelegation(db, q, user);
  const saved = await writeDraft(db, user, q, version, changes);
  await recordAct(db, delegation, 'draft_saved', user, { campaignId: q.campaign.id });
  return saved;
}

async function writeDraft(
  db: Executor,
  user: SessionUser,
  q: Questionnaire,
  version: number,
  changes: { payload?: DraftPayload; step?: number },
): Promise<repo.DraftRow> {
  const key = { campaignId: q.campaign.id, firmId: q.firm.organisationId };
  const saved = await repo.updateDraft(db, key, version, {
    payload: changes.payload as Record<string, unknown> | undefined,
    step: changes.step,
    onlyWhileEditing: true,
    userId: user.id,
  });
  if (saved) return saved;
  const current = (await repo.findDraft(db, key.campaignId, key.firmId))!;
  if (current.state === 'submitted') throw new AlreadySubmittedError();
  throw new StaleDraftError(current);
}

/**
 * Whether the draft `current` (met by a step 1 post made at `version`) and the firm's profile are
 * as `user`'s save of `input` at `version` left them, one version on: the double click of
 * 'Avanti' whose first answer the browser dropped. It lands like the first instead of 'changed
 * in another window'; a post saying anything else than what is stored is still refused so.
 */
export async function profileStepJustSaved(
  db: Executor,
  user: SessionUser,
  q: Questionnaire,
  version: number,
  input: FirmProfileInput,
  current: repo.DraftRow,
): Promise<boolean> {
  if (
    current.state !== 'editing' ||
    current.version !== version + 1 ||
    current.updated_by !== user.id ||
    current.step < stepAfter(q.campaign, STEP.profile) ||
    (current.payload as DraftPayload).profile
  )
    return false;
  const firm = await findFirm(db, q.firm.organisationId);
  return (
    !!firm &&
    firm.updated_by === user.id &&
    firm.legal_name === input.legalName &&
    firm.vat_number === input.vatNumber &&
    firm.nace_division === input.naceDivision &&
    firm.employees === input.employees &&
    firm.territory_code === input.territoryCode &&
    firm.contact_name === input.contactName &&
    firm.contact_email === input.contactEmail &&
    firm.contact_phone === (input.contactPhone || null)
  );
}

/** Step 1: the firm profile and the draft's progress, together or not at all. */
export async function saveProfileStep(
  db: Db,
  user: SessionUser,
  q: Questionnaire,
  version: number,
  input: FirmProfileInput,
): Promise<repo.DraftRow> {
  try {
    return await db.transaction().execute(async (tx) => {
      const draft = await repo.lockDraft(tx, q.campaign.id, q.firm.organisationId);
      if (!draft) throw new AlreadySubmittedError();
      if (draft.state !== 'editing') throw new AlreadySubmittedError();
      if (draft.version !== version) throw new StaleDraftError(draft);
      await holdDelegation(tx, q, user);
      // A comune outside the survey (a slip in the list) would take the survey away from the
      // firm mid-answer: refused here; a firm that really moved changes its profile page.
      const path = await territoryPath(tx, input.territoryCode);
      if (!path.some((t) => t.code === q.campaign.territoryCode))
        throw new DomainError('survey.errors.comuneOutside', {
          field: 'territoryCode',
          status: 422,
        });
      await saveFirmProfile(tx, user, input, q.firm.organisationId);
      const step = Math.max(draft.step, stepAfter(q.campaign, STEP.profile));
      // The profile now lives in the firm's row; an unfinished one saved for later is done with.
      const { profile, ...payload } = draft.payload as DraftPayload;
      return saveDraft(tx, user, q, version, { step, payload: profile ? payload : undefined });
    });
  } catch (err) {
    throw asVatTaken(err);
  }
}
