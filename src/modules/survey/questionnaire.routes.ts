import { isDeepStrictEqual } from 'node:util';
import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { uuidParam } from '../../http/validate';
import { HttpError } from '../../http/errors';
import { DomainError } from '../../lib/domain-error';
import {
  PROFILE_FIELDS,
  profileFieldLabels,
  profileFormOptions,
  type Option,
  sectorNames,
} from '../firms/firms.options';
import { resolveComune } from '../firms/comune-field';
import { firmProfileSchema } from '../firms/firms.schemas';
import { localName, territoryPath } from '../reference/territories.repository';
import { profileFormValues, profileReferenceProblems } from '../firms/firms.service';
import {
  AlreadySubmittedError,
  checkDraft,
  checkNeeds,
  compactNeeds,
  needContext,
  openQuestionnaire,
  profileStepJustSaved,
  saveDraft,
  saveProfileStep,
  StaleDraftError,
  STEP,
  stepAfter,
  stepBefore,
  stepsOf,
  type Questionnaire,
} from './drafts.service';
import { actingSuffix, forFirm, homeOf } from './acting';
import { CampaignNotAcceptingError } from './campaigns.service';
import { problemMessages, zodProblems, type Problem } from './problems';
import {
  formControl,
  indexedList,
  MAX_NEED_LINES,
  NEED_FIELDS,
  readinessSchema,
  type DraftPayload,
} from './questionnaire.schemas';
import { earlierScore, findDraft, subMajorOccupations } from './responses.repository';
import { renderOutOfDate } from './conflict';
import { DMA_DIMENSIONS, overallScore } from './readiness';
import {
  describeLines,
  needFieldLabels,
  needLinesForm,
  readinessForm,
  scoreView,
  stepper,
} from './questionnaire.view';

type Values = Record<string, unknown>;
type Errors = Record<string, string>;

const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1000) : '');

/** Only the fields a step knows are kept in the draft, each as text of bounded length. */
function rawReadiness(body: Values): Values {
  const tech = ([] as unknown[])
    .concat(body.technologies ?? [])
    .slice(0, 20)
    .map(text);
  return {
    ...Object.fromEntries(
      ['strategy', 'readiness', 'human', 'data', 'automation', 'green'].map((d) => [
        d,
        text(body[d]),
      ]),
    ),
    technologies: tech,
  };
}

function rawProfile(body: Values): Values {
  return Object.fromEntries(PROFILE_FIELDS.map((f) => [f, text(body[f])]));
}

function rawNeeds(body: Values): Values[] {
  return indexedList(body.needs)
    .slice(0, MAX_NEED_LINES + 10)
    .map((l) => Object.fromEntries(NEED_FIELDS.map((f) => [f, text((l as Values | null)?.[f])])));
}

/** Field-level messages for a stale form: every field another window saved differently. */
function staleErrors(typed: Values, saved: Values, t: Request['t'], prefix = ''): Errors {
  const errors: Errors = {};
  for (const [k, v] of Object.entries(typed)) {
    const s = saved[k];
    if (Array.isArray(v) && k === 'needs') {
      v.forEach((line, i) =>
        Object.assign(
          errors,
          staleErrors(
            line as Values,
            ((s as Values[] | undefined)?.[i] ?? {}) as Values,
            t,
            `needs.${i}.`,
          ),
        ),
      );
    } else if (String(v ?? '') !== String(s ?? '')) {
      errors[prefix + k] = t('survey.errors.changedElsewhere', {
        value: String(s ?? '') || t('survey.empty'),
      });
    }
  }
  return errors;
}

/** The firm's own user, whom step 1 offers as contact person; none under a delegation. */
const ownUser = (req: Request, q: Questionnaire) => (q.delegation ? undefined : req.user!);

/**
 * Step 1 as saved for later, unless the firm saved its profile since (on the profile page, which
 * the home page links while the profile is incomplete): then the profile, not the older typing.
 */
function unfinishedProfile(q: Questionnaire): Values | undefined {
  const saved = (q.draft.payload as DraftPayload).profile;
  return saved && q.firm.updatedAt <= q.draft.updated_at ? saved : undefined;
}

export function questionnaireRoutes({ db }: AppServices): Router {
  const router = Router();
  // Every link and redirect keeps ?firm= when an association acts for the firm.
  const suffix = (q: Questionnaire) =>
    actingSuffix({ delegation: q.delegation, firmId: q.firm.organisationId });
  const href = (q: Questionnaire, path = '') => `/survey/${q.campaign.id}${path}${suffix(q)}`;

  async function render(
    req: Request,
    res: Response,
    q: Questionnaire,
    step: number,
    status = 200,
    extra: { values?: Values; errors?: Errors; version?: number; choices?: Option[] } = {},
  ) {
    const lang = res.locals.lang as string;
    const errors = extra.errors ?? {};
    const payload = q.draft.payload as DraftPayload;
    const model: Record<string, unknown> = {
      title: `${req.t(`survey.steps.${['', 'profile', 'readiness', 'needs', 'review'][step]}`)} · ${q.campaign.title}`,
      campaign: q.campaign,
      firm: q.firm,
      step,
      steps: stepper(q.campaign, step, q.draft.step, false, suffix(q)),
      version: extra.version ?? q.draft.version,
      action: href(q, `/step/${step}`),
      backHref: step > 1 ? href(q, `/step/${stepBefore(q.campaign, step)}`) : null,
      errors,
    };
    const earlier = await earlierScore(db, q.firm.organisationId, q.campaign.id);
    if (step === STEP.profile) {
      const values =
        extra.values ?? unfinishedProfile(q) ?? profileFormValues(q.firm, ownUser(req, q));
      Object.assign(
        model,
        await profileFormOptions(db, lang, values.territoryCode, extra.choices),
        {
          values,
          fieldLabels: profileFieldLabels(req.t),
        },
      );
    } else if (step === STEP.readiness) {
      const values = extra.values ?? payload.readiness ?? {};
      const parsed = readinessSchema.safeParse(values);
      Object.assign(model, readinessForm(values, errors), {
        // The summary names each question, not six times "required".
        fieldLabels: Object.fromEntries([
          ...DMA_DIMENSIONS.map((d) => [d, req.t(`survey.dimensions.${d}.label`)]),
          ['technologies', req.t('survey.technologiesLegend')],
        ]),
        current: parsed.success ? scoreView(overallScore(parsed.data)) : null,
        earlier: earlier && { ...scoreView(earlier.readiness_score), campaign: earlier.title },
      });
    } else if (step === STEP.needs) {
      const ctx = await needContext(db, q.campaign, q.firm.employees ?? 0);
      const raw = (extra.values?.needs as Values[] | undefined) ?? payload.needs ?? [];
      const lines = raw.length ? raw : [{}];
      Object.assign(model, {
        lines: needLinesForm(lines, errors, ctx, await subMajorOccupations(db), lang, req.t),
        canAdd: lines.length < MAX_NEED_LINES,
        fieldLabels: needFieldLabels(Object.keys(errors), req.t),
      });
    } else {
      const ctx = q.firm.complete ? await needContext(db, q.campaign, q.firm.employees!) : null;
      const checked = checkDraft(q.campaign, q.firm, payload, ctx);
      const occupations = await subMajorOccupations(db);
      const skillRows = ctx?.skillRows ?? [];
      Object.assign(model, {
        problems: checked.problems.map((p: Problem) => {
          // A need line's problem names its line and field ("Fabbisogno n. 2 — Lavoratori").
          const where = needFieldLabels([p.field], req.t)[p.field];
          const message = req.t(p.key, p.params);
          return {
            step: p.step,
            href: href(q, `/step/${p.step}`),
            message: where ? `${where}: ${message}` : message,
            stepKey: `survey.steps.${['', 'profile', 'readiness', 'needs'][p.step]}`,
          };
        }),
        // Lines typed but not yet right: not "no needs declared".
        linesPending: !checked.needs.length && (payload.needs?.length ?? 0) > 0,
        readiness: checked.readiness && {
          ...scoreView(overallScore(checked.readiness)),
          dimensions: Object.entries(checked.readiness)
            .filter(([k]) => k !== 'technologies')
            .map(([k, v]) => ({ key: k, value: v })),
          technologies: checked.readiness.technologies.map((tech) =>
            req.t(`survey.technologies.${tech}`),
          ),
        },
        sector: await sectorNames(db, q.firm, lang),
        // The comune places the needs in the territory: checked here as the receipt shows it.
        territory: q.firm.territoryCode
          ? (await territoryPath(db, q.firm.territoryCode))
              .map((t) => localName(t, lang))
              .join(' › ')
          : null,
        earlier: earlier && { ...scoreView(earlier.readiness_score), campaign: earlier.title },
        lines: describeLines(
          checked.needs,
          new Map(skillRows.map((s) => [s.code, s.names?.[lang] ?? s.name])),
          new Map(occupations.map((o) => [o.code, o.names?.[lang] ?? o.name])),
          req.t,
        ),
      });
    }
    res.status(status).render(`survey/step-${step}`, model);
  }

  const stepParam = (req: Request, q: Questionnaire) => {
    const step = Number(req.params.step);
    if (!stepsOf(q.campaign).includes(step)) throw new HttpError(404);
    return step;
  };

  router.get('/survey/:campaignId', allow('survey:answer'), async (req, res) => {
    const q = await openQuestionnaire(db, req.user!, uuidParam(req, 'campaignId'), {
      firmId: forFirm(req, res),
    });
    if (q.draft.state === 'submitted') return res.redirect(href(q, `/receipt`));
    res.redirect(href(q, `/step/${q.draft.step}`));
  });

  router.get('/survey/:campaignId/step/:step', allow('survey:answer'), async (req, res) => {
    const q = await openQuestionnaire(db, req.user!, uuidParam(req, 'campaignId'), {
      firmId: forFirm(req, res),
    });
    const step = stepParam(req, q);
    if (q.draft.state === 'submitted') return res.redirect(href(q, `/receipt`));
    // Forward only as far as the firm got: a later step needs the earlier ones done.
    if (step > q.draft.step) return res.redirect(href(q, `/step/${q.draft.step}`));
    await render(req, res, q, step);
  });

  router.post('/survey/:campaignId/step/:step', allow('survey:answer'), async (req, res) => {
    const { _csrf: _, version: v, action: a, ...body } = (req.body ?? {}) as Values;
    let q: Questionnaire;
    try {
      q = await openQuestionnaire(db, req.user!, uuidParam(req, 'campaignId'), {
        create: false,
        firmId: forFirm(req, res),
      });
    } catch (err) {
      // Closed (or not open yet) while the firm was typing: nothing can be saved, but what it
      // typed is shown back, so it is not lost.
      if (err instanceof CampaignNotAcceptingError) return renderNotAccepting(req, res, err, body);
      throw err;
    }
    const step = stepParam(req, q);
    const control = formControl.safeParse({ version: v, action: a });
    if (!control.success) throw new HttpError(400);
    const { version, action } = control.data;
    // A page drawn before the answer was sent or withdrawn elsewhere: say so, write nothing.
    if (q.draft.state === 'submitted') return renderOutOfDate(db, req, res, q, 'save');
    // What this post writes and how it answers, kept for its double (see the catch below).
    let payload: DraftPayload | undefined;
    let answer: ((saved: Questionnaire['draft']) => unknown) | undefined;
    try {
      if (step === STEP.profile) return await postProfile(req, res, q, version, action, body);
      if (step === STEP.review) return res.redirect(href(q, `/step/${STEP.review}`));
      let problems: Problem[] = [];
      let values: Values;
      if (step === STEP.readiness) {
        values = rawReadiness(body);
        payload = { ...(q.draft.payload as DraftPayload), readiness: values };
        const parsed = readinessSchema.safeParse(body);
        if (!parsed.success) problems = zodProblems(parsed.error, step);
      } else {
        let lines = rawNeeds(body);
        if (action === 'add' && lines.length < MAX_NEED_LINES) lines.push({});
        if (action.startsWith('remove:')) lines.splice(Number(action.slice(7)), 1);
        if (action === 'next') lines = compactNeeds(lines);
        values = { needs: lines };
        payload = { ...(q.draft.payload as DraftPayload), needs: lines };
        const ctx = await needContext(db, q.campaign, q.firm.employees ?? 0);
        problems = checkNeeds(lines, ctx).problems;
      }
      const advance = action === 'next' && problems.length === 0;
      const next = stepAfter(q.campaign, step);
      answer = (saved) =>
        action === 'next' && problems.length
          ? render(req, res, { ...q, draft: saved }, step, 422, {
              values,
              errors: problemMessages(problems, req.t),
            })
          : afterSave(req, res, q, step, action, next);
      const saved = await saveDraft(db, req.user!, q, version, {
        payload,
        step: advance ? Math.max(q.draft.step, next) : undefined,
      });
      return answer(saved);
    } catch (err) {
      if (err instanceof StaleDraftError) {
        // A double click (the first answer dropped by the browser): this user's first post saved
        // exactly this, one version on. It answers as the first did instead of 'out of date'.
        if (answer && payload && savedJustThis(err.current, req.user!.id, version, payload))
          return answer(err.current);
        return renderStale(req, res, q, step, err, body);
      }
      if (err instanceof AlreadySubmittedError) {
        const draft = await findDraft(db, q.campaign.id, q.firm.organisationId);
        return renderOutOfDate(db, req, res, { ...q, draft: draft! }, 'save');
      }
      throw err;
    }
  });

  async function postProfile(
    req: Request,
    res: Response,
    q: Questionnaire,
    version: number,
    action: string,
    posted: Values,
  ) {
    // The comune as typed or picked becomes its code; a name that is not one comune's stops here.
    const comune = await resolveComune(db, posted, res.locals.lang as string);
    const body = comune.body;
    const parsed = firmProfileSchema.safeParse(body);
    let refused: DomainError | null = null;
    if (parsed.success && !comune.problem) {
      try {
        await saveProfileStep(db, req.user!, q, version, parsed.data);
      } catch (err) {
        if (err instanceof StaleDraftError) {
          // A double click (the first answer dropped by the browser): this user's first post
          // saved exactly this profile, one version on. It lands like the first.
          if (!(await profileStepJustSaved(db, req.user!, q, version, parsed.data, err.current)))
            throw err;
        } else if (err instanceof AlreadySubmittedError || !(err instanceof DomainError)) throw err;
        else refused = err;
      }
    }
    if (action === 'save') {
      // Nothing typed is lost: what the firm's profile cannot take yet waits in the draft.
      if (!parsed.success || comune.problem || refused) {
        const payload = { ...(q.draft.payload as DraftPayload), profile: rawProfile(body) };
        try {
          await saveDraft(db, req.user!, q, version, { payload });
        } catch (err) {
          // Its double click finds it saved, as above.
          if (
            !(err instanceof StaleDraftError) ||
            !savedJustThis(err.current, req.user!.id, version, payload)
          )
            throw err;
        }
      }
      flash(req, 'survey.savedForLater');
      return res.redirect(homeOf(q.delegation));
    }
    if (!parsed.success || comune.problem)
      return render(req, res, q, STEP.profile, 422, {
        values: body,
        errors: problemMessages(
          [
            ...(comune.problem ? [comune.problem] : []),
            ...(parsed.success ? [] : zodProblems(parsed.error, STEP.profile)),
            ...(await profileReferenceProblems(db, body)),
          ],
          req.t,
        ),
        choices: comune.choices,
      });
    if (refused)
      return render(req, res, q, STEP.profile, refused.status, {
        values: body,
        errors: { [refused.options.field ?? '_form']: req.t(refused.messageKey) },
      });
    return res.redirect(href(q, `/step/${stepAfter(q.campaign, STEP.profile)}`));
  }

  function afterSave(
    req: Request,
    res: Response,
    q: Questionnaire,
    step: number,
    action: string,
    next: number,
  ) {
    if (action === 'next') return res.redirect(href(q, `/step/${next}`));
    if (action === 'back') return res.redirect(href(q, `/step/${stepBefore(q.campaign, step)}`));
    if (action === 'save') {
      flash(req, 'survey.savedForLater');
      return res.redirect(homeOf(q.delegation));
    }
    // add / remove: the same step again, lines kept (post-redirect-get, no JavaScript needed).
    return res.redirect(303, `${href(q, `/step/${step}`)}#lines`);
  }

  /** 409: the page again with the user's input, what differs marked field by field. */
  async function renderStale(
    req: Request,
    res: Response,
    q: Questionnaire,
    step: number,
    err: StaleDraftError,
    body: Values,
  ) {
    const current = err.current;
    const saved = current.payload as DraftPayload;
    let values: Values;
    let errors: Errors;
    if (step === STEP.profile) {
      values = body;
      errors = staleErrors(
        body,
        saved.profile ?? profileFormValues(q.firm, ownUser(req, q)),
        req.t,
      );
    } else if (step === STEP.readiness) {
      values = rawReadiness(body);
      errors = staleErrors(values, saved.readiness ?? {}, req.t);
    } else {
      values = { needs: rawNeeds(body) };
      errors = staleErrors(values, { needs: saved.needs ?? [] }, req.t);
    }
    return render(req, res, { ...q, draft: current }, step, 409, {
      values,
      errors: { _form: req.t('survey.errors.stale'), ...errors },
      version: current.version,
    });
  }

  /** The refusal of a survey no longer (or not yet) open, with what the firm typed, labelled. */
  function renderNotAccepting(
    req: Request,
    res: Response,
    err: CampaignNotAcceptingError,
    body: Values,
  ) {
    const step = Number(req.params.step);
    const t = req.t;
    let typed: { label: string; value: string }[] = [];
    if (step === STEP.profile) {
      const labels = profileFieldLabels(t);
      typed = Object.entries(rawProfile(body)).map(([f, value]) => ({
        label: labels[f] ?? f,
        value: String(value),
      }));
    } else if (step === STEP.readiness) {
      const { technologies, ...scores } = rawReadiness(body);
      typed = Object.entries(scores).map(([d, value]) => ({
        label: t(`survey.dimensions.${d}.label`),
        value: String(value),
      }));
      typed.push({
        label: t('survey.technologiesLegend'),
        value: (technologies as string[])
          .map((tech) => t(`survey.technologies.${tech}`, { defaultValue: tech }))
          .join(', '),
      });
    } else if (step === STEP.needs) {
      typed = rawNeeds(body).flatMap((line, i) =>
        Object.entries(line).map(([f, value]) => ({
          label: `${t('survey.lineLegend', { number: i + 1 })} — ${t(`survey.fields.${f}`)}`,
          value: String(value),
        })),
      );
    }
    res.status(err.status).render('survey/not-accepting', {
      title: t(err.messageKey),
      message: t(err.messageKey),
      typed: typed.filter((e) => e.value !== ''),
      home: forFirm(req, res) ? '/delegated-firms' : '/',
    });
  }

  return router;
}

/** The draft as `userId`'s save of `payload` at `version` left it, and nothing since. */
function savedJustThis(
  current: Questionnaire['draft'],
  userId: string,
  version: number,
  payload: DraftPayload,
): boolean {
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  return (
    current.state === 'editing' &&
    current.version === version + 1 &&
    current.updated_by === userId &&
    isDeepStrictEqual(plain(current.payload), plain(payload))
  );
}
