import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { renderConfirm } from '../../http/confirm';
import { formatDate } from '../../lib/format';
import { flash, flashRefusal } from '../../http/flash';
import { extensionRoutes, type ExtensionPage } from '../../http/extension';
import { FORM_KEY, formKeyFor, postedFormKey } from '../../http/form-key';
import { parseQuery, refuseParam } from '../../http/query';
import { labelledChoice, parseForm, territoryCode, uuidParam } from '../../http/validate';
import { DEFAULT_RULES } from '../../lib/disclosure';
import { DomainError } from '../../lib/domain-error';
import { localName, territoryPath } from '../reference/territories.repository';
import { territoryGroups } from '../reference/territory-groups';
import { territoryOfQuery } from '../reference/territory-param';
import { isBelow } from '../needs/needs.repository';
import { romeToday } from './calendar';
import { campaignSchema } from './campaigns.schemas';
import {
  campaignCounts,
  campaignProblems,
  createCampaign,
  extendCampaign,
  getManagedCampaign,
  listManagedCampaigns,
  transitionCampaign,
  updateDraftCampaign,
  deleteDraftCampaign,
  type Campaign,
} from './campaigns.service';
import { listLatestResponses } from './region-responses.repository';
import { campaignQuestionCounts } from './campaign-charts.repository';
import { campaignCharts } from './campaign-charts.view';
import { getResponseForRegion } from './region-responses.service';

const PAGE_SIZE = 20;
/** The form's fields, named by their labels in the error summary. */
const CAMPAIGN_FIELDS = [
  'title',
  'territoryCode',
  'opensAt',
  'closesAt',
  'skillAreas',
  'disclosureK',
] as const;

export const responseListQuery = z.strictObject({
  status: labelledChoice(['current', 'withdrawn'], 'regionResponses.statuses')
    .or(z.literal(''))
    .optional(),
  territory: territoryCode.or(z.literal('')).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional().default(1),
});

/** The summary lists the errors in the order of the form's fields. */
const inFormOrder = (errors: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(errors).sort(
      ([a], [b]) =>
        CAMPAIGN_FIELDS.indexOf(a as (typeof CAMPAIGN_FIELDS)[number]) -
        CAMPAIGN_FIELDS.indexOf(b as (typeof CAMPAIGN_FIELDS)[number]),
    ),
  );

/** A refused survey, one message per field it names (every rule it broke, see the service). */
function domainErrors(req: Request, err: DomainError): Record<string, string> {
  const problems = err.options.details ?? [
    { field: err.options.field ?? '_form', key: err.messageKey },
  ];
  const errors: Record<string, string> = {};
  for (const p of problems) errors[p.field] ??= req.t(p.key);
  return inFormOrder(errors);
}

export function campaignRoutes({ db }: AppServices): Router {
  const router = Router();

  /**
   * A form the schema refused: the fields it took are checked against the service's rules too
   * (a closing day gone by, beside an empty title), so the user hears of every problem at once.
   */
  const allErrors = async (
    req: Request,
    form: { errors: Record<string, string>; values: Record<string, unknown> },
  ) => {
    const valid: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(campaignSchema.shape)) {
      const parsed = (field as z.ZodType).safeParse(form.values[name]);
      if (parsed.success) valid[name] = parsed.data;
    }
    const problems = await campaignProblems(db, req.user!, valid);
    const errors: Record<string, string> = {};
    for (const p of problems) errors[p.field] = req.t(p.key);
    return { ...form, errors: inFormOrder({ ...errors, ...form.errors }) };
  };

  router.get('/campaigns', allow('campaign:manage'), async (req, res) => {
    const campaigns = await listManagedCampaigns(db, req.user!);
    const codes = [...new Set(campaigns.map((c) => c.territoryCode))];
    const territories = codes.length
      ? await db
          .selectFrom('territories')
          .select(['code', 'name', 'names'])
          .where('code', 'in', codes)
          .execute()
      : [];
    const names = new Map(
      territories.map((t) => [t.code, localName(t, res.locals.lang as string)]),
    );
    res.render('campaigns/list', {
      title: req.t('campaigns.title'),
      campaigns: campaigns.map((c) => ({ ...c, territoryName: names.get(c.territoryCode) })),
    });
  });

  const formView = async (req: Request, res: Response, status: number, extra: object) => {
    const lang = res.locals.lang as string;
    const areas = await db
      .selectFrom('skill_areas')
      .select(['code', 'name', 'names', 'framework'])
      .orderBy('position')
      .execute();
    const values = (extra as { values?: Record<string, unknown> }).values ?? {};
    const chosen = new Set(([] as unknown[]).concat(values.skillAreas ?? []).map(String));
    res.status(status).render('campaigns/new', {
      title: req.t('campaigns.newTitle'),
      formAction: '/campaigns',
      heading: req.t('campaigns.newTitle'),
      intro: req.t('campaigns.newIntro'),
      submitLabel: req.t('campaigns.create'),
      // The edit form leaves it out (`formKey: undefined`): only a creation can be doubled.
      formKey: formKeyFor(values),
      fieldLabels: Object.fromEntries(
        CAMPAIGN_FIELDS.map((f) => [f, req.t(`campaigns.fields.${f}`)]),
      ),
      territoryGroups: await territoryGroups(db, req.user!, lang, req.t),
      areas: areas.map((a) => ({
        code: a.code,
        label: localName(a, lang),
        framework: a.framework,
        checked: chosen.has(a.code),
      })),
      ...extra,
    });
  };

  router.get('/campaigns/new', allow('campaign:manage'), (req, res) =>
    formView(req, res, 200, {
      values: {
        opensAt: romeToday(),
        readiness: 'on',
        territoryCode: req.user!.territoryCode,
        disclosureK: String(DEFAULT_RULES.k),
      },
    }),
  );

  router.post('/campaigns', allow('campaign:manage'), async (req, res) => {
    const form = parseForm(campaignSchema, req);
    if (!form.ok) return formView(req, res, 422, await allErrors(req, form));
    try {
      const id = await createCampaign(db, req.user!, form.data, postedFormKey(req.body));
      flash(req, 'campaigns.created');
      res.redirect(`/campaigns/${id}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return formView(req, res, err.status, { errors: domainErrors(req, err), values: req.body });
    }
  });

  // A draft, which no firm has seen, can be corrected; once opened, only closing is left.
  const editView = async (
    req: Request,
    res: Response,
    status: number,
    campaign: { id: string; title: string },
    extra: object,
  ) =>
    formView(req, res, status, {
      title: req.t('campaigns.editTitle', { title: campaign.title }),
      formAction: `/campaigns/${campaign.id}/edit`,
      heading: req.t('campaigns.editTitle', { title: campaign.title }),
      intro: req.t('campaigns.editIntro'),
      submitLabel: req.t('campaigns.save'),
      formKey: undefined,
      back: { href: `/campaigns/${campaign.id}`, label: req.t('campaigns.back') },
      ...extra,
    });

  router.get('/campaigns/:id/edit', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    if (campaign.status !== 'draft') return res.redirect(`/campaigns/${campaign.id}`);
    return editView(req, res, 200, campaign, {
      values: {
        title: campaign.title,
        territoryCode: campaign.territoryCode,
        opensAt: campaign.opensAt,
        closesAt: campaign.closesAt,
        skillAreas: campaign.areas,
        readiness: campaign.readiness ? 'on' : '',
        disclosureK: String(campaign.disclosureK),
      },
    });
  });

  router.post('/campaigns/:id/edit', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const form = parseForm(campaignSchema, req);
    if (!form.ok) return editView(req, res, 422, campaign, await allErrors(req, form));
    try {
      await updateDraftCampaign(db, req.user!, campaign.id, form.data);
      flash(req, 'campaigns.updated');
      res.redirect(`/campaigns/${campaign.id}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      return editView(req, res, err.status, campaign, {
        errors: domainErrors(req, err),
        values: req.body,
      });
    }
  });

  router.get('/campaigns/:id', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const lang = res.locals.lang as string;
    const path = await territoryPath(db, campaign.territoryCode);
    const [counts, questions, areas] = await Promise.all([
      campaignCounts(db, campaign.id),
      campaignQuestionCounts(db, campaign.id),
      db.selectFrom('skill_areas').select(['code', 'name', 'names']).execute(),
    ]);
    const areaNames = new Map(areas.map((a) => [a.code, localName(a, lang)]));
    res.render('campaigns/show', {
      title: campaign.title,
      // The open button: a double click opens it once (http/form-key).
      formKey: formKeyFor(undefined),
      campaign,
      areaNames: campaign.areas.map((code) => ({ code, name: areaNames.get(code) ?? code })),
      territory: path.map((t) => localName(t, lang)).join(' › '),
      counts,
      // A draft whose closing day has gone by cannot be opened: the page says so, with the edit.
      closesPassed: campaign.status === 'draft' && campaign.closesAt < romeToday(),
      charts: campaignCharts(questions, req.t, (c) => areaNames.get(c) ?? c),
    });
  });

  // Closing a survey cannot be undone: the survey page's button leads here, to say so first.
  router.get('/campaigns/:id/close', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const back = `/campaigns/${campaign.id}`;
    if (campaign.status !== 'open') return res.redirect(back);
    // Answers begun and never sent stay unsent once it closes: the region hears of them first.
    const { drafts } = await campaignCounts(db, campaign.id);
    renderConfirm(req, res, {
      title: req.t('campaigns.closeTitle', { title: campaign.title }),
      paragraphs: [
        req.t('campaigns.closeConfirm', {
          closesAt: formatDate(campaign.closesAt, res.locals.lang as string, { style: 'long' }),
        }),
        ...(drafts ? [req.t('campaigns.closeDrafts', { count: drafts })] : []),
      ],
      action: `/campaigns/${campaign.id}/close`,
      button: req.t('campaigns.close'),
      back,
      backLabel: req.t('campaigns.back'),
      hidden: { [FORM_KEY]: formKeyFor(undefined) },
    });
  });

  // A "proroga": the closing day moved later, while the survey is open (or past its day).
  const extensionPage = async (req: Request, campaign: Campaign): Promise<ExtensionPage> => {
    const { drafts } = await campaignCounts(db, campaign.id);
    return {
      title: req.t('campaigns.extendTitle'),
      context: campaign.title,
      lead: req.t('campaigns.extendLead', { date: campaign.closesAt }),
      points: [
        req.t('campaigns.extendLater'),
        req.t('campaigns.extendDrafts', { count: drafts }),
        // Past its day its needs are public (needs/publication.ts): reopening withdraws them.
        ...(campaign.state === 'closed' ? [req.t('campaigns.extendPublished')] : []),
      ],
      field: 'closesAt',
      label: req.t('campaigns.extendLabel'),
      hint: req.t('campaigns.extendHint'),
      action: `/campaigns/${campaign.id}/extend`,
      button: req.t('campaigns.extend'),
      back: `/campaigns/${campaign.id}`,
      backLabel: req.t('campaigns.back'),
    };
  };

  extensionRoutes(router, 'campaign:manage', '/campaigns', {
    load: (req) => getManagedCampaign(db, req.user!, uuidParam(req)),
    page: extensionPage,
    extend: async (req, campaign, day) =>
      (await extendCampaign(db, req.user!, campaign.id, day)).campaign.closesAt,
    done: 'campaigns.extended',
  });

  // A draft made twice or by mistake can go: no firm has seen it.
  router.get('/campaigns/:id/delete', allow('campaign:manage'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const back = `/campaigns/${campaign.id}`;
    if (campaign.status !== 'draft') return res.redirect(back);
    renderConfirm(req, res, {
      title: req.t('campaigns.deleteTitle', { title: campaign.title }),
      paragraphs: [req.t('campaigns.deleteConfirm')],
      action: `/campaigns/${campaign.id}/delete`,
      button: req.t('campaigns.delete'),
      back,
      backLabel: req.t('campaigns.back'),
      hidden: { [FORM_KEY]: formKeyFor(undefined) },
    });
  });

  router.post('/campaigns/:id/delete', allow('campaign:manage'), async (req, res) => {
    const id = uuidParam(req);
    try {
      await deleteDraftCampaign(db, req.user!, id, postedFormKey(req.body));
    } catch (err) {
      flashRefusal(req, err);
      return res.redirect(`/campaigns/${id}`);
    }
    flash(req, 'campaigns.deleted');
    res.redirect('/campaigns');
  });

  // 'close' + 'ed' read 'closeed': a key with no message, shown as it is.
  const DONE = { open: 'opened', close: 'closed' } as const;
  for (const action of ['open', 'close'] as const) {
    router.post(`/campaigns/:id/${action}`, allow('campaign:manage'), async (req, res) => {
      const id = uuidParam(req);
      try {
        const campaign = await transitionCampaign(
          db,
          req.user!,
          id,
          action,
          postedFormKey(req.body),
        );
        // Opened before its first day, it is published, not yet open: firms wait for that day.
        if (campaign.state === 'scheduled')
          flash(req, 'campaigns.openedScheduled', { date: campaign.opensAt });
        else flash(req, `campaigns.${DONE[action]}`);
      } catch (err) {
        // A draft refused for its closing day is not stuck: the message leads to its edit.
        if (err instanceof DomainError && err.messageKey === 'campaigns.errors.closesInPast')
          flash(req, 'campaigns.errors.openClosesInPast', undefined, 'warning');
        else flashRefusal(req, err);
      }
      res.redirect(`/campaigns/${id}`);
    });
  }

  router.get('/campaigns/:id/responses', allow('response:read'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const { status, territory, page } = parseQuery(responseListQuery, req);
    if (territory) {
      // A code outside the survey would list no firm under a select showing "all".
      const asked = await territoryOfQuery(db, req, territory);
      if (!(await isBelow(db, asked.code, campaign.territoryCode)))
        throw refuseParam(
          req,
          'territory',
          req.t('errors.query.reasons.outsideSurvey', {
            code: asked.code,
            name: localName(asked, res.locals.lang as string),
          }),
        );
    }
    const { rows, total } = await listLatestResponses(db, campaign.id, {
      status: status || undefined,
      territory: territory || undefined,
      page,
      pageSize: PAGE_SIZE,
    });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (p: number) =>
      `?${new URLSearchParams({ status: status ?? '', territory: territory ?? '', page: String(p) })}`;
    // Past the end (an old link, a list that shrank): the last page, not "Pagina 99999 di 3".
    if (page > pages) return res.redirect(link(pages));
    const lang = res.locals.lang as string;
    res.render('campaigns/responses', {
      title: req.t('regionResponses.title'),
      campaign,
      rows: rows.map((r) => ({
        ...r,
        territory_name: localName({ name: r.territory_name, names: r.territory_names }, lang),
      })),
      total,
      page,
      pages,
      prev: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
      filter: { status: status ?? '', territory: territory ?? '' },
      // Only where the survey asked: a province beside it would list nobody (and is refused).
      territoryGroups: await territoryGroups(
        db,
        req.user!,
        res.locals.lang as string,
        req.t,
        campaign.territoryCode,
      ),
    });
  });

  router.get('/campaigns/:id/responses/:responseId', allow('response:read'), async (req, res) => {
    const campaign = await getManagedCampaign(db, req.user!, uuidParam(req));
    const detail = await getResponseForRegion(
      db,
      campaign,
      uuidParam(req, 'responseId'),
      res.locals.lang as string,
      req.t,
    );
    res.render('campaigns/response', {
      title: `${detail.response.legal_name} · v${detail.response.version}`,
      campaign,
      ...detail,
    });
  });

  return router;
}
