import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { formatDate } from '../../lib/format';
import { renderConfirm } from '../../http/confirm';
import { flash } from '../../http/flash';
import { uuidParam } from '../../http/validate';
import { HttpError } from '../../http/errors';
import { localName, territoryPath } from '../reference/territories.repository';
import { firmCampaign, openQuestionnaire, StaleDraftError, STEP } from './drafts.service';
import { submissionOf } from '../delegations/delegations.repository';
import { forFirm } from './acting';
import { renderOutOfDate } from './conflict';
import { formControl } from './questionnaire.schemas';
import { describeStoredLines, scoreView, stepper } from './questionnaire.view';
import * as repo from './responses.repository';
import {
  amendResponse,
  DraftInvalidError,
  getOwnResponse,
  submitResponse,
  withdrawResponse,
} from './responses.service';
import { AlreadySubmittedError } from './drafts.service';

/** Submit, the receipt, amend and withdraw: what happens to a firm's answer once it is whole. */
export function receiptRoutes({ db }: AppServices): Router {
  const router = Router();

  router.post('/survey/:campaignId/submit', allow('survey:answer'), async (req, res) => {
    const campaignId = uuidParam(req, 'campaignId');
    const firmId = forFirm(req, res);
    const control = formControl.safeParse({ version: req.body?.version });
    if (!control.success) throw new HttpError(400);
    try {
      const r = await submitResponse(db, req.user!, campaignId, control.data.version, firmId);
      flash(req, 'survey.submitted', { version: String(r.version) });
      res.redirect(`/survey/${campaignId}/receipt${res.locals.forFirm}`);
    } catch (err) {
      if (err instanceof StaleDraftError || err instanceof AlreadySubmittedError) {
        const q = await openQuestionnaire(db, req.user!, campaignId, { create: false, firmId });
        return renderOutOfDate(db, req, res, q, 'submit');
      }
      if (err instanceof DraftInvalidError) {
        flash(req, 'survey.errors.fixBeforeSubmit', undefined, 'warning');
        return res.redirect(`/survey/${campaignId}/step/${STEP.review}${res.locals.forFirm}`);
      }
      throw err;
    }
  });

  const receipt = async (req: Request, res: Response, responseId?: string) => {
    const firmId = forFirm(req, res);
    const { firm, campaign, delegation } = await firmCampaign(
      db,
      req.user!,
      uuidParam(req, 'campaignId'),
      firmId,
    );
    const latest = await repo.latestResponse(db, campaign.id, firm.organisationId);
    const draft = await repo.findDraft(db, campaign.id, firm.organisationId);
    if (!latest && !responseId) {
      if (draft) return res.redirect(`/survey/${campaign.id}${res.locals.forFirm}`);
      throw new HttpError(404);
    }
    const { response, lines } = responseId
      ? await getOwnResponse(db, req.user!, responseId, firmId)
      : { response: latest!, lines: await repo.responseLines(db, latest!.id) };
    if (response.campaign_id !== campaign.id) throw new HttpError(404);
    const lang = res.locals.lang as string;
    const [skills, occupations, path, versions, submission] = await Promise.all([
      repo.skillsOfAreas(db, campaign.areas),
      repo.subMajorOccupations(db),
      territoryPath(db, response.territory_code),
      repo.listVersions(db, campaign.id, firm.organisationId),
      submissionOf(db, response.id),
    ]);
    res.render('survey/receipt', {
      title: req.t('survey.receipt.title'),
      campaign,
      response,
      firm,
      delegation,
      submission,
      isLatest: response.id === latest?.id,
      amending: draft?.state === 'editing',
      canChange: campaign.state === 'open',
      steps: stepper(campaign, 0, 0, true),
      territory: path.map((t) => localName(t, lang)).join(' › '),
      score: scoreView(response.readiness_score),
      dimensions: [
        ['strategy', response.dma_strategy],
        ['readiness', response.dma_readiness],
        ['human', response.dma_human],
        ['data', response.dma_data],
        ['automation', response.dma_automation],
        ['green', response.dma_green],
      ].map(([key, value]) => ({ key, value })),
      technologies: (response.technologies ?? []).map((tech) =>
        req.t(`survey.technologies.${tech}`),
      ),
      lines: describeStoredLines(lines, skills, occupations, lang, req.t),
      versions,
    });
  };

  router.get('/survey/:campaignId/receipt', allow('survey:answer'), (req, res) =>
    receipt(req, res),
  );

  router.get('/survey/:campaignId/versions/:responseId', allow('survey:answer'), (req, res) =>
    receipt(req, res, uuidParam(req, 'responseId')),
  );

  router.post('/survey/:campaignId/amend', allow('survey:answer'), async (req, res) => {
    const campaignId = uuidParam(req, 'campaignId');
    await amendResponse(db, req.user!, campaignId, forFirm(req, res));
    flash(req, 'survey.amending', undefined, 'info');
    res.redirect(`/survey/${campaignId}/step/${STEP.profile}${res.locals.forFirm}`);
  });

  // Withdrawing is one click away on the receipt, so it first asks, on a page of its own (no
  // JavaScript needed), saying what withdrawing does.
  router.get(
    '/survey/:campaignId/versions/:responseId/withdraw',
    allow('survey:answer'),
    async (req, res) => {
      const firmId = forFirm(req, res);
      const { campaign } = await firmCampaign(db, req.user!, uuidParam(req, 'campaignId'), firmId);
      const { response } = await getOwnResponse(
        db,
        req.user!,
        uuidParam(req, 'responseId'),
        firmId,
      );
      if (response.campaign_id !== campaign.id) throw new HttpError(404);
      const receiptHref = `/survey/${campaign.id}/receipt${res.locals.forFirm}`;
      if (campaign.state !== 'open' || response.status !== 'current')
        return res.redirect(receiptHref);
      const lang = res.locals.lang as string;
      renderConfirm(req, res, {
        title: req.t('survey.withdraw.title'),
        context: campaign.title,
        lead: req.t('survey.withdraw.which', {
          version: response.version,
          date: formatDate(response.submitted_at, lang, { time: true }),
        }),
        // An association withdrawing under a delegation reads of the firm by its name, not of
        // 'your firm' (its own).
        points: [
          firmId
            ? req.t('survey.withdraw.keptFor', { firm: response.legal_name })
            : req.t('survey.withdraw.kept'),
          firmId
            ? req.t('survey.withdraw.notCountedFor', { firm: response.legal_name })
            : req.t('survey.withdraw.notCounted'),
          req.t('survey.withdraw.again', { date: formatDate(campaign.closesAt, lang) }),
        ],
        action: `/survey/${campaign.id}/versions/${response.id}/withdraw${res.locals.forFirm}`,
        button: req.t('survey.withdraw.confirm'),
        back: receiptHref,
        cancelLabel: req.t('survey.withdraw.cancel'),
        irreversible: false,
      });
    },
  );

  router.post(
    '/survey/:campaignId/versions/:responseId/withdraw',
    allow('survey:answer'),
    async (req, res) => {
      const campaignId = uuidParam(req, 'campaignId');
      const firmId = forFirm(req, res);
      await withdrawResponse(db, req.user!, uuidParam(req, 'responseId'), campaignId, firmId);
      flash(req, 'survey.withdrawn');
      res.redirect(`/survey/${campaignId}/receipt${res.locals.forFirm}`);
    },
  );

  return router;
}
