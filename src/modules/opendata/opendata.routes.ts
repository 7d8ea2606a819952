import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../../app';
import { allow } from '../../http/authorize';
import { parseQuery } from '../../http/query';
import { preferredCampaign } from '../needs/needs.repository';
import { toCsv } from './csv';
import { COLUMNS, DATASETS, type Dataset } from './dictionary';
import { CSV_TYPE } from './opendata.api';
import { fileQuery, pageQuery } from './opendata.schemas';
import { LICENCE, openDataset, publicCampaigns } from './opendata.service';

/** The public open-data page and its downloads: no login, protected numbers only. */
export function openDataRoutes({ db, readDb }: AppServices): Router {
  const router = Router();

  router.get('/open-data', allow('public'), async (req, res) => {
    const query = parseQuery(pageQuery, req);
    const lang = res.locals.lang as string;
    const campaigns = await publicCampaigns(readDb);
    const campaignId = query.campaign ?? preferredCampaign(campaigns, { openSurveys: false })?.id;
    const dictionary = DATASETS.map((dataset) => ({
      dataset,
      columns: COLUMNS[dataset].map((c) => ({
        ...c,
        meaning: req.t(`openData.dictionary.${dataset}.${c.name}`),
        unitText: c.unit ? req.t(`openData.units.${c.unit}`) : '',
      })),
    }));
    const base = { title: req.t('openData.title'), licence: LICENCE, dictionary };
    if (!campaignId) return res.render('opendata/index', { ...base, campaigns });
    const [needs, pacts] = await Promise.all([
      openDataset({ db, readDb }, 'needs', campaignId, lang),
      openDataset({ db, readDb }, 'pacts', campaignId, lang),
    ]);
    const q = `campaign=${encodeURIComponent(campaignId)}`;
    res.render('opendata/index', {
      ...base,
      campaigns: campaigns.map((c) => ({ ...c, selected: c.id === campaignId })),
      campaign: needs.campaign,
      k: needs.k,
      needsWithheld: needs.published === false,
      closesAt: needs.closesAt,
      // The preview: the campaign's own territory by skill area; the files hold every level.
      needsPreview: needs.records.filter((r) => r.territory_code === needs.campaign.territory_code),
      needsCount: needs.records.length,
      suppressedCount: needs.records.filter((r) => r.suppressed).length,
      pacts: pacts.records,
      links: {
        needsCsv: `/open-data/needs.csv?${q}`,
        needsJson: `/open-data/needs.json?${q}`,
        pactsCsv: `/open-data/pacts.csv?${q}`,
        pactsJson: `/open-data/pacts.json?${q}`,
        api: `/api/v1/open-data?dataset=needs&campaignId=${encodeURIComponent(campaignId)}`,
      },
    });
  });

  const download =
    (dataset: Dataset, format: 'csv' | 'json') => async (req: Request, res: Response) => {
      const { campaign } = parseQuery(fileQuery, req);
      const data = await openDataset({ db, readDb }, dataset, campaign, res.locals.lang as string);
      const name = `patto-${dataset}-${data.campaign.id}.${format}`;
      res.attachment(name);
      if (format === 'json') return res.json(data);
      res.type(CSV_TYPE).send(toCsv(COLUMNS[dataset], data.records));
    };

  router.get('/open-data/needs.csv', allow('public'), download('needs', 'csv'));
  router.get('/open-data/needs.json', allow('public'), download('needs', 'json'));
  router.get('/open-data/pacts.csv', allow('public'), download('pacts', 'csv'));
  router.get('/open-data/pacts.json', allow('public'), download('pacts', 'json'));

  return router;
}
