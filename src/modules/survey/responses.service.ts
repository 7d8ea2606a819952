import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db, Executor } from '../../db';
import type { SessionUser } from '../../http/types';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { sizeClass, toFirmProfile } from '../firms/firms.service';
import {
  type Acting,
  actingFirm,
  actingFirmId,
  holdDelegationOf,
  recordAct,
} from '../delegations/delegations.service';
import { plannableQuarters, romeToday } from './calendar';
import { CampaignNotAcceptingError, listCampaignsForFirm, toCampaign } from './campaigns.service';
import { lockCampaignShared } from './campaigns.repository';
import {
  AlreadySubmittedError,
  checkDraft,
  firmCampaign,
  StaleDraftError,
  STEP,
  withAnswers,
} from './drafts.service';
import type { Problem } from './problems';
import type { DraftPayload } from './questionnaire.schemas';
import { answerColumns, needLineRows } from './version-rows';
import * as repo from './responses.repository';
import { applyResponseChange } from '../needs/aggregate';

/**
 * The draft breaks a rule; `problems` lists every one, step by step. Their fields are named as
 * the API's body names them (a readiness answer under `readiness.`).
 */
export class DraftInvalidError extends DomainError {
  constructor(readonly problems: Problem[]) {
    const first = problems[0]!;
    const field = (p: Problem) =>
      p.step === STEP.readiness && p.field !== '_form' ? `readiness.${p.field}` : p.field;
    super(first.key, {
      field: field(first),
      status: 422,
      params: first.params,
      details: problems.map((p) => ({ field: field(p), key: p.key, params: p.params })),
    });
  }
}

/**
 * Submits the firm's draft as a new version, atomically: the draft row is locked and its
 * version checked, so a double submit from two tabs yields exactly one version. The second
 * post of the very same submission (a double click, a retry: same version, same answers, same
 * user) finds it made and answers it, `repeated`; anything else finds the version moved on and
 * is told its form is stale. The previous version stays,
 * marked superseded; the partial unique index keeps exactly one current version. `answers`,
 * when given, replace the draft's readiness and/or need lines first, in the same transaction.
 *
 * A firm's own submission first goes without a transaction (two round trips to the database
 * fewer, no lock held between them): it reads unlocked, checks, and writes in one statement that
 * holds the same locks and writes only if the draft and the campaign are still as read
 * (writeSubmissionChecked). A check that fails on that read fails as it would under the locks (the
 * read is a committed state); a write that finds something changed meanwhile writes nothing, and
 * the submission goes through the transaction, which tells what changed.
 */
export async function submitResponse(
  db: Db,
  user: SessionUser,
  campaignId: string,
  version: number,
  forFirm?: string,
  answers?: Pick<DraftPayload, 'readiness' | 'needs'>,
): Promise<{ id: string; version: number; repeated: boolean }> {
  try {
    return {
      ...(await submitOnce(db, user, campaignId, version, forFirm, answers)),
      repeated: false,
    };
  } catch (err) {
    if (!(err instanceof AlreadySubmittedError)) throw err;
    const made = await submissionMade(db, user, campaignId, version, forFirm, answers);
    if (!made) throw err;
    return { ...made, repeated: true };
  }
}

/**
 * The version this very submission made, if it is the firm's current one: the draft was
 * submitted from `version` (submitting moves it one on) with these answers, by this user, and
 * nothing was amended or withdrawn since.
 */
async function submissionMade(
  db: Db,
  user: SessionUser,
  campaignId: string,
  version: number,
  forFirm: string | undefined,
  answers: Pick<DraftPayload, 'readiness' | 'needs'> | undefined,
): Promise<{ id: string; version: number } | undefined> {
  const firmId = actingFirmId(user, forFirm);
  const [draft, latest] = await Promise.all([
    repo.findDraft(db, campaignId, firmId),
    repo.latestResponse(db, campaignId, firmId),
  ]);
  if (draft?.state !== 'submitted' || draft.version !== version + 1) return undefined;
  if (latest?.status !== 'current' || latest.submitted_by !== user.id) return undefined;
  // As stored (jsonb): the answers sent again must change nothing in what was submitted.
  const stored = draft.payload as DraftPayload;
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  if (!isDeepStrictEqual(plain(withAnswers(stored, answers)), plain(stored))) return undefined;
  return { id: latest.id, version: latest.version };
}

async function submitOnce(
  db: Db,
  user: SessionUser,
  campaignId: string,
  version: number,
  forFirm?: string,
  answers?: Pick<DraftPayload, 'readiness' | 'needs'>,
): Promise<{ id: string; version: number }> {
  // A draft exists only for a campaign the firm was allowed to open (openQuestionnaire checks
  // that it covers the firm's territory), so the draft row is the scope check here; for an
  // association, an active delegation too, held until commit.
  const firmId = actingFirmId(user, forFirm);
  const lineSkills = (answers?.needs ?? []).map((l) => String(l.skill));
  const submission = (read: SubmitRead | undefined, delegation: { id: string } | null) =>
    submissionOf(read, { user, firmId, version, answers, delegationId: delegation?.id });
  if (user.role === 'firm') {
    const read = await repo.lockForSubmit(db, campaignId, firmId, lineSkills, false);
    const s = submission(read, null);
    const written = await repo.writeSubmissionChecked(db, s.row, s.lines, s.draft, s.campaign);
    if (written !== null) return { id: s.row.id, version: written };
  }
  return db.transaction().execute(async (tx) => {
    const delegation = await holdDelegationOf(tx, user, firmId);
    const s = submission(await repo.lockForSubmit(tx, campaignId, firmId, lineSkills), delegation);
    // One statement: supersede, insert with lines, queue for the aggregate, mark the draft.
    const nextVersion = await repo.writeSubmission(tx, s.row, s.lines, s.draft);
    await recordAct(tx, delegation, 'submitted', user, { campaignId, responseId: s.row.id });
    return { id: s.row.id, version: nextVersion };
  });
}

type SubmitRead = Awaited<ReturnType<typeof repo.lockForSubmit>>;

/** What submitting writes, after every check on what lockForSubmit read. */
export function submissionOf(
  read: SubmitRead,
  a: {
    user: SessionUser;
    firmId: string;
    version: number;
    answers?: Pick<DraftPayload, 'readiness' | 'needs'>;
    delegationId?: string;
  },
) {
  if (!read) throw new NotFoundError();
  const { draft } = read;
  if (draft.state !== 'editing') throw new AlreadySubmittedError();
  if (draft.version !== a.version) throw new StaleDraftError(draft);
  const campaign = toCampaign(read.campaign);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  const firm = toFirmProfile(read.firm);
  const ctx = firm.complete
    ? {
        skills: new Map(read.skills),
        occupations: new Set(read.occupations),
        employees: firm.employees!,
        quarters: plannableQuarters(romeToday()),
      }
    : null;
  const payload = withAnswers(draft.payload as DraftPayload, a.answers);
  const checked = checkDraft(campaign, firm, payload, ctx);
  if (checked.problems.length) throw new DraftInvalidError(checked.problems);

  const id = crypto.randomUUID();
  return {
    /** The campaign as read: what the checked write holds it to. */
    campaign: read.campaign,
    row: {
      id,
      campaign_id: campaign.id,
      firm_id: a.firmId,
      status: 'current' as const,
      submitted_by: a.user.id,
      legal_name: firm.legalName,
      territory_code: firm.territoryCode!,
      nace_version: 'NACE2',
      nace_section: firm.naceSection!,
      nace_division: firm.naceDivision!,
      employees: firm.employees!,
      size_class: sizeClass(firm.employees!),
      ...answerColumns(checked.readiness, checked.needs),
      delegation_id: a.delegationId ?? null,
    },
    lines: needLineRows(id, checked.needs, ctx!.skills),
    draft: {
      version: a.version,
      step: STEP.review,
      userId: a.user.id,
      ...(a.answers?.readiness || a.answers?.needs
        ? { payload: payload as Record<string, unknown> }
        : {}),
    },
  };
}

/** The raw form values of a submitted version: what amending starts from. */
export function payloadFromResponse(
  r: repo.ResponseRow,
  lines: Awaited<ReturnType<typeof repo.responseLines>>,
): DraftPayload {
  const s = (v: number | null) => (v === null ? '' : String(v));
  return {
    ...(r.readiness_score === null
      ? {}
      : {
          readiness: {
            strategy: s(r.dma_strategy),
            readiness: s(r.dma_readiness),
            human: s(r.dma_human),
            data: s(r.dma_data),
            automation: s(r.dma_automation),
            green: s(r.dma_green),
            technologies: r.technologies,
          },
        }),
    needs: lines.map((l) => ({
      skill: l.skill_code,
      occupation: l.occupation_code,
      workers: String(l.workers),
      eqf: String(l.eqf_level),
      priority: l.priority,
      modality: l.modality,
      period: l.period,
      note: l.note ?? '',
    })),
  };
}

/** Re-opens the draft from the latest version (current or withdrawn) while the campaign is open. */
export async function amendResponse(
  db: Db,
  user: SessionUser,
  campaignId: string,
  forFirm?: string,
) {
  const { firm, campaign } = await firmCampaign(db, user, campaignId, forFirm);
  if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
  const firmId = firm.organisationId;
  return db.transaction().execute(async (tx) => {
    const delegation = await holdDelegationOf(tx, user, firmId);
    const draft = await repo.lockDraft(tx, campaignId, firmId);
    if (!draft) throw new NotFoundError();
    if (draft.state === 'editing') return draft;
    const latest = await repo.latestResponse(tx, campaignId, firmId);
    if (!latest) throw new NotFoundError();
    const payload = payloadFromResponse(latest, await repo.responseLines(tx, latest.id));
    await recordAct(tx, delegation, 'amended', user, { campaignId, responseId: latest.id });
    return (await repo.updateDraft(tx, { campaignId, firmId }, draft.version, {
      payload: payload as Record<string, unknown>,
      state: 'editing',
      step: STEP.profile,
      userId: user.id,
    }))!;
  });
}

/**
 * Withdraws the current version (kept, marked withdrawn) while the campaign is open; asked again
 * by the same user (`repeated`), it is done already.
 */
export async function withdrawResponse(
  db: Db,
  user: SessionUser,
  responseId: string,
  campaignId?: string,
  forFirm?: string,
) {
  const firmId = actingFirmId(user, forFirm);
  const found = await repo.findResponse(db, responseId);
  // Another firm's response is simply not found: ids leak nothing.
  if (!found || found.firm_id !== firmId) throw new NotFoundError();
  if (campaignId && found.campaign_id !== campaignId) throw new NotFoundError();
  const key = { campaignId: found.campaign_id, firmId: found.firm_id };
  return db.transaction().execute(async (tx) => {
    const delegation = await holdDelegationOf(tx, user, firmId);
    // Same lock order as submit (draft, campaign, response), so the two never deadlock.
    const draft = await repo.lockDraft(tx, key.campaignId, key.firmId);
    const campaign = toCampaign((await lockCampaignShared(tx, key.campaignId))!);
    if (campaign.state !== 'open') throw new CampaignNotAcceptingError(campaign.state);
    const r = (await repo.lockResponse(tx, responseId))!;
    // A double click, a retry: this user withdrew it a moment ago and nothing came after it.
    if (
      r.status === 'withdrawn' &&
      r.withdrawn_by === user.id &&
      (await repo.latestResponse(tx, key.campaignId, key.firmId))?.id === r.id
    )
      return { ...r, status: 'withdrawn' as const, repeated: true };
    if (r.status !== 'current') throw new DomainError('survey.errors.notCurrent');
    await repo.markWithdrawn(tx, r.id, user.id);
    await applyResponseChange(tx, { remove: r.id });
    await recordAct(tx, delegation, 'withdrawn', user, { campaignId: key.campaignId, responseId });
    // Any form still open on the old answer is now stale.
    if (draft)
      await repo.updateDraft(tx, key, draft.version, { state: 'submitted', userId: user.id });
    return { ...r, status: 'withdrawn' as const, repeated: false };
  });
}

/** One version of the firm's own answer, with its lines; another firm's is not found. */
export async function getOwnResponse(
  db: Executor,
  user: SessionUser,
  responseId: string,
  forFirm?: string,
) {
  const { firm } = await actingFirm(db, user, forFirm);
  const r = await repo.findResponse(db, responseId);
  if (!r || r.firm_id !== firm.organisationId) throw new NotFoundError();
  return { response: r, lines: await repo.responseLines(db, r.id) };
}

export type AnswerStatus =
  'not_started' | 'draft' | 'submitted' | 'amending' | 'withdrawn' | 'resubmitting';

/** The words of an answer never begun, or still being written, when its campaign closed. */
const UNSENT: Partial<Record<AnswerStatus, string>> = {
  not_started: 'notAnswered',
  draft: 'notSent',
  amending: 'amendmentNotSent',
  resubmitting: 'resubmissionNotSent',
};

/** The campaigns covering the firm, each with the state of its answer (the firm home). */
export async function listFirmCampaigns(db: Executor, user: SessionUser, forFirm?: string) {
  return campaignsOfFirm(db, user, await actingFirm(db, user, forFirm));
}

/** listFirmCampaigns for a firm already looked up (the home page shows its profile too). */
export async function campaignsOfFirm(db: Executor, user: SessionUser, acting: Acting) {
  const { firm, delegation } = acting;
  const [campaigns, states] = await Promise.all([
    listCampaignsForFirm(db, firm.territoryCode ?? (delegation ? '' : user.territoryCode)),
    repo.firmAnswerStates(db, firm.organisationId),
  ]);
  const byCampaign = new Map(states.map((s) => [s.campaign_id, s]));
  return campaigns.map((campaign) => {
    const s = byCampaign.get(campaign.id);
    let answer: AnswerStatus = 'not_started';
    // After a withdrawal nothing counts: a new answer is not a change to the withdrawn one.
    if (s?.status === 'withdrawn')
      answer = s.draft_state === 'editing' ? 'resubmitting' : 'withdrawn';
    else if (s?.version && s.draft_state === 'editing') answer = 'amending';
    else if (s?.version) answer = 'submitted';
    else if (s) answer = 'draft';
    // Once closed, what was still being written will never be sent: the row says so, and leads
    // to the receipt whenever a version was sent.
    const closed = campaign.state === 'closed';
    return {
      campaign,
      answer,
      label: (closed && UNSENT[answer]) || answer,
      version: s?.version ?? null,
      hasReceipt: !!s?.version,
      closedOn: closed ? (campaign.closedAt ?? campaign.closesAt) : null,
    };
  });
}
