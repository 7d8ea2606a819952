import type { AppServices } from '../../app';
import { HttpError } from '../../http/errors';
import { territoryOfQuery } from '../reference/territory-param';
import { defineOperation, type ApiOperation } from '../api/operation';
import { wholeTerritoryFigures, type DashboardFigures } from './dashboard.figures';
import { apiQuery, dashboardResponse } from './dashboard.schemas';
import { dashboard } from './dashboard.service';

export function dashboardOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'getDashboard',
      method: 'get',
      path: '/dashboard',
      summary:
        'The strategic dashboard of a campaign and territory: per child territory and in total, ' +
        'firms surveyed, workers in need and covered by funded actions, budget committed and ' +
        'spent, participants enrolled and completed; the quarters; the comparison of regions. ' +
        'Without a token, or for any caller but the region, figures derived from needs are ' +
        'protected as on getNeedsAggregate. While the survey is open, callers other than the ' +
        'region, local authorities, social partners and the operator get those figures withheld ' +
        "(reason 'unpublished', needsPublished false) until it closes: comparing two readings " +
        "would otherwise show one firm's answer",
      tags: ['dashboard'],
      access: 'public',
      query: apiQuery,
      response: { status: 200, description: 'The view', schema: dashboardResponse },
      errors: [404, 422],
      handler: async ({ req, query }) => {
        if (query.territory) await territoryOfQuery(db, req, query.territory);
        const d = await dashboard(db, req.user, query);
        if (!d) throw new HttpError(404);
        const names = new Map([...d.path, ...d.rows].map((t) => [t.code, t.name]));
        const whole = wholeTerritoryFigures(
          d.total,
          d.rows.map((r) => r.figures),
        );
        const row = (f: DashboardFigures) => ({
          ...f,
          name: names.get(f.territory) ?? f.territory,
        });
        return {
          campaignId: d.campaign.id,
          territory: d.territory,
          period: d.ctx.period,
          protected: d.ctx.protected,
          needsPublished: !d.ctx.withheld,
          closesAt: d.campaign.closes_at,
          k: d.ctx.rules.k,
          rows: d.rows.map((r) => row(r.figures)),
          total: row(d.total),
          wholeTerritory: whole && row(whole),
          series: d.series,
          regions: d.regions.map(({ names: _names, ...r }) => r),
        };
      },
    }),
  ];
}
