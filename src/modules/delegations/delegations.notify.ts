import type { Executor } from '../../db';
import { notify } from '../notifications/notify';
import type { DelegationRow } from './delegations.repository';

export type DelegationNotice = 'delegation_granted' | 'delegation_revoked';

/**
 * Tells every user of the association of a grant or revocation, inside the same transaction
 * (a rolled-back grant tells nobody); the link leads to their "firms that delegated us" page.
 */
export async function notifyDelegationChange(
  tx: Executor,
  kind: DelegationNotice,
  delegation: DelegationRow,
  firmName: string,
): Promise<void> {
  await notify(tx, {
    organisationIds: [delegation.association_id],
    kind,
    params: { organisation: firmName },
    link: '/delegated-firms',
  });
}
