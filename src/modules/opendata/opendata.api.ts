import { z } from 'zod';
import type { AppServices } from '../../app';
import { defineOperation, RawBody, type ApiOperation } from '../api/operation';
import { toCsv } from './csv';
import { COLUMNS } from './dictionary';
import { apiQuery, openDatasetJson } from './opendata.schemas';
import { openDataset } from './opendata.service';

export const CSV_TYPE = 'text/csv; charset=utf-8; header=present';

export function openDataOperations({ db, readDb }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'getOpenData',
      method: 'get',
      path: '/open-data',
      summary:
        'Open data of a campaign under CC BY 4.0, no token needed: the protected needs aggregate ' +
        '(territory × skill area, suppressed cells without numbers) or the funded pacts ' +
        '(approved, in progress, closed), as JSON or CSV. The needs of a survey still open are ' +
        'not published: no record (the CSV is its header row alone) and `published: false` with ' +
        "the survey's `closesAt`, until it closes",
      tags: ['open data'],
      access: 'public',
      query: apiQuery,
      response: {
        status: 200,
        description: 'The dataset; with format=csv, the same records as CSV (RFC 4180, UTF-8)',
        schema: openDatasetJson,
        alternatives: { 'text/csv': z.string() },
      },
      errors: [404],
      handler: async ({ req, query }) => {
        const lang = req.language?.startsWith('en') ? 'en' : 'it';
        const data = await openDataset({ db, readDb }, query.dataset, query.campaignId, lang);
        if (query.format === 'csv')
          return new RawBody(CSV_TYPE, toCsv(COLUMNS[query.dataset], data.records));
        return data;
      },
    }),
  ];
}
