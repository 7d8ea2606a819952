import type { Request, Response } from 'express';
import type { Executor } from '../../db';
import { STEP, type Questionnaire } from './drafts.service';
import { latestResponse } from './responses.repository';

/**
 * 409 for a form posted from a page drawn before the answer moved on in another window or tab
 * (sent, withdrawn, or changed): nothing from this form was written, and the page says so, says
 * what happened meanwhile and where the answer now stands, instead of leading to the receipt as
 * if this form had been accepted.
 */
export async function renderOutOfDate(
  db: Executor,
  req: Request,
  res: Response,
  q: Pick<Questionnaire, 'campaign' | 'firm' | 'draft'>,
  action: 'save' | 'submit',
) {
  const base = `/survey/${q.campaign.id}`;
  const suffix = (res.locals.forFirm as string | undefined) ?? '';
  const latest =
    q.draft.state === 'submitted'
      ? await latestResponse(db, q.campaign.id, q.firm.organisationId)
      : undefined;
  // Sent or withdrawn elsewhere: the receipt shows it; changed elsewhere: the review, again.
  const what = !latest ? 'changed' : latest.status === 'withdrawn' ? 'withdrawn' : 'submitted';
  res.status(409).render('survey/conflict', {
    title: req.t('survey.conflict.title'),
    campaign: q.campaign,
    what,
    action,
    version: latest?.version,
    when: latest && (latest.status === 'withdrawn' ? latest.withdrawn_at : latest.submitted_at),
    href: latest ? `${base}/receipt${suffix}` : `${base}/step/${STEP.review}${suffix}`,
  });
}
