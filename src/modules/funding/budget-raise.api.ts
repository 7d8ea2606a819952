import { z } from 'zod';
import type { AppServices } from '../../app';
import { DomainError } from '../../lib/domain-error';
import { defineOperation, jsonBodyOnly, type ApiOperation } from '../api/operation';
import { raiseApiSchema, raiseFromApi } from './budget-raise.schemas';
import { raiseCallBudget, repeatedRaise } from './budget-raise.service';
import { callDetailJson, callDetailOf } from './funding.api';

const raisedJson = callDetailJson
  .extend({
    raiseId: z.uuid(),
    repeated: z
      .boolean()
      .describe(
        'true when this very raise (same budget, reserves and reason, by the same user) was the call’s latest: answered as it stands, nothing recorded again',
      ),
  })
  .meta({ id: 'CallBudgetRaised' });

export function budgetRaiseOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'raiseCallBudget',
      method: 'post',
      path: '/calls/:id/budget',
      summary:
        "Raise an open call's budget (as /calls/{id}/budget does), and optionally some of its reserves (only higher) or new ones (inside the call's territory, overlapping no other, where no pact is funded yet): the reserves together within the new budget, with a reason; the authorities of its territory are told. Repeating the very same raise (a retry) answers 200 with `repeated: true` and records nothing; the same budget otherwise is a 422. 409 once closed",
      tags: ['funding'],
      access: 'call:manage',
      params: z.object({ id: z.uuid() }),
      body: raiseApiSchema,
      middleware: [jsonBodyOnly],
      response: {
        status: 200,
        description: 'The call after the raise, with its reserves',
        schema: raisedJson,
      },
      errors: [404, 409, 415, 422],
      handler: async ({ req, params, body }) => {
        const input = raiseFromApi(body);
        try {
          const { raiseId } = await raiseCallBudget(db, req.user!, params.id, input);
          return { ...(await callDetailOf(db, req, params.id)), raiseId, repeated: false };
        } catch (err) {
          const again = ['funding.raise.errors.same', 'funding.errors.cannot.raise'];
          if (!(err instanceof DomainError) || !again.includes(err.messageKey)) throw err;
          const raiseId = await repeatedRaise(db, req.user!, params.id, input);
          if (!raiseId) throw err;
          return { ...(await callDetailOf(db, req, params.id)), raiseId, repeated: true };
        }
      },
    }),
  ];
}
