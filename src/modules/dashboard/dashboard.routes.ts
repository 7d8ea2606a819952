import { Router, type Request } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { HttpError } from '../../http/errors';
import { parseQuery } from '../../http/query';
import { can } from '../../lib/permissions';
import { localName } from '../reference/territories.repository';
import { territoryOfQuery } from '../reference/territory-param';
import { periodChoices } from '../needs/needs.view';
import { XLSX_TYPE } from '../needs/needs.xlsx';
import { dashboardCsv, exportView } from './dashboard.export';
import { dashboardMap } from './dashboard.map';
import { pageQuery } from './dashboard.schemas';
import {
  dashboard,
  nuts3Figures,
  readerOf,
  campaignsFor,
  type Dashboard,
} from './dashboard.service';
import { dashboardTable, regionsTable, seriesChart } from './dashboard.view';
import { dashboardXlsx } from './dashboard.xlsx';

/** What an export is of: the territory, and the quarter when the view is filtered by one. */
const fileName = (d: Dashboard) =>
  ['dashboard', d.territory, ...(d.ctx.period ? [d.ctx.period] : [])].join('-');

/**
 * The strategic dashboard (Cruscotto strategico): public, protection decided by who reads (see
 * readerOf). Page, CSV and XLSX are the same view of the same service.
 */
export function dashboardRoutes({ db }: AppServices): Router {
  const router = Router();

  async function load(req: Request, lang: string) {
    const q = parseQuery(pageQuery, req);
    const asked = q.territory ? await territoryOfQuery(db, req, q.territory) : undefined;
    const d = await dashboard(db, req.user, {
      campaignId: q.campaign,
      territory: q.territory,
      period: q.period,
    });
    const links = {
      needs: can(req.user?.role, 'needs:read'),
      pacts: can(req.user?.role, 'pact:read'),
    };
    return { q, asked, d, lang, table: d ? dashboardTable(d, lang, links) : null };
  }

  router.get('/dashboard', allow('public'), async (req, res) => {
    const { q, asked, d, lang, table } = await load(req, res.locals.lang as string);
    const regionList = d
      ? d.regions.map((r) => ({ code: r.territory, name: r.name, names: r.names }))
      : (await campaignsFor(db, readerOf(req.user))).regions.map((r) => ({
          code: r.territory_code,
          name: r.name,
          names: r.names,
        }));
    const regionChoices = readerOf(req.user).scope
      ? []
      : regionList
          .map((r) => ({ code: r.code, name: localName(r, lang) }))
          .sort((a, b) => a.name.localeCompare(b.name));
    if (!d || !table)
      return res.render('dashboard/index', {
        title: req.t('dashboard.title'),
        query: q,
        regionChoices,
        noCampaign: asked
          ? req.t('dashboard.noCampaignIn', { name: localName(asked, lang) })
          : req.t('dashboard.noCampaign'),
      });
    const params = new URLSearchParams({
      campaign: d.campaign.id,
      territory: d.territory,
      map: q.map,
      ...(d.ctx.period ? { period: d.ctx.period } : {}),
    });
    const link = (changes: Record<string, string>) => {
      const p = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) p.set(k, v);
      return `/dashboard?${p.toString()}`;
    };
    // An open survey's needs are withheld here: a map of nothing but hatching tells nothing.
    const areas = d.ctx.withheld ? null : await nuts3Figures(db, d);
    const map = areas
      ? await dashboardMap(db, areas, {
          lang,
          t: req.t,
          k: d.ctx.rules.k,
          measure: q.map,
          link: (code) => link({ territory: code }),
        })
      : null;
    res.render('dashboard/index', {
      title: `${req.t('dashboard.title')} — ${table.total.name}`,
      query: q,
      regionChoices: regionChoices.map((r) => ({
        ...r,
        selected: r.code === d.campaign.territory_code,
      })),
      campaign: d.campaign,
      campaigns: d.campaigns.map((c) => ({ ...c, selected: c.id === d.campaign.id })),
      periods: periodChoices(d.periods, d.ctx.period).map((p) => ({
        value: p,
        selected: p === d.ctx.period,
      })),
      territory: d.territory,
      path: d.path.map((p) => ({
        code: p.code,
        name: localName(p, lang),
        href: link({ territory: p.code }),
      })),
      table: {
        ...table,
        rows: table.rows.map((r) => ({ ...r, href: r.drill ? link({ territory: r.code }) : null })),
      },
      series: seriesChart(d, lang, req.t),
      regions: regionsTable(d, lang),
      map,
      mapIsCoverage: q.map === 'coverage',
      protected: d.ctx.protected,
      withheld: d.ctx.withheld,
      k: d.ctx.rules.k,
      csvHref: `/dashboard/export.csv?${params.toString()}`,
      xlsxHref: `/dashboard/export.xlsx?${params.toString()}`,
    });
  });

  router.get('/dashboard/export.csv', allow('public'), async (req, res) => {
    const { d, lang, table } = await load(req, res.locals.lang as string);
    if (!d || !table) throw new HttpError(404);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${fileName(d)}.csv`)
      .send(`\uFEFF${dashboardCsv(exportView(d, table, lang, req.t))}`);
  });

  router.get('/dashboard/export.xlsx', allow('public'), async (req, res) => {
    const { d, lang, table } = await load(req, res.locals.lang as string);
    if (!d || !table) throw new HttpError(404);
    const sheets = ['table', 'series', 'regions'].map((s) => req.t(`dashboard.export.sheets.${s}`));
    res
      .type(XLSX_TYPE)
      .attachment(`${fileName(d)}.xlsx`)
      .send(await dashboardXlsx(exportView(d, table, lang, req.t), sheets));
  });

  return router;
}
