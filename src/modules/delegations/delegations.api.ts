import { z } from 'zod';
import type { AppServices } from '../../app';
import { DomainError } from '../../lib/domain-error';
import { Answer, defineOperation, type ApiOperation } from '../api/operation';
import { findActive, findDelegation } from './delegations.repository';
import { grantSchema } from './delegations.schemas';
import { grantDelegation, revokeDelegation, type Delegation } from './delegations.service';

const delegationResponse = z
  .object({
    id: z.uuid(),
    firmId: z.uuid(),
    associationId: z.uuid(),
    grantedAt: z.string(),
    revokedAt: z.string().nullable(),
    repeated: z
      .boolean()
      .describe(
        'true when the firm had already done this (a retry): nothing recorded or told again',
      ),
  })
  .meta({ id: 'Delegation' });

const delegationJson = (d: Delegation) => ({
  id: d.id,
  firmId: d.firm_id,
  associationId: d.association_id,
  grantedAt: d.granted_at.toISOString(),
  revokedAt: d.revoked_at ? d.revoked_at.toISOString() : null,
});

export function delegationOperations({ db }: AppServices): ApiOperation[] {
  return [
    defineOperation({
      operationId: 'grantDelegation',
      method: 'post',
      path: '/delegations',
      summary:
        'The firm lets an employer association answer surveys on its behalf (then pass firmId); granting again an active delegation (a retry) answers 200 with `repeated: true`',
      tags: ['survey'],
      access: 'delegation:grant',
      body: grantSchema.meta({ id: 'DelegationRequest' }),
      response: {
        status: 201,
        description: 'The delegation',
        schema: delegationResponse,
        also: { status: 200, description: 'Already granted: the delegation as it stands' },
      },
      errors: [409, 422],
      handler: async ({ req, body }) => {
        try {
          const d = await grantDelegation(db, req.user!, body.associationId);
          return { ...delegationJson(d), repeated: false };
        } catch (err) {
          // A retry after a timeout: the association holds the firm's delegation, as asked.
          if (
            !(err instanceof DomainError) ||
            err.messageKey !== 'delegations.errors.alreadyGranted'
          )
            throw err;
          const active = await findActive(db, req.user!.organisationId, body.associationId);
          if (!active) throw err;
          return new Answer(200, { ...delegationJson(active), repeated: true });
        }
      },
    }),
    defineOperation({
      operationId: 'revokeDelegation',
      method: 'post',
      path: '/delegations/:id/revoke',
      summary:
        "Revokes one of the firm's delegations at once (kept, with who and when); revoking it again (a retry) answers 200 with `repeated: true`",
      tags: ['survey'],
      access: 'delegation:grant',
      params: z.object({ id: z.uuid() }),
      response: { status: 200, description: 'The revoked delegation', schema: delegationResponse },
      errors: [404, 409],
      handler: async ({ req, params }) => {
        try {
          return {
            ...delegationJson(await revokeDelegation(db, req.user!, params.id)),
            repeated: false,
          };
        } catch (err) {
          // Revoked already (a retry): revokeDelegation found it the firm's, so it is said as done.
          if (
            !(err instanceof DomainError) ||
            err.messageKey !== 'delegations.errors.alreadyRevoked'
          )
            throw err;
          return { ...delegationJson((await findDelegation(db, params.id))!), repeated: true };
        }
      },
    }),
  ];
}
