import { z } from 'zod';
import type { AppServices } from '../../app';
import { DomainError } from '../../lib/domain-error';
import { Answer, defineOperation, type ApiOperation } from '../api/operation';
import { proposalSchema } from './amendments.schemas';
import { decideAmendment, proposeAmendment } from './amendments.service';
import { addComment } from './comments.service';
import { commentSchema, decisionSchema, positionSchema, signSchema } from './negotiation.schemas';
import { POSITIONS } from './negotiation.tables';
import { setPosition } from './positions.service';
import { signPact } from './signatures.service';

const idParams = z.object({ id: z.uuid() });
const amendmentParams = z.object({ id: z.uuid(), amendmentId: z.uuid() });
const actionParams = z.object({ id: z.uuid(), actionId: z.uuid() });

const agreementJson = z
  .object({
    total: z.number().int(),
    signed: z.number().int(),
    allSigned: z.boolean(),
    parity: z.boolean(),
    agreed: z.boolean(),
  })
  .meta({ id: 'PactAgreement' });

/** The negotiation through the API: the same schemas and services as the pages. */
export function negotiationOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'commentOnPact',
      method: 'post',
      path: '/pacts/:id/comments',
      summary: 'Comment on a pact or one of its actions (bound to the current revision)',
      tags: ['pacts'],
      access: 'pact:negotiate',
      params: idParams,
      body: commentSchema,
      response: {
        status: 201,
        description: 'The comment',
        schema: z.object({ id: z.uuid(), revision: z.number().int() }),
      },
      errors: [403, 404, 409, 422],
      handler: ({ req, params, body, formKey }) =>
        addComment(db, req.user!, params.id, body, formKey),
    }),
    defineOperation({
      operationId: 'proposeAmendment',
      method: 'post',
      path: '/pacts/:id/amendments',
      summary: 'Propose an amendment: change, add or remove an action, or change title/summary',
      tags: ['pacts'],
      access: 'pact:negotiate',
      params: idParams,
      body: proposalSchema,
      response: {
        status: 201,
        description: 'The amendment, open',
        schema: z.object({ id: z.uuid(), revision: z.number().int() }),
      },
      errors: [403, 404, 409, 422],
      handler: ({ req, params, body, formKey }) =>
        proposeAmendment(db, req.user!, params.id, body, formKey),
    }),
    defineOperation({
      operationId: 'decideAmendment',
      method: 'post',
      path: '/pacts/:id/amendments/:amendmentId/decision',
      summary:
        'Accept (applied as a new revision) or decline (reason required) an amendment. Making again the decision the caller made (a retry) answers 200 with `repeated: true` and records nothing; another decision on a decided amendment is a 409',
      tags: ['pacts'],
      access: 'pact:draft',
      params: amendmentParams,
      body: decisionSchema,
      response: {
        status: 200,
        description: 'The decision; accepting yields the new revision',
        schema: z.object({
          status: z.enum(['accepted', 'declined']),
          revision: z.number().int().optional(),
          repeated: z
            .boolean()
            .describe(
              'true when the caller had already made this very decision: nothing recorded again',
            ),
        }),
      },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body }) => {
        const d = await decideAmendment(db, req.user!, params.id, params.amendmentId, body);
        // Recorded as outdated (committed), and answered as the conflict it is.
        if (d.status === 'outdated')
          throw new DomainError(
            d.why.reason === 'targetGone'
              ? 'negotiation.amendments.outdatedGone'
              : 'negotiation.amendments.outdatedFields',
            { status: 409, params: { fields: d.why.fields.join(', ') } },
          );
        return { ...d, repeated: d.repeated ?? false };
      },
    }),
    defineOperation({
      operationId: 'signPact',
      method: 'post',
      path: '/pacts/:id/signatures',
      summary:
        "Sign the pact's current revision (its number and hash must both match); 409 while it has no action, or for a revision no longer current. Signing again a revision the caller's organisation already signed (a retry) answers 200 with `repeated: true` and records nothing",
      tags: ['pacts'],
      access: 'pact:negotiate',
      params: idParams,
      body: signSchema,
      response: {
        status: 201,
        description: 'The signature, and whether the pact is now agreed',
        schema: z
          .object({
            revision: z.number().int(),
            hash: z.string(),
            agreement: agreementJson,
            repeated: z
              .boolean()
              .describe(
                "true when the caller's organisation had already signed this revision: nothing was recorded again",
              ),
          })
          .meta({ id: 'PactSignature' }),
        also: {
          status: 200,
          description: 'Already signed by the caller’s organisation: the signature as it stands',
        },
      },
      errors: [403, 404, 409, 422],
      handler: async ({ req, params, body, formKey }) => {
        const r = await signPact(db, req.user!, params.id, body, formKey);
        const { total, signed, allSigned, parity, agreed } = r.agreement;
        const signature = {
          revision: r.revision,
          hash: r.hash,
          agreement: { total, signed, allSigned, parity, agreed },
          repeated: r.repeated,
        };
        return r.repeated ? new Answer(200, signature) : signature;
      },
    }),
    defineOperation({
      operationId: 'setPosition',
      method: 'put',
      path: '/pacts/:id/actions/:actionId/position',
      summary: "Set the caller's organisation's position on one action",
      tags: ['pacts'],
      access: 'pact:negotiate',
      params: actionParams,
      body: positionSchema,
      response: {
        status: 200,
        description: 'The position recorded',
        schema: z.object({
          actionId: z.uuid(),
          position: z.enum(POSITIONS),
          revision: z.number().int(),
        }),
      },
      errors: [403, 404, 409, 422],
      handler: ({ req, params, body }) =>
        setPosition(db, req.user!, params.id, params.actionId, body),
    }),
  ];
}
