import { z } from 'zod';
import type { AppServices } from '../../app';
import { defineOperation, type ApiOperation } from '../api/operation';
import { ESF_COLUMNS, esfJson } from './execution.esf';
import { OutcomeRejectedError } from './execution.rules';
import { API_FIELD, esfApiQuery, outcomeApiSchema } from './execution.schemas';
import { esfIndicators, reportOutcome } from './execution.service';
import { PACT_STATUSES } from './pact-workflow';

const idParams = z.object({ id: z.uuid() });

const reportedJson = z
  .object({
    pactId: z.uuid(),
    actionId: z.uuid(),
    period: z.string(),
    replaced: z.boolean().describe('True when the quarter had been reported before'),
    status: z.enum(PACT_STATUSES),
    repeated: z
      .boolean()
      .describe(
        'True when the quarter was already reported with these very figures (a retry): nothing recorded again',
      ),
  })
  .meta({ id: 'ActionOutcomeReported' });

const indicatorRow = z.object({
  territoryCode: z.string().nullable().describe('null on the total row'),
  territoryName: z.string(),
  pacts: z.number().int(),
  ...Object.fromEntries(
    ESF_COLUMNS.map((c) => [
      c.key,
      z
        .number()
        .int()
        .describe(
          c.code
            ? `ESF+ common output indicator ${c.code}`
            : c.money
              ? 'Euro cents'
              : 'Participants or hours (no common indicator code)',
        ),
    ]),
  ),
});

const indicatorsJson = z
  .object({
    callId: z.uuid(),
    period: z.string().nullable(),
    territories: z.array(indicatorRow),
    total: indicatorRow,
  })
  .meta({ id: 'EsfIndicators' });

export function executionOperations({ db }: AppServices): ApiOperation[] {
  const tags = ['execution'];
  return [
    defineOperation({
      operationId: 'reportActionOutcome',
      method: 'post',
      path: '/pacts/:id/outcomes',
      summary:
        'Report what an action of an approved or running pact delivered in a quarter (promoter or region); replaces an earlier report of that quarter, and the first report starts the pact',
      tags,
      access: 'pact:report',
      params: idParams,
      body: outcomeApiSchema,
      response: { status: 200, description: 'The report as recorded', schema: reportedJson },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body }) => {
        try {
          return await reportOutcome(db, req.user!, params.id, body);
        } catch (err) {
          // The rules name the form's fields; the API spells the money ones in cents.
          if (err instanceof OutcomeRejectedError)
            throw new OutcomeRejectedError(
              err.issues.map((i) => ({ ...i, field: API_FIELD[i.field] ?? i.field })),
            );
          throw err;
        }
      },
    }),
    defineOperation({
      operationId: 'getEsfIndicators',
      method: 'get',
      path: '/calls/:id/esf-indicators',
      summary:
        'The ESF+ common output indicators of a call’s pacts by territory, with a total, for a quarter or a year (the call’s region)',
      tags,
      access: 'pact:review',
      params: idParams,
      query: esfApiQuery,
      response: { status: 200, description: 'The indicators', schema: indicatorsJson },
      errors: [404, 422],
      handler: async ({ req, params, query }) =>
        esfJson(
          await esfIndicators(db, req.user!, params.id, query.period),
          req.language?.startsWith('en') ? 'en' : 'it',
          req.t,
        ),
    }),
  ];
}
