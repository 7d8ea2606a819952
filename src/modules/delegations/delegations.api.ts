import { z } from 'zod';
import type { AppServices } from '../../app';
import { defineOperation, type ApiOperation } from '../api/operation';
import { grantSchema } from './delegations.schemas';
import { grantDelegation, revokeDelegation, type Delegation } from './delegations.service';

const delegationResponse = z
  .object({
    id: z.uuid(),
    firmId: z.uuid(),
    associationId: z.uuid(),
    grantedAt: z.string(),
    revokedAt: z.string().nullable(),
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
        'The firm lets an employer association answer surveys on its behalf (then pass firmId)',
      tags: ['survey'],
      access: 'delegation:grant',
      body: grantSchema.meta({ id: 'DelegationRequest' }),
      response: { status: 201, description: 'The delegation', schema: delegationResponse },
      errors: [409, 422],
      handler: async ({ req, body }) =>
        delegationJson(await grantDelegation(db, req.user!, body.associationId)),
    }),
    defineOperation({
      operationId: 'revokeDelegation',
      method: 'post',
      path: '/delegations/:id/revoke',
      summary: "Revokes one of the firm's delegations at once (kept, with who and when)",
      tags: ['survey'],
      access: 'delegation:grant',
      params: z.object({ id: z.uuid() }),
      response: { status: 200, description: 'The revoked delegation', schema: delegationResponse },
      errors: [404, 409],
      handler: async ({ req, params }) =>
        delegationJson(await revokeDelegation(db, req.user!, params.id)),
    }),
  ];
}
