import { Router, type Request } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { can } from '../../lib/permissions';
import { HttpError } from '../../http/errors';
import { parseQuery } from '../../http/query';
import * as repo from './needs.repository';
import { pageQuery, type PageQuery } from './needs.schemas';
import { campaignsFor, needsAggregate } from './needs.service';
import { barChart, needsCsv, needsTable, periodChoices } from './needs.view';
import { localName } from '../reference/territories.repository';
import { territoryOfQuery } from '../reference/territory-param';
import { needsMap } from './map/needs-map';
import { needsXlsx, XLSX_TYPE } from './needs.xlsx';

/** What an export is of: territory, pivot, and the quarter and priority it is filtered by. */
const fileName = (territory: string, q: PageQuery) =>
  ['needs', territory, q.by, q.period, q.priority].filter(Boolean).join('-');

/** The needs of a territory: drill-down, pivot, filters, chart, and the same view as CSV. */
export function needsRoutes({ db }: AppServices): Router {
  const router = Router();

  async function load(req: Request, lang: string) {
    const q = parseQuery(pageQuery, req);
    if (q.territory) await territoryOfQuery(db, req, q.territory);
    const campaigns = await campaignsFor(db, req.user!);
    const campaignId = q.campaign ?? repo.preferredCampaign(campaigns)?.id;
    if (!campaignId) return { q, campaigns };
    const aggregate = await needsAggregate(db, req.user!, {
      campaignId,
      territory: q.territory,
      by: q.by,
      priority: q.priority ?? '*',
      period: q.period ?? '*',
    });
    const labels = await repo.valueLabels(db, q.by);
    const table = needsTable(aggregate, q, labels, lang, req.t);
    return { q, campaigns, aggregate, table };
  }

  router.get('/needs', allow('needs:read'), async (req, res) => {
    const lang = res.locals.lang as string;
    const { q, campaigns, aggregate, table } = await load(req, lang);
    if (!aggregate || !table)
      return res.render('needs/index', { title: req.t('needs.title'), campaigns, query: q });
    const params = new URLSearchParams({
      campaign: aggregate.campaign.id,
      territory: aggregate.territory,
      by: q.by,
      measure: q.measure,
      sort: q.sort,
      ...(q.priority ? { priority: q.priority } : {}),
      ...(q.period ? { period: q.period } : {}),
    });
    const link = (changes: Record<string, string>) => {
      const p = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) p.set(k, v);
      return `?${p.toString()}`;
    };
    res.render('needs/index', {
      title: `${req.t('needs.title')} — ${table.totals.name}`,
      campaigns: campaigns.map((c) => ({ ...c, selected: c.id === aggregate.campaign.id })),
      query: q,
      campaign: aggregate.campaign,
      path: aggregate.path.map((p) => ({
        code: p.code,
        name: localName(p, lang),
        href: link({ territory: p.code }),
      })),
      table: {
        ...table,
        rows: table.rows.map((r) => ({ ...r, href: r.drill ? link({ territory: r.code }) : null })),
      },
      chart: barChart(table),
      map: await needsMap(db, req.user!, aggregate, q, {
        lang,
        t: req.t,
        link: (code) => link({ territory: code }),
      }),
      protected: aggregate.protected,
      k: aggregate.rules.k,
      periods: periodChoices(await repo.periodsOf(db, aggregate.campaign.id), q.period),
      csvHref: `/needs/export.csv?${params.toString()}`,
      xlsxHref: `/needs/export.xlsx?${params.toString()}`,
      sortByName: link({ sort: 'name' }),
      sortByValue: link({ sort: 'value' }),
      // An authority reading its needs drafts a pact from them without choosing them again.
      draftHref: can(req.user!.role, 'pact:draft')
        ? `/pacts/new?${new URLSearchParams({ territory: aggregate.territory, campaign: aggregate.campaign.id }).toString()}`
        : null,
    });
  });

  router.get('/needs/export.csv', allow('needs:read'), async (req, res) => {
    const { q, aggregate, table } = await load(req, res.locals.lang as string);
    if (!aggregate || !table) throw new HttpError(404);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${fileName(aggregate.territory, q)}.csv`)
      .send(`\uFEFF${needsCsv(aggregate, table, q, req.t)}`);
  });

  router.get('/needs/export.xlsx', allow('needs:read'), async (req, res) => {
    const { q, aggregate, table } = await load(req, res.locals.lang as string);
    if (!aggregate || !table) throw new HttpError(404);
    res
      .type(XLSX_TYPE)
      .attachment(`${fileName(aggregate.territory, q)}.xlsx`)
      .send(await needsXlsx(aggregate, table, q, req.t));
  });

  return router;
}
