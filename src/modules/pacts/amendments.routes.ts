import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { flash } from '../../http/flash';
import { formErrors, parseForm, safeParseQuery, uuidParam } from '../../http/validate';
import { DomainError, NotFoundError } from '../../lib/domain-error';
import { loadPactFor } from './access';
import { actionFields, pactFields } from './amendments.fields';
import { newProposalQuery, proposalSchema } from './amendments.schemas';
import { decideAmendment, findAmendment, proposeAmendment } from './amendments.service';
import { amendmentView, outdatedMessage } from './amendments.view';
import { withdrawAmendment } from './amendments.withdraw';
import { decisionSchema, emptySchema } from './negotiation.schemas';
import * as repo from './pacts.repository';
import { isEditable } from './pact-workflow';
import { AMENDMENT_KINDS } from './negotiation.tables';
import { MODALITIES } from './pacts.tables';
import { pactFieldLabels, skillNeeds } from './pacts.view';

type Values = Record<string, unknown>;

/** Amendments: a signatory proposes (one question per page: what, then how), the promoter decides. */
export function amendmentRoutes({ db }: AppServices): Router {
  const router = Router();

  const newForm = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    if (party !== 'signatory')
      throw new DomainError('negotiation.errors.amendSignatoryOnly', { status: 403 });
    const given = (extra as { values?: Values }).values;
    const q = safeParseQuery(newProposalQuery, req.query);
    const asked = given?.kind ?? (q.success ? q.data.kind : undefined);
    // A kind the form never offers (a crafted post) is asked again, not shown as a raw key.
    const kind = (AMENDMENT_KINDS as readonly unknown[]).includes(asked)
      ? (asked as string)
      : undefined;
    const actionId = (given?.actionId ?? (q.success ? q.data.action : undefined)) as
      string | undefined;
    const actions = await repo.listActions(db, pact.id);
    const base = {
      title: req.t('negotiation.amendments.newTitle'),
      pact,
      tab: 'negotiation',
      fieldLabels: pactFieldLabels(req.t),
    };
    const needsAction = kind === 'change_action' || kind === 'remove_action';
    const action = needsAction ? actions.find((a) => a.id === actionId) : undefined;
    if (!kind || (needsAction && !action)) {
      // Step 1: what the amendment is about.
      return res.status(status).render('pacts/amendment-new', {
        ...base,
        step: 'choose',
        actions: actions.map((a) => ({ value: a.id, label: `${a.position}. ${a.title}` })),
        ...extra,
        errors:
          needsAction && kind
            ? { action: req.t('negotiation.errors.chooseAction') }
            : asked !== undefined && !kind
              ? { kind: req.t('validation.choice') }
              : undefined,
      });
    }
    const stored: Values =
      kind === 'change_pact'
        ? pactFields(pact)
        : action
          ? { ...actionFields(action), provider: action.provider ?? '' }
          : { modality: 'classroom', eqfLevel: 4, skills: [] };
    const values: Values = {
      ...stored,
      ...given,
      kind,
      actionId,
      revision: given?.revision ?? pact.revision,
    };
    const chosen = new Set(([] as unknown[]).concat(values.skills ?? []).map(String));
    const lang = res.locals.lang as string;
    const needs =
      kind === 'change_action' || kind === 'add_action'
        ? await skillNeeds(db, req.user!, pact.campaign_id, pact.territory_code, lang, {
            exceptAction: action?.id,
            chosen,
          })
        : [];
    res.status(status).render('pacts/amendment-new', {
      ...base,
      step: 'form',
      kind,
      kindLabel: req.t(`negotiation.kind.${kind}`),
      action,
      actionFields: kind === 'change_action' || kind === 'add_action',
      pactFields: kind === 'change_pact',
      skills: needs.map((n) => ({ ...n, checked: chosen.has(n.code) })),
      modalities: MODALITIES.map((m) => ({ value: m, label: req.t(`pacts.modality.${m}`) })),
      eqfLevels: [1, 2, 3, 4, 5, 6, 7, 8].map((l) => ({ value: String(l), label: `EQF ${l}` })),
      ...extra,
      values: { ...values, eqfLevel: String(values.eqfLevel ?? '') },
    });
  };

  router.get('/pacts/:id/amendments/new', allow('pact:negotiate'), async (req, res) => {
    // A closed negotiation (an old link) is said before the form, not after it is filled in.
    const { pact } = await loadPactFor(db, uuidParam(req), req.user!);
    if (!isEditable(pact.status)) {
      flash(req, 'negotiation.errors.closed', { status: pact.status }, 'warning');
      return res.redirect(`/pacts/${pact.id}/negotiation`);
    }
    return newForm(req, res, 200);
  });

  router.post('/pacts/:id/amendments', allow('pact:negotiate'), async (req, res) => {
    const id = uuidParam(req);
    const parsed = parseForm(proposalSchema, req);
    if (!parsed.ok) return newForm(req, res, 422, parsed);
    try {
      const am = await proposeAmendment(db, req.user!, id, parsed.data);
      flash(req, 'negotiation.flash.proposed');
      res.redirect(`/pacts/${id}/amendments/${am.id}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      // On a stale form the user's text is kept and the form moves to the current revision.
      const current = (err as { current?: number }).current;
      const values = { ...(req.body as Values), ...(current ? { revision: current } : {}) };
      return newForm(req, res, err.status, { errors: formErrors(req, err), values });
    }
  });

  const page = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const view = await amendmentView(db, req, req.user!, uuidParam(req), uuidParam(req, 'amId'));
    res.status(status).render('pacts/amendment', {
      title: req.t('negotiation.amendments.pageTitle'),
      tab: 'negotiation',
      ...view,
      kindLabel: req.t(`negotiation.kind.${view.am.kind}`),
      statusLabel: req.t(`negotiation.amendmentStatus.${view.am.status}`),
      values: { revision: view.pact.revision },
      fieldLabels: pactFieldLabels(req.t),
      ...extra,
    });
  };

  router.get('/pacts/:id/amendments/:amId', allow('pact:read'), (req, res) => page(req, res, 200));

  router.post('/pacts/:id/amendments/:amId/decide', allow('pact:draft'), async (req, res) => {
    const id = uuidParam(req);
    const amId = uuidParam(req, 'amId');
    const parsed = parseForm(decisionSchema, req);
    if (!parsed.ok) return page(req, res, 422, { errors: parsed.errors, values: parsed.values });
    try {
      const d = await decideAmendment(db, req.user!, id, amId, parsed.data);
      if (d.status === 'outdated')
        return page(req, res, 409, { outdatedNow: outdatedMessage(req, d.why) });
      if (d.status === 'accepted')
        flash(req, 'negotiation.flash.accepted', { revision: String(d.revision) });
      else flash(req, 'negotiation.flash.declined');
      res.redirect(`/pacts/${id}/amendments/${amId}`);
    } catch (err) {
      if (err instanceof NotFoundError || !(err instanceof DomainError) || err.status === 403)
        throw err;
      // Only the reason is a field of this page; any other refusal (needs exceeded, a newer
      // revision) is about the whole decision.
      const msg = req.t(err.messageKey, err.options.params);
      const field = err.options.field === 'reason' ? 'reason' : '_form';
      return page(req, res, err.status, { errors: { [field]: msg }, values: req.body });
    }
  });

  // Withdrawing cannot be undone (the proposal stays in the record, closed): asked first.
  router.get('/pacts/:id/amendments/:amId/withdraw', allow('pact:negotiate'), async (req, res) => {
    const view = await amendmentView(db, req, req.user!, uuidParam(req), uuidParam(req, 'amId'));
    const path = `/pacts/${view.pact.id}/amendments/${view.am.id}`;
    if (view.am.organisation_id !== req.user!.organisationId)
      throw new DomainError('negotiation.errors.notYourAmendment', { status: 403 });
    if (!view.canWithdraw) return res.redirect(path);
    const proposal = [req.t(`negotiation.kind.${view.am.kind}`), view.target]
      .filter(Boolean)
      .join(': ');
    renderConfirm(req, res, {
      title: req.t('negotiation.amendments.withdrawTitle'),
      context: `${view.pact.title} · ${req.t(`pacts.status.${view.pact.status}`)}`,
      lead: req.t('negotiation.amendments.withdrawWhich', {
        proposal,
        revision: view.am.base_revision,
      }),
      paragraphs: [req.t('negotiation.amendments.withdrawFinal')],
      action: `${path}/withdraw`,
      button: req.t('negotiation.amendments.withdraw'),
      back: path,
      backLabel: req.t('negotiation.amendments.withdrawKeep'),
      cancelLabel: req.t('negotiation.amendments.withdrawKeep'),
      irreversible: false,
    });
  });

  router.post('/pacts/:id/amendments/:amId/withdraw', allow('pact:negotiate'), async (req, res) => {
    const id = uuidParam(req);
    const amId = uuidParam(req, 'amId');
    const parsed = parseForm(emptySchema, req);
    if (!parsed.ok) return page(req, res, 422, { errors: parsed.errors });
    try {
      await withdrawAmendment(db, req.user!, id, amId);
    } catch (err) {
      if (err instanceof NotFoundError || !(err instanceof DomainError) || err.status === 403)
        throw err;
      // A double click: this user's first click withdrew it. Done, as it said.
      const am = await findAmendment(db, id, amId);
      if (am.status === 'withdrawn' && am.decided_by === req.user!.id) {
        flash(req, 'negotiation.flash.withdrawn');
        return res.redirect(`/pacts/${id}/amendments/${amId}`);
      }
      return page(req, res, err.status, {
        errors: { _form: req.t(err.messageKey, err.options.params) },
      });
    }
    flash(req, 'negotiation.flash.withdrawn');
    res.redirect(`/pacts/${id}/amendments/${amId}`);
  });

  return router;
}
