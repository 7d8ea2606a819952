import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { formKeyFor, postedFormKey } from '../../http/form-key';
import { formErrors, parseForm, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import {
  findAction,
  addAction,
  justRemovedBy,
  removeAction,
  updateAction,
} from './actions.service';
import { findCall } from './pacts.repository';
import { loadPactFor } from './access';
import { MODALITIES } from './pacts.tables';
import { actionSchema, revisionOnlySchema } from './pacts.schemas';
import { pactFieldLabels, redirectIfClosed, skillNeeds } from './pacts.view';
import { StaleRevisionError } from './stale';
import { renderStale } from './stale.view';

/** The promoter's action forms; every save carries the revision it was read at. */
export function actionRoutes({ db }: AppServices): Router {
  const router = Router();

  const form = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    if (party !== 'promoter') throw new DomainError('pacts.errors.promoterOnly', { status: 403 });
    const actionId = req.params.actionId ? uuidParam(req, 'actionId') : undefined;
    const action = actionId ? await findAction(db, pact.id, actionId) : undefined;
    const lang = res.locals.lang as string;
    const stored = action
      ? {
          title: action.title,
          description: action.description,
          skills: action.skill_codes,
          participants: action.participants,
          hours: action.hours,
          modality: action.modality,
          eqfLevel: action.eqf_level,
          period: action.period,
          provider: action.provider ?? '',
        }
      : { modality: 'classroom', eqfLevel: 4, skills: [] };
    const given = (extra as { values?: Record<string, unknown> }).values;
    const values = { ...stored, ...given, revision: given?.revision ?? pact.revision };
    const chosen = new Set(([] as unknown[]).concat(values.skills ?? []).map(String));
    const needs = await skillNeeds(db, req.user!, pact.campaign_id, pact.territory_code, lang, {
      exceptAction: action?.id,
      chosen,
    });
    // The rates themselves, so the officer can size an action against the budget before saving.
    const call = pact.call_id ? await findCall(db, pact.call_id) : undefined;
    res.status(status).render('pacts/action-form', {
      title: req.t(action ? 'pacts.action.editTitle' : 'pacts.action.newTitle'),
      pact,
      action,
      formAction: action
        ? `/pacts/${pact.id}/actions/${action.id}/edit`
        : `/pacts/${pact.id}/actions`,
      skills: needs.map((n) => ({ ...n, checked: chosen.has(n.code) })),
      modalities: MODALITIES.map((m) => ({ value: m, label: req.t(`pacts.modality.${m}`) })),
      eqfLevels: [1, 2, 3, 4, 5, 6, 7, 8].map((l) => ({ value: String(l), label: `EQF ${l}` })),
      fieldLabels: pactFieldLabels(req.t),
      rates: call && {
        course: call.course_hour_cents / 100,
        participant: call.participant_hour_cents / 100,
      },
      // Only a new action can be doubled; a refused form keeps its key (http/form-key).
      formKey: action ? undefined : formKeyFor(given),
      ...extra,
      values: { ...values, eqfLevel: String(values.eqfLevel ?? '') },
    });
  };

  const save = (kind: 'newAction' | 'action') => async (req: Request, res: Response) => {
    const pactId = uuidParam(req);
    const actionId = kind === 'action' ? uuidParam(req, 'actionId') : undefined;
    const parsed = parseForm(actionSchema, req);
    if (!parsed.ok) return form(req, res, 422, parsed);
    try {
      if (actionId) await updateAction(db, req.user!, pactId, actionId, parsed.data);
      else await addAction(db, req.user!, pactId, parsed.data, postedFormKey(req.body));
      flash(req, actionId ? 'pacts.flash.actionUpdated' : 'pacts.flash.actionAdded');
      res.redirect(`/pacts/${pactId}`);
    } catch (err) {
      if (err instanceof StaleRevisionError)
        return renderStale(db, req, res, err, {
          kind,
          pactId,
          actionId,
          yours: parsed.data,
          formKey: postedFormKey(req.body),
        });
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      return form(req, res, err.status, { errors: formErrors(req, err), values: req.body });
    }
  };

  const open = async (req: Request, res: Response) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    // Only the promoter learns why; anyone else is refused by the form as before.
    if (party !== 'promoter' || !redirectIfClosed(req, res, pact)) await form(req, res, 200);
  };
  router.get('/pacts/:id/actions/new', allow('pact:draft'), open);
  router.post('/pacts/:id/actions', allow('pact:draft'), save('newAction'));
  router.get('/pacts/:id/actions/:actionId/edit', allow('pact:draft'), open);
  router.post('/pacts/:id/actions/:actionId/edit', allow('pact:draft'), save('action'));

  const confirmRemoval = async (req: Request, res: Response, status: number, extra = {}) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    if (party !== 'promoter') throw new DomainError('pacts.errors.promoterOnly', { status: 403 });
    const action = await findAction(db, pact.id, uuidParam(req, 'actionId'));
    if (redirectIfClosed(req, res, pact)) return;
    res.status(status).render('pacts/action-remove', {
      title: req.t('pacts.action.removeTitle'),
      pact,
      action,
      ...extra,
    });
  };

  router.get('/pacts/:id/actions/:actionId/remove', allow('pact:draft'), (req, res) =>
    confirmRemoval(req, res, 200),
  );

  router.post('/pacts/:id/actions/:actionId/remove', allow('pact:draft'), async (req, res) => {
    const pactId = uuidParam(req);
    const parsed = parseForm(revisionOnlySchema, req);
    if (!parsed.ok) throw new DomainError('pacts.errors.badForm', { status: 422 });
    const actionId = uuidParam(req, 'actionId');
    try {
      await removeAction(db, req.user!, pactId, actionId, parsed.data.revision);
    } catch (err) {
      // A double click: this user's first click removed it. Done, as it said.
      if (
        err instanceof NotFoundError &&
        (await justRemovedBy(db, pactId, actionId, parsed.data.revision, req.user!.id))
      ) {
        flash(req, 'pacts.flash.actionRemoved');
        return res.redirect(`/pacts/${pactId}`);
      }
      // Changed meanwhile: asked again at the current revision, not a dead-end error page.
      if (!(err instanceof StaleRevisionError)) throw err;
      const message = req.t('pacts.errors.staleRemove', { current: err.current });
      return confirmRemoval(req, res, 409, { errors: { _form: message } });
    }
    flash(req, 'pacts.flash.actionRemoved');
    res.redirect(`/pacts/${pactId}`);
  });

  return router;
}
