import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { flash, flashRefusal } from '../../http/flash';
import { extensionRoutes, type ExtensionPage } from '../../http/extension';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { parseQueryOrDefaults } from '../../http/query';
import { parseForm, uuidParam } from '../../http/validate';
import { renderConfirm } from '../../http/confirm';
import { DomainError } from '../../lib/domain-error';
import { scopeCodes } from '../accounts/scope';
import { localName, territoryPath } from '../reference/territories.repository';
import { romeToday } from '../survey/calendar';
import * as repo from './calls.repository';
import {
  createCall,
  getCallFor,
  deleteDraftCall,
  extendCall,
  getManagedCall,
  listCallsFor,
  transitionCall,
  updateDraftCall,
  type CallRow,
} from './calls.service';
import { callProblems, type CallProblem } from './calls.rules';
import {
  ALLOCATION_ROWS,
  MAX_ALLOCATION_ROWS,
  callFromForm,
  callListQuery,
  callSchema,
  validCallFields,
} from './funding.schemas';
import { raisesOf } from './budget-raise.repository';
import { callLedger } from './ledger.view';
import { centsToInput, euros } from './money';
import type { CallStatus } from './funding.tables';

/** One message per field, the first rule broken there. */
function problemErrors(problems: CallProblem[], t: Request['t']): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems)
    errors[p.field] ??= t(p.key, { ...p.params, interpolation: { escapeValue: false } });
  return errors;
}

/** The summary lists the errors in the order of the form's fields. */
const FIELD_ORDER = [
  '_form',
  ...['title', 'description', 'territoryCode', 'campaignId', 'deadline'],
  ...['budget', 'courseHour', 'participantHour', 'cofinancingPercent'],
  ...['maxHours', 'minParticipants', 'maxParticipants', 'maxCostPerParticipant', 'skillAreas'],
  ...Array.from({ length: MAX_ALLOCATION_ROWS }, (_, i) => [
    `alloc${i}Territory`,
    `alloc${i}Amount`,
  ]).flat(),
];
/** The error summary names each field as its label does ("Dotazione (€): …"). */
function callFieldLabels(t: Request['t']): Record<string, string> {
  return Object.fromEntries(
    FIELD_ORDER.filter((f) => f !== '_form').map((f) => {
      const row = /^alloc(\d+)(Territory|Amount)$/.exec(f);
      if (!row) return [f, t(`funding.fields.${f}`)];
      return [f, t(`funding.fields.allocation${row[2]}`, { n: Number(row[1]) + 1 })];
    }),
  );
}
const inFormOrder = (errors: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)),
  );

/** Five rows, or the reserves filled in (a draft may hold more, from the API) and five more. */
function allocationRowCount(values: Record<string, unknown>): number {
  let filled = 0;
  for (let i = 0; i < MAX_ALLOCATION_ROWS; i++)
    if (String(values[`alloc${i}Territory`] ?? '') || String(values[`alloc${i}Amount`] ?? ''))
      filled = i + 1;
  // Every row used (a region with ten provinces): as many empty ones again after them, so more
  // reserves can be added without script.
  return filled < ALLOCATION_ROWS
    ? ALLOCATION_ROWS
    : Math.min(MAX_ALLOCATION_ROWS, filled + ALLOCATION_ROWS);
}

/** A call's budget raises, the latest first, each reserve raised named in the reader's language. */
async function raisesView(db: AppServices['db'], callId: string, lang: string) {
  const rows = await raisesOf(db, callId);
  if (!rows.length) return [];
  const names = new Map(
    (await repo.callAllocations(db, callId)).map((a) => [a.territory_code, localName(a, lang)]),
  );
  return rows.map((r) => ({
    at: r.at,
    from: euros(r.from_cents),
    to: euros(r.to_cents),
    reason: r.reason,
    by: r.full_name,
    allocations: r.allocations.map((a) => ({
      territory: names.get(a.territoryCode) ?? a.territoryCode,
      // A reserve the raise added: it had none before.
      added: a.fromCents === 0,
      from: euros(a.fromCents),
      to: euros(a.toCents),
    })),
  }));
}

/** A stored call as its form shows it: amounts typed back in the page's language. */
async function callFormValues(db: AppServices['db'], call: CallRow, lang: string) {
  const allocations = await repo.callAllocations(db, call.id);
  const areas = await repo.callAreas(db, call.id);
  return {
    title: call.title,
    description: call.description ?? '',
    territoryCode: call.territory_code,
    campaignId: call.campaign_id ?? '',
    deadline: call.deadline,
    budget: centsToInput(call.budget_cents, lang),
    courseHour: centsToInput(call.course_hour_cents, lang),
    participantHour: centsToInput(call.participant_hour_cents, lang),
    cofinancingPercent: String(call.cofinancing_percent),
    maxHours: call.max_hours_per_action?.toString() ?? '',
    minParticipants: call.min_participants?.toString() ?? '',
    maxParticipants: call.max_participants?.toString() ?? '',
    maxCostPerParticipant: centsToInput(call.max_cost_per_participant_cents, lang),
    skillAreas: areas.map((a) => a.code),
    ...Object.fromEntries(
      allocations.flatMap((a, i) => [
        [`alloc${i}Territory`, a.territory_code],
        [`alloc${i}Amount`, centsToInput(a.amount_cents, lang)],
      ]),
    ),
  };
}

export function callRoutes({ db }: AppServices): Router {
  const router = Router();

  router.get('/calls', allow('call:read'), async (req, res) => {
    const q = parseQueryOrDefaults(callListQuery, req, res);
    const status = q.status ? (q.status as CallStatus) : undefined;
    const lang = res.locals.lang as string;
    const calls = (await listCallsFor(db, req.user!, status)).map((c) => ({
      ...c,
      territoryName: localName({ name: c.territory_name, names: c.territory_names }, lang),
      budget: euros(c.budget_cents),
      committed: euros(c.committed_cents),
      available: euros(c.budget_cents - c.committed_cents),
    }));
    res.render('funding/list', {
      title: req.t('funding.list.title'),
      calls,
      status: status ?? '',
      manages: req.user!.role === 'region',
    });
  });

  const formView = async (req: Request, res: Response, status: number, extra: object) => {
    const lang = res.locals.lang as string;
    const user = req.user!;
    const values = ((extra as { values?: Record<string, unknown> }).values ?? {}) as Record<
      string,
      unknown
    >;
    const chosen = new Set(([] as unknown[]).concat(values.skillAreas ?? []).map(String));
    const scope = scopeCodes(user);
    let tq = db
      .selectFrom('territories')
      .select(['code', 'level', 'name', 'names'])
      .where('valid_to', 'is', null)
      .where('level', 'in', ['NUTS0', 'NUTS1', 'NUTS2', 'NUTS3'])
      .orderBy('level')
      .orderBy('name');
    if (scope) tq = tq.where('code', 'in', scope);
    const territories = (await tq.execute()).map((t) => ({
      value: t.code,
      label: `${localName(t, lang)} (${t.code}, ${t.level})`,
    }));
    let cq = db
      .selectFrom('campaigns as c')
      .innerJoin('territories as t', 't.code', 'c.territory_code')
      .select(['c.id', 'c.title', 't.name', 't.names'])
      .orderBy('c.created_at', 'desc');
    if (scope) cq = cq.where('c.territory_code', 'in', scope);
    const areas = await db
      .selectFrom('skill_areas')
      .select(['code', 'name', 'names'])
      .orderBy('position')
      .execute();
    res.status(status).render('funding/new', {
      title: req.t('funding.new.title'),
      formAction: '/calls',
      heading: req.t('funding.new.title'),
      intro: req.t('funding.new.intro'),
      submitLabel: req.t('funding.new.create'),
      // The edit form leaves it out (`formKey: undefined`): only a creation can be doubled.
      formKey: formKeyFor(values),
      fieldLabels: callFieldLabels(req.t),
      territories,
      campaigns: (await cq.execute()).map((c) => ({
        value: c.id,
        label: `${c.title} (${localName(c, lang)})`,
      })),
      areas: areas.map((a) => ({
        code: a.code,
        label: localName(a, lang),
        checked: chosen.has(a.code),
      })),
      allocationRows: Array.from({ length: allocationRowCount(values) }, (_, i) => ({
        territory: `alloc${i}Territory`,
        amount: `alloc${i}Amount`,
        n: i + 1,
      })),
      ...extra,
    });
  };

  router.get('/calls/new', allow('call:manage'), (req, res) =>
    formView(req, res, 200, {
      values: {
        territoryCode: req.user!.territoryCode,
        cofinancingPercent: '0',
        deadline: romeToday(),
      },
    }),
  );

  router.post('/calls', allow('call:manage'), async (req, res) => {
    const form = parseForm(callSchema, req);
    if (!form.ok) {
      // The fields the form took are checked against the service's rules too: every error at once.
      const problems = await callProblems(db, req.user!, validCallFields(form.values));
      return formView(req, res, 422, {
        ...form,
        errors: inFormOrder({ ...problemErrors(problems, req.t), ...form.errors }),
      });
    }
    try {
      const id = await createCall(db, req.user!, callFromForm(form.data), postedFormKey(req.body));
      flash(req, 'funding.flash.created');
      res.redirect(`/calls/${id}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const problems = err.options.details ?? [
        { field: err.options.field ?? '_form', key: err.messageKey, params: err.options.params },
      ];
      return formView(req, res, err.status, {
        errors: inFormOrder(problemErrors(problems, req.t)),
        values: req.body,
      });
    }
  });

  // A draft, which no authority has seen, can be corrected; once opened, only closing is left.
  const editView = (
    req: Request,
    res: Response,
    status: number,
    call: { id: string; title: string },
    extra: object,
  ) =>
    formView(req, res, status, {
      title: req.t('funding.edit.title', { title: call.title }),
      formAction: `/calls/${call.id}/edit`,
      heading: req.t('funding.edit.title', { title: call.title }),
      intro: req.t('funding.edit.intro'),
      submitLabel: req.t('funding.edit.save'),
      formKey: undefined,
      back: { href: `/calls/${call.id}`, label: req.t('funding.show.back') },
      ...extra,
    });

  router.get('/calls/:id/edit', allow('call:manage'), async (req, res) => {
    const call = await getManagedCall(db, req.user!, uuidParam(req));
    if (call.status !== 'draft') return res.redirect(`/calls/${call.id}`);
    return editView(req, res, 200, call, {
      values: await callFormValues(db, call, res.locals.lang as string),
    });
  });

  router.post('/calls/:id/edit', allow('call:manage'), async (req, res) => {
    const call = await getManagedCall(db, req.user!, uuidParam(req));
    // Opened meanwhile (another tab): whatever was typed, the draft is no longer there to edit.
    if (call.status !== 'draft')
      return editView(req, res, 409, call, {
        errors: { _form: req.t('funding.errors.notDraft') },
        values: req.body,
      });
    const form = parseForm(callSchema, req);
    if (!form.ok) {
      const problems = await callProblems(db, req.user!, validCallFields(form.values));
      return editView(req, res, 422, call, {
        ...form,
        errors: inFormOrder({ ...problemErrors(problems, req.t), ...form.errors }),
      });
    }
    try {
      await updateDraftCall(db, req.user!, call.id, callFromForm(form.data));
      flash(req, 'funding.flash.updated');
      res.redirect(`/calls/${call.id}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      const problems = err.options.details ?? [
        { field: err.options.field ?? '_form', key: err.messageKey, params: err.options.params },
      ];
      return editView(req, res, err.status, call, {
        errors: inFormOrder(problemErrors(problems, req.t)),
        values: req.body,
      });
    }
  });

  router.get('/calls/:id', allow('call:read'), async (req, res) => {
    const { call, manages } = await getCallFor(db, req.user!, uuidParam(req));
    const lang = res.locals.lang as string;
    const path = await territoryPath(db, call.territory_code);
    const campaign = call.campaign_id
      ? await db
          .selectFrom('campaigns')
          .select(['id', 'title'])
          .where('id', '=', call.campaign_id)
          .executeTakeFirst()
      : undefined;
    res.render('funding/show', {
      title: call.title,
      // The open button: a double click opens it once (http/form-key).
      formKey: formKeyFor(undefined),
      call: {
        ...call,
        budget: euros(call.budget_cents),
        committed: euros(call.committed_cents),
        available: euros(call.budget_cents - call.committed_cents),
        courseHour: euros(call.course_hour_cents),
        participantHour: euros(call.participant_hour_cents),
        maxCostPerParticipant: euros(call.max_cost_per_participant_cents),
      },
      campaign,
      territory: path.map((t) => localName(t, lang)).join(' › '),
      areas: (await repo.callAreas(db, call.id)).map((a) => localName(a, lang)),
      firstBudget: euros(call.first_budget_cents),
      raises: await raisesView(db, call.id, lang),
      allocations: (await repo.callAllocations(db, call.id)).map((a) => ({
        name: localName(a, lang),
        code: a.territory_code,
        amount: euros(a.amount_cents),
        committed: euros(a.committed_cents),
        available: euros(a.amount_cents - a.committed_cents),
      })),
      manages,
      // A draft whose deadline has gone by cannot be opened: the page says so and leads to the edit.
      deadlinePassed: manages && call.status === 'draft' && call.deadline < romeToday(),
      // The ledger names pacts and amounts: the region's (and admin's) view only.
      ledger:
        req.user!.role === 'region' || req.user!.role === 'admin'
          ? await callLedger(db, call.id, lang)
          : null,
    });
  });

  // Closing a call cannot be undone: the call page's button leads here, to say so first.
  router.get('/calls/:id/close', allow('call:manage'), async (req, res) => {
    const { call, manages } = await getCallFor(db, req.user!, uuidParam(req));
    const back = `/calls/${call.id}`;
    if (!manages || call.status !== 'open') return res.redirect(back);
    renderConfirm(req, res, {
      title: req.t('funding.show.closeTitle', { title: call.title }),
      paragraphs: [req.t('funding.show.closeConfirm')],
      action: `/calls/${call.id}/close`,
      button: req.t('funding.show.close'),
      back,
      backLabel: req.t('funding.show.back'),
      hidden: { [FORM_KEY]: formKeyFor(undefined) },
    });
  });

  // A "proroga": the deadline moved later, while the call is open (or past its day).
  const extensionPage = (req: Request, call: CallRow): ExtensionPage => ({
    title: req.t('funding.extend.title'),
    context: call.title,
    lead: req.t('funding.extend.lead', { date: call.deadline }),
    points: [req.t('funding.extend.later'), req.t('funding.extend.told')],
    field: 'deadline',
    label: req.t('funding.extend.label'),
    hint: req.t('funding.extend.hint'),
    action: `/calls/${call.id}/extend`,
    button: req.t('funding.extend.button'),
    back: `/calls/${call.id}`,
    backLabel: req.t('funding.show.back'),
  });

  extensionRoutes(router, 'call:manage', '/calls', {
    load: (req) => getManagedCall(db, req.user!, uuidParam(req)),
    page: extensionPage,
    extend: async (req, call, day) => (await extendCall(db, req.user!, call.id, day)).call.deadline,
    done: 'funding.flash.extended',
  });

  // A draft made twice or by mistake can go: no authority has seen it.
  router.get('/calls/:id/delete', allow('call:manage'), async (req, res) => {
    const call = await getManagedCall(db, req.user!, uuidParam(req));
    const back = `/calls/${call.id}`;
    if (call.status !== 'draft') return res.redirect(back);
    renderConfirm(req, res, {
      title: req.t('funding.show.deleteTitle', { title: call.title }),
      paragraphs: [req.t('funding.show.deleteConfirm')],
      action: `/calls/${call.id}/delete`,
      button: req.t('funding.show.delete'),
      back,
      backLabel: req.t('funding.show.back'),
      hidden: { [FORM_KEY]: formKeyFor(undefined) },
    });
  });

  router.post('/calls/:id/delete', allow('call:manage'), async (req, res) => {
    const id = uuidParam(req);
    try {
      await deleteDraftCall(db, req.user!, id, postedFormKey(req.body));
    } catch (err) {
      flashRefusal(req, err);
      return res.redirect(`/calls/${id}`);
    }
    flash(req, 'funding.flash.deleted');
    res.redirect('/calls');
  });

  // 'close' + 'ed' read 'closeed': a key with no message, shown as it is.
  const DONE = { open: 'opened', close: 'closed' } as const;
  for (const action of ['open', 'close'] as const) {
    router.post(`/calls/:id/${action}`, allow('call:manage'), async (req, res) => {
      const id = uuidParam(req);
      try {
        await transitionCall(db, req.user!, id, action, postedFormKey(req.body));
        flash(req, `funding.flash.${DONE[action]}`);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status === 404) throw err;
        // A draft refused for its deadline is not stuck: the message leads to its edit page.
        const key =
          err.messageKey === 'funding.errors.deadlinePast'
            ? 'funding.errors.openDeadlinePast'
            : err.messageKey;
        flash(req, key, err.options.params as Record<string, string>, 'warning');
      }
      res.redirect(`/calls/${id}`);
    });
  }

  return router;
}
