import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash } from '../../http/flash';
import { formKeyFor } from '../../http/form-key';
import { parseQueryOrDefaults } from '../../http/query';
import { formErrors, parseForm, safeParseQuery, uuidParam } from '../../http/validate';
import { DomainError } from '../../lib/domain-error';
import { isWithin } from '../accounts/accounts.repository';
import { findCurrentTerritory, localName } from '../reference/territories.repository';
import { loadPactFor } from './access';
import { actionRoutes } from './actions.routes';
import { declineRoutes } from './decline.routes';
import { EXECUTED_STATUSES } from './execution.service';
import { historyRoutes } from './history.routes';
import { isEditable, type PactStatus } from './pact-workflow';
import * as repo from './pacts.repository';
import { newPactQuery, pactEditSchema, pactListQuery, pactSchema } from './pacts.schemas';
import { createPact, listPactsFor, pactView, updatePact } from './pacts.service';
import { euros, pactFieldLabels, redirectIfClosed, skillNeeds } from './pacts.view';
import { renderStale } from './stale.view';
import { StaleRevisionError } from './stale';
import { signatoryRoutes } from './signatories.routes';
import { signatureStates } from './signatures.service';
import { workflowRoutes } from './workflow.routes';
import { submissionGap } from './workflow.service';

/** "Firenze (ITI14)" for the filter's heading; empty when there is none or it is unknown. */
async function territoryLabel(db: AppServices['db'], code: string | undefined, lang: string) {
  const t = code ? await findCurrentTerritory(db, code) : undefined;
  return t ? `${localName(t, lang)} (${t.code})` : '';
}

const LIST_READER: Record<string, 'promoter' | 'partner' | 'region' | 'admin'> = {
  local_authority: 'promoter',
  social_partner: 'partner',
  region: 'region',
  admin: 'admin',
};

export function pactRoutes(services: AppServices): Router {
  const { db } = services;
  const router = Router();

  router.get('/pacts', allow('pact:read'), async (req, res) => {
    // A bad filter is ignored, with a notice, rather than an error page: these are only filters.
    const q = parseQueryOrDefaults(pactListQuery, req, res);
    const status = q.status ? (q.status as PactStatus) : undefined;
    const territory = q.territory || undefined;
    const campaign = q.campaign || undefined;
    const filters = { status, territory, campaign };
    const lang = res.locals.lang as string;
    const pacts = (await listPactsFor(db, req.user!, filters)).map((p) => ({
      ...p,
      // In the reader's language ('Florence'), as on the pact's own pages.
      territory_name: localName({ name: p.territory_name, names: p.territory_names }, lang),
      requested: euros(p.requested_cents),
      approved: EXECUTED_STATUSES.includes(p.status) ? euros(p.approved_cents) : null,
    }));
    // Who reads decides the sections: only a local authority promotes pacts, a partner is
    // invited to them, the region examines them, the admin sees them all.
    const reader = LIST_READER[req.user!.role] ?? 'partner';
    // Filtered, an empty list says the filter found nothing, not that there are no pacts yet.
    const filtered = Boolean(status || territory || campaign);
    res.render('pacts/list', {
      title: req.t('pacts.list.title'),
      intro: req.t(`pacts.list.intro.${reader}`),
      othersTitle: req.t(`pacts.list.others.${reader}`),
      mineEmpty: req.t(filtered ? 'pacts.list.noneFiltered' : 'pacts.list.noneMine'),
      othersEmpty: req.t(filtered ? 'pacts.list.noneFiltered' : `pacts.list.noneOthers.${reader}`),
      showMine: reader === 'promoter',
      // Those invited to sign see where their organisation's signature stands.
      showSignature: reader === 'promoter' || reader === 'partner',
      mine: pacts.filter((p) => p.mine),
      others: pacts.filter((p) => !p.mine),
      status,
      territory,
      campaign,
      territoryName: await territoryLabel(db, territory, lang),
      canDraft: req.user!.role === 'local_authority',
    });
  });

  const newForm = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const user = req.user!;
    const lang = res.locals.lang as string;
    const values = (extra as { values?: Record<string, unknown> }).values;
    const q = safeParseQuery(newPactQuery, req.query);
    // The refused form's own choices only when they are what the pickers send (a posted body
    // may hold anything: they are looked up below).
    const posted = newPactQuery.safeParse({
      campaign: typeof values?.campaignId === 'string' ? values.campaignId : undefined,
      territory: typeof values?.territoryCode === 'string' ? values.territoryCode : undefined,
    });
    const campaignId =
      (posted.success && posted.data.campaign) || (q.success && q.data.campaign) || '';
    const asked =
      (posted.success && posted.data.territory) ||
      (q.success && q.data.territory) ||
      user.territoryCode;
    // A territory put in the address outside the authority's: said so, not shown as one whose
    // firms declared nothing (a refused post keeps its own error and values).
    const outOfScope = !values && !(await isWithin(db, asked, user.territoryCode));
    const territoryCode = outOfScope ? user.territoryCode : asked;
    const scopeError = outOfScope
      ? { errors: { territory: req.t('pacts.errors.territoryOutOfScope') } }
      : {};
    // By name as the reader reads it ('Barberino di Mugello' before 'Barberino Tavarnelle';
    // English names in English), not in the database's byte order of the Italian names.
    const territories = (
      await db
        .selectFrom('territories')
        .innerJoin('territory_ancestors as ta', 'ta.code', 'territories.code')
        .select([
          'territories.code',
          'territories.level',
          'territories.name',
          'territories.names',
          'ta.depth',
        ])
        .where('ta.ancestor_code', '=', user.territoryCode)
        .where('ta.depth', '<=', 2)
        .where('territories.valid_to', 'is', null)
        .execute()
    )
      .map((t) => ({ ...t, local: localName(t, lang) }))
      .sort((a, b) => a.depth - b.depth || a.local.localeCompare(b.local, lang));
    // A refused form keeps its id, so its later successful post is still one pact.
    const formId = z.uuid().safeParse(values?.formId).data ?? crypto.randomUUID();
    const campaigns = await repo.campaignsCovering(db, territoryCode);
    const chosen = outOfScope ? undefined : campaigns.find((c) => c.id === campaignId);
    // "Show the needs" pressed with no survey chosen, or with one that does not cover the
    // territory (a stale link): said next to the picker, not an unchanged page.
    const asksNeeds = !values && !outOfScope && 'campaign' in req.query && !chosen;
    const campaignError = asksNeeds
      ? {
          errors: {
            campaign: req.t(
              req.query.campaign
                ? 'pacts.errors.campaignNotCovering'
                : 'pacts.errors.chooseCampaign',
            ),
          },
        }
      : {};
    res.status(status).render('pacts/new', {
      title: req.t('pacts.new.title'),
      fieldLabels: pactFieldLabels(req.t),
      campaigns: campaigns.map((c) => ({ value: c.id, label: c.title })),
      territories: territories.map((t) => ({ value: t.code, label: `${t.local} (${t.code})` })),
      chosen,
      needs: chosen ? await skillNeeds(db, user, chosen.id, territoryCode, lang) : [],
      calls: chosen
        ? (await repo.callsCovering(db, territoryCode, chosen.id)).map((c) => ({
            value: c.id,
            label: c.title,
          }))
        : [],
      values: { campaignId, territoryCode, ...values, formId },
      ...scopeError,
      ...campaignError,
      ...extra,
    });
  };

  router.get('/pacts/new', allow('pact:draft'), (req, res) => newForm(req, res, 200));

  router.post('/pacts', allow('pact:draft'), async (req, res) => {
    const form = parseForm(pactSchema, req);
    if (!form.ok) return newForm(req, res, 422, form);
    try {
      const id = await createPact(db, req.user!, form.data);
      flash(req, 'pacts.flash.created');
      res.redirect(`/pacts/${id}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return newForm(req, res, err.status, { errors: formErrors(req, err), values: req.body });
    }
  });

  router.get('/pacts/:id', allow('pact:read'), async (req, res) => {
    const view = await pactView(db, req.user!, uuidParam(req));
    const lang = res.locals.lang as string;
    // Who has signed the revision in force, beside each signatory's name.
    const signed = new Set(
      (await signatureStates(db, view.pact.id, view.pact.revision))
        .filter((s) => s.signedCurrent)
        .map((s) => s.id),
    );
    res.render('pacts/show', {
      title: view.pact.title,
      ...view,
      territoryName: localName(view.territory, lang),
      requested: euros(view.pact.requested_cents),
      approved: EXECUTED_STATUSES.includes(view.pact.status)
        ? euros(view.pact.approved_cents)
        : null,
      actions: view.actions.map((a) => ({
        ...a,
        cost: euros(a.cost_cents),
        // "N of M participants funded" once the region approved the action in part.
        partlyFunded:
          EXECUTED_STATUSES.includes(view.pact.status) &&
          a.funded_participants !== null &&
          a.funded_participants < a.participants,
        backing: a.backing.map((b) => ({
          ...b,
          skillName: localName({ name: b.skillName, names: b.skillNames }, lang),
        })),
      })),
      activeSignatories: view.signatories
        .filter((s) => !s.removed_at)
        .map((s) => ({ ...s, signedCurrent: signed.has(s.id) })),
      canDecline: view.party === 'signatory' && isEditable(view.pact.status),
      can: Object.fromEntries(view.allowed.map((a) => [a, true])),
      // The promoter's step buttons (open negotiation, reopen): a double click takes one step.
      formKey: formKeyFor(undefined),
      // Said before the promoter tries: submitPact refuses it with the same words.
      submitGap: view.allowed.includes('submit')
        ? submissionGap(view.actions.length, view.pact.call_id)
        : null,
      tab: 'pact',
    });
  });

  const editForm = async (req: Request, res: Response, status: number, extra: object = {}) => {
    const view = await pactView(db, req.user!, uuidParam(req));
    if (view.party !== 'promoter')
      throw new DomainError('pacts.errors.promoterOnly', { status: 403 });
    const calls = await repo.callsCovering(db, view.pact.territory_code, view.pact.campaign_id);
    res.status(status).render('pacts/edit', {
      title: req.t('pacts.edit.title'),
      fieldLabels: pactFieldLabels(req.t),
      pact: view.pact,
      calls: calls.map((c) => ({ value: c.id, label: c.title })),
      values: {
        revision: view.pact.revision,
        title: view.pact.title,
        summary: view.pact.summary,
        callId: view.pact.call_id ?? '',
      },
      ...extra,
    });
  };

  router.get('/pacts/:id/edit', allow('pact:draft'), async (req, res) => {
    const { pact, party } = await loadPactFor(db, uuidParam(req), req.user!);
    // Only the promoter learns why; anyone else is refused by the form as before.
    if (party !== 'promoter' || !redirectIfClosed(req, res, pact)) await editForm(req, res, 200);
  });

  router.post('/pacts/:id/edit', allow('pact:draft'), async (req, res) => {
    const id = uuidParam(req);
    const form = parseForm(pactEditSchema, req);
    if (!form.ok) return editForm(req, res, 422, form);
    try {
      await updatePact(db, req.user!, id, form.data);
      flash(req, 'pacts.flash.updated');
      res.redirect(`/pacts/${id}`);
    } catch (err) {
      if (err instanceof StaleRevisionError)
        return renderStale(db, req, res, err, { kind: 'pact', pactId: id, yours: form.data });
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      return editForm(req, res, err.status, { errors: formErrors(req, err), values: req.body });
    }
  });

  router.use(actionRoutes(services));
  router.use(signatoryRoutes(services));
  router.use(declineRoutes(services));
  router.use(workflowRoutes(services));
  router.use(historyRoutes(services));
  return router;
}
